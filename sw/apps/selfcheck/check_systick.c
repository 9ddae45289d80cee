/* SysTick: COUNTFLAG when polled, then periodic interrupts with the core asleep (WFI)
 * in between. */
#include "board.h"
#include "cpu.h"
#include "selfcheck.h"
#include "systick.h"

#define TICKS 5u
#define TICK_HZ 1000u
#define POLL_LIMIT 1000000u

static volatile uint32_t ticks;

static void count_tick(void)
{
    ticks++;
}

bool check_systick(void)
{
    systick_start(BOARD_CLOCK_HZ / TICK_HZ, 0);
    uint32_t polls = 0;
    while (!systick_wrapped() && polls < POLL_LIMIT)
        polls++;
    systick_stop();
    CHECK(polls < POLL_LIMIT);
    /* The counter may wrap again before it stops (COUNTFLAG stays set through the stop);
       once read, the flag is clear and the stopped counter cannot set it again. */
    (void)systick_wrapped();
    CHECK(!systick_wrapped());

    ticks = 0;
    systick_hook = count_tick;
    systick_start(BOARD_CLOCK_HZ / TICK_HZ, 1);
    while (ticks < TICKS)
        cpu_wfi();
    systick_stop();
    systick_hook = 0;
    CHECK(ticks == TICKS);
    return true;
}
