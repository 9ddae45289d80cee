/* A firmware that never exits: it spins in spin_forever() until a limit stops the run. */
#include <stdint.h>

volatile uint32_t spin_count;

__attribute__((noinline)) void spin_forever(void);
__attribute__((noinline)) void spin_forever(void)
{
    for (;;)
        spin_count++;
}

int main(void)
{
    spin_forever();
    return 0;
}
