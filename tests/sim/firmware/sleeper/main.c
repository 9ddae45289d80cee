/* WFI with no interrupt enabled and nothing scheduled: nothing can ever wake it. */
#include "cpu.h"

__attribute__((noinline)) void sleep_forever(void);
__attribute__((noinline)) void sleep_forever(void)
{
    for (;;)
        cpu_wfi();
}

int main(void)
{
    sleep_forever();
    return 0;
}
