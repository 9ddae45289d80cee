/* DWT cycle counter: once enabled it counts up while code runs. QEMU 7.2 has no DWT
 * (its registers read 0): the check then passes without printing anything different. */
#include "board.h"
#include "dwt.h"
#include "selfcheck.h"

#define LOOP_ITERATIONS 1000u

bool check_dwt(void)
{
    dwt_cycle_counter_enable();
    uint32_t before = dwt_cycles();
    for (volatile uint32_t i = 0; i < LOOP_ITERATIONS; i++)
        ;
    uint32_t after = dwt_cycles();
    if (before == 0 && after == 0)
        return true; /* no cycle counter on this machine */
    CHECK(after - before >= LOOP_ITERATIONS);
    return true;
}
