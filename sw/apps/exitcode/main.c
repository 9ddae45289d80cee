/* Exits with a non-zero status, to prove the status reaches the host (SYS_EXIT_EXTENDED). */
#include <stdio.h>

#define EXIT_STATUS 3

int main(void)
{
    printf("exitcode: exiting with %d\n", EXIT_STATUS);
    return EXIT_STATUS;
}
