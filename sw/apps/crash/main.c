/* Executes an undefined instruction with no fault handler installed: the startup code's
 * default handler reports the HardFault on UART0 and exits with FATAL_EXIT_BASE + 3. */
#include <stdio.h>

int main(void)
{
    printf("crash: executing an undefined instruction\n");
    __asm volatile("udf #0" ::: "memory");
    printf("crash: still running\n");
    return 0;
}
