/* Time as the firmware sees it: SysTick periods measured with the DWT cycle counter
 * (asleep in WFI and busy), a CMSDK timer waking WFI, a level-sensitive interrupt line,
 * WFI with PRIMASK set, the DWT counter identity, and TRNG words. Every check prints
 * what it measured (tests/sim/test_sim_timing.py judges it). */
#include <stdint.h>

#include "../common/testfw.h"
#include "board.h"
#include "cpu.h"
#include "dwt.h"
#include "mmio.h"
#include "nvic.h"
#include "systick.h"
#include "window.h"

#define TICKS 8u
#define SYSTICK_PERIOD 1000u
#define TIMER_CYCLES 5000u
#define WINDOW_SYSTICK_PERIOD 200u
#define TRNG_WORDS 4u
#define SLEEP_ON_EXIT_TICKS 4u

static volatile uint32_t ticks, tick_stamps[TICKS], sleep_on_exit_until;
static volatile uint32_t timer_entries, timer_stamps[2], timer_clear_on_entry;

void SysTick_Handler(void)
{
    uint32_t now = dwt_cycles();
    if (ticks < TICKS)
        tick_stamps[ticks] = now;
    ticks++;
    if (sleep_on_exit_until && ticks >= sleep_on_exit_until)
        mmio_clear_bits(CSR_SCS_SCR_ADDR, CSR_SCS_SCR_SLEEPONEXIT_MASK);
}

void TIMER0_IRQHandler(void)
{
    uint32_t now = dwt_cycles();
    if (timer_entries < 2u)
        timer_stamps[timer_entries] = now;
    timer_entries++;
    if (timer_entries >= timer_clear_on_entry) {
        mmio_write32(CSR_TIMER0_CTRL_ADDR, 0);
        mmio_write32(CSR_TIMER0_INTSTATUS_ADDR, CSR_TIMER0_INTSTATUS_IRQ_MASK);
    }
}

static void report_ticks(const char *prefix)
{
    char key[40];
    for (uint32_t i = 1; i < TICKS; i++) {
        snprintf(key, sizeof key, "%s.delta%lu", prefix, (unsigned long)i);
        REPORT(key, tick_stamps[i] - tick_stamps[i - 1u]);
    }
}

static void check_systick_periods(void)
{
    REPORT("systick.period", SYSTICK_PERIOD);
    ticks = 0;
    systick_start(SYSTICK_PERIOD, 1);
    while (ticks < TICKS)
        cpu_wfi();
    systick_stop();
    report_ticks("systick_wfi");

    ticks = 0;
    systick_start(SYSTICK_PERIOD, 1);
    busy_wait(&ticks, TICKS);
    systick_stop();
    report_ticks("systick_busy");
}

static void timer0_start(uint32_t cycles)
{
    mmio_write32(CSR_TIMER0_RELOAD_ADDR, cycles);
    mmio_write32(CSR_TIMER0_CTRL_ADDR, CSR_TIMER0_CTRL_EN_MASK | CSR_TIMER0_CTRL_IRQ_EN_MASK);
}

static void check_timer_wakeup(void)
{
    REPORT("timer.cycles", TIMER_CYCLES);
    timer_entries = 0;
    timer_clear_on_entry = 1;
    nvic_enable(IRQ_TIMER0);
    uint32_t start = dwt_cycles();
    timer0_start(TIMER_CYCLES);
    while (!timer_entries)
        cpu_wfi();
    REPORT("timer.wake_delta", timer_stamps[0] - start);
    REPORT("timer.entries", timer_entries);

    /* Level-sensitive: a line still high when the handler returns pends it again. */
    timer_entries = 0;
    timer_clear_on_entry = 2;
    timer0_start(TIMER_CYCLES);
    while (timer_entries < 2u)
        cpu_wfi();
    REPORT("timer_level.entries", timer_entries);
    REPORT("timer_level.gap", timer_stamps[1] - timer_stamps[0]);
    nvic_disable(IRQ_TIMER0);
}

static void check_wfi_with_primask(void)
{
    ticks = 0;
    cpu_irq_disable();
    systick_start(SYSTICK_PERIOD, 1);
    uint32_t start = dwt_cycles();
    cpu_wfi();
    uint32_t woke = dwt_cycles();
    REPORT("wfi_primask.ran_asleep", ticks);
    REPORT("wfi_primask.pending", FIELD_GET(CSR_SCS_ICSR_PENDSTSET, mmio_read32(CSR_SCS_ICSR_ADDR)));
    REPORT("wfi_primask.slept", woke - start);
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, 0);   /* stop, keep the pended tick */
    cpu_irq_enable();
    cpu_sync();
    REPORT("wfi_primask.ran_after", ticks);
}

/* SLEEPONEXIT: after each handler the core sleeps again without running thread code,
 * until the handler clears the bit. */
static void check_sleep_on_exit(void)
{
    uint32_t thread_wakeups = 0;
    ticks = 0;
    sleep_on_exit_until = SLEEP_ON_EXIT_TICKS;
    mmio_set_bits(CSR_SCS_SCR_ADDR, CSR_SCS_SCR_SLEEPONEXIT_MASK);
    systick_start(SYSTICK_PERIOD, 1);
    while (ticks < SLEEP_ON_EXIT_TICKS) {
        thread_wakeups++;
        cpu_wfi();
    }
    systick_stop();
    sleep_on_exit_until = 0;
    REPORT("sleep_on_exit.until", SLEEP_ON_EXIT_TICKS);
    REPORT("sleep_on_exit.ticks", ticks);
    REPORT("sleep_on_exit.thread_wakeups", thread_wakeups);
}

static void check_dwt_identity(void)
{
    uint32_t counts[6];
    static const char *const names[6] = {"cyccnt", "cpicnt", "exccnt", "sleepcnt", "lsucnt", "foldcnt"};
    ticks = 0;
    cpu_irq_disable();
    systick_start(WINDOW_SYSTICK_PERIOD, 1);
    dwt_window(counts, CSR_DWT_CYCCNT_ADDR, CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_NMIPENDSET_MASK);
    systick_stop();
    cpu_irq_enable();
    char key[24];
    for (unsigned i = 0; i < 6u; i++) {
        snprintf(key, sizeof key, "dwt.%s", names[i]);
        REPORT(key, counts[i]);
    }
}

static void check_trng(void)
{
    REPORT("trng.id", mmio_read32(CSR_TRNG_ID_ADDR));
    mmio_write32(CSR_TRNG_CTRL_ADDR, CSR_TRNG_CTRL_ENABLE_MASK);
    char key[16];
    for (uint32_t i = 0; i < TRNG_WORDS; i++) {
        uint32_t polls = 0;
        while (!(mmio_read32(CSR_TRNG_STATUS_ADDR) & CSR_TRNG_STATUS_READY_MASK))
            polls++;
        snprintf(key, sizeof key, "trng.word%lu", (unsigned long)i);
        REPORT(key, mmio_read32(CSR_TRNG_DATA_ADDR));
        snprintf(key, sizeof key, "trng.polls%lu", (unsigned long)i);
        REPORT(key, polls);
    }
    REPORT("trng.latency", mmio_read32(CSR_TRNG_LATENCY_ADDR));
}

int main(void)
{
    dwt_all_counters_on();
    check_systick_periods();
    check_timer_wakeup();
    check_wfi_with_primask();
    check_sleep_on_exit();
    check_dwt_identity();
    check_trng();
    return 0;
}
