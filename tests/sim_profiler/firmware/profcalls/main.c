/* A known call structure for the profiler's tests (tests/sim_profiler/test_profiler.py):
 *   main calls middle() MIDDLE_CALLS times, each call of middle() calls leaf() LEAF_PER_MIDDLE
 *   times; main calls recurse(RECURSE_DEPTH), which calls itself down to 0; tail_caller()
 *   ends in a tail call (a branch, not BL) to tail_target(); trng_words() polls the TRNG's
 *   READY flag (the CPU waits there); then SysTick interrupts TICKS times while main sleeps
 *   in WFI, and its handler calls on_tick(); the last tick pends PendSV, which (at the same
 *   priority) is tail-chained after SysTick returns and calls on_pendsv(). main also calls
 *   straddle_a() STRADDLE_CALLS times: it has no return and runs on into straddle_b(), so
 *   one translated block holds code of two functions. */
#include <stdint.h>

#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "systick.h"

#define MIDDLE_CALLS 10u
#define LEAF_PER_MIDDLE 3u
#define RECURSE_DEPTH 5u
#define TRNG_WORDS 20u
#define TICKS 4u
#define TICK_PERIOD_CYCLES 5000u
#define STRADDLE_CALLS 7u

#define NOINLINE __attribute__((noinline, noclone, noipa))

volatile uint32_t sink;
static volatile uint32_t ticks, pendsvs;

NOINLINE void leaf(uint32_t x)
{
    sink += x;
}

NOINLINE void middle(uint32_t n)
{
    for (uint32_t i = 0; i < LEAF_PER_MIDDLE; i++)
        leaf(n + i);
    sink += 1;             /* work after the last call: no tail call */
}

NOINLINE uint32_t recurse(uint32_t n)
{
    if (n == 0)
        return 0;
    uint32_t below = recurse(n - 1);
    sink = below;          /* a side effect after the call keeps it a real recursion */
    return below + 1;
}

NOINLINE void tail_target(uint32_t x)
{
    sink ^= x * 3u;
}

NOINLINE void tail_caller(uint32_t x)
{
    sink = x;
    tail_target(x + 1);    /* compiled as a branch: a tail call */
}

/* Two instructions each; straddle_a falls through into straddle_b, which returns. */
__asm__(".pushsection .text.straddle, \"ax\", %progbits\n"
        ".syntax unified\n"
        ".thumb\n"
        ".global straddle_a\n.type straddle_a, %function\n.thumb_func\n"
        "straddle_a:\n    adds r0, r0, #1\n    adds r0, r0, #2\n"
        ".size straddle_a, . - straddle_a\n"
        ".global straddle_b\n.type straddle_b, %function\n.thumb_func\n"
        "straddle_b:\n    adds r0, r0, #3\n    bx lr\n"
        ".size straddle_b, . - straddle_b\n"
        ".popsection\n");
uint32_t straddle_a(uint32_t x);

NOINLINE uint32_t trng_words(uint32_t count)
{
    uint32_t acc = 0;
    mmio_write32(CSR_TRNG_CTRL_ADDR, CSR_TRNG_CTRL_ENABLE_MASK);
    for (uint32_t i = 0; i < count; i++) {
        while (!(mmio_read32(CSR_TRNG_STATUS_ADDR) & CSR_TRNG_STATUS_READY_MASK))
            ;
        acc ^= mmio_read32(CSR_TRNG_DATA_ADDR);
    }
    mmio_write32(CSR_TRNG_CTRL_ADDR, 0);
    return acc;
}

NOINLINE void on_tick(void)
{
    ticks++;
}

NOINLINE void on_pendsv(void)
{
    pendsvs++;
}

void SysTick_Handler(void)
{
    on_tick();
    if (ticks >= TICKS) {
        systick_stop();
        mmio_write32(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK);
    }
}

void PendSV_Handler(void)
{
    on_pendsv();
}

int main(void)
{
    for (uint32_t n = 0; n < MIDDLE_CALLS; n++)
        middle(n);
    sink = recurse(RECURSE_DEPTH);
    tail_caller(7);
    for (uint32_t n = 0; n < STRADDLE_CALLS; n++)
        sink = straddle_a(sink);
    sink = trng_words(TRNG_WORDS);
    systick_start(TICK_PERIOD_CYCLES, 1);
    while (ticks < TICKS || !pendsvs)
        cpu_wfi();
    return 0;
}
