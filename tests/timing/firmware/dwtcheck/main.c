/* DWT counter semantics (ARMv7-M ARM C1.8) and the common clock of CYCCNT, SysTick and
 * the CMSDK timer, measured on the board. Prints one line per measurement,
 *     dwt <check> <value> ...
 * and tests/timing/test_dwt_counters.py checks the values (some against what the
 * simulator counted at the same instructions). Sequences whose exact cost matters are
 * inline assembly; addresses and offsets come from board.h. */
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "systick.h"

#define DWT_ALL_EVENTS                                                                             \
    (CSR_DWT_CTRL_CPIEVTENA_MASK | CSR_DWT_CTRL_EXCEVTENA_MASK | CSR_DWT_CTRL_SLEEPEVTENA_MASK      \
     | CSR_DWT_CTRL_LSUEVTENA_MASK | CSR_DWT_CTRL_FOLDEVTENA_MASK)
#define DWT_ALL (CSR_DWT_CTRL_CYCCNTENA_MASK | DWT_ALL_EVENTS)

/* The six counters, in the order they are printed. */
static const uint32_t counter_addr[6] = {
    CSR_DWT_CYCCNT_ADDR, CSR_DWT_CPICNT_ADDR, CSR_DWT_EXCCNT_ADDR,
    CSR_DWT_SLEEPCNT_ADDR, CSR_DWT_LSUCNT_ADDR, CSR_DWT_FOLDCNT_ADDR,
};

static volatile uint32_t systick_count;
static volatile uint32_t pendsv_count;
#define TICK_LOG 8
static volatile uint32_t tick_cycles[TICK_LOG];
static volatile int log_ticks;

void SysTick_Handler(void)
{
    uint32_t now = mmio_read32(CSR_DWT_CYCCNT_ADDR);
    if (log_ticks && systick_count < TICK_LOG)
        tick_cycles[systick_count] = now;
    systick_count++;
}

void PendSV_Handler(void)
{
    pendsv_count++;
}

static void trace_enable(int on)
{
    if (on)
        mmio_set_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
    else
        mmio_clear_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
}

/* All six counters, read with interrupts masked so that none is taken in between (the
 * same instructions at every call: the windows of the six counters have equal lengths). */
__attribute__((noinline)) static void snapshot(uint32_t out[6])
{
    cpu_irq_disable();
    for (int i = 0; i < 6; i++)
        out[i] = mmio_read32(counter_addr[i]);
    cpu_irq_enable();
}

static void print_snapshot(const char *check, const uint32_t s[6])
{
    printf("dwt %s %lu %lu %lu %lu %lu %lu\n", check, (unsigned long)s[0], (unsigned long)s[1],
           (unsigned long)s[2], (unsigned long)s[3], (unsigned long)s[4], (unsigned long)s[5]);
}

/* A little of everything the counters count: loads and stores (LSU), divides and taken
 * branches (CPI), IT blocks (folding), an exception (PendSV) and sleep (WFI until a
 * SysTick interrupt). */
static uint32_t buffer[64];

__attribute__((noinline)) static uint32_t compute(uint32_t seed, int rounds)
{
    uint32_t acc = seed;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < 64; i++) {
            buffer[i] = buffer[(i * 7) & 63] ^ (acc + (uint32_t)i);
            acc = acc * 1664525u + 1013904223u;
            acc += buffer[i] / ((uint32_t)i + 3u);
            acc = (int32_t)acc < 0 ? acc >> 3 : acc << 1; /* an IT block */
        }
    }
    return acc;
}

static void sleep_one_tick(uint32_t period)
{
    systick_start(period, 1);
    uint32_t before = systick_count;
    while (systick_count == before)
        cpu_wfi();
    systick_stop();
}

__attribute__((noinline)) static uint32_t work(uint32_t seed)
{
    uint32_t acc = compute(seed, 2);
    mmio_write32(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK);
    cpu_sync();
    sleep_one_tick(700);
    return acc + compute(acc, 1);
}

/* 1. Counting needs DEMCR.TRCENA and the counter's own enable bit. */
static void check_gating(void)
{
    static const struct {
        const char *name;
        uint32_t ctrl;
    } cases[] = {
        {"trcena_off", DWT_ALL},
        {"only_cyccnt", CSR_DWT_CTRL_CYCCNTENA_MASK},
        {"only_cpi", CSR_DWT_CTRL_CPIEVTENA_MASK},
        {"only_exc", CSR_DWT_CTRL_EXCEVTENA_MASK},
        {"only_sleep", CSR_DWT_CTRL_SLEEPEVTENA_MASK},
        {"only_lsu", CSR_DWT_CTRL_LSUEVTENA_MASK},
        {"only_fold", CSR_DWT_CTRL_FOLDEVTENA_MASK},
        {"none", 0},
    };
    uint32_t seed = 1;
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t before[6], after[6];
        trace_enable(1);
        mmio_write32(CSR_DWT_CTRL_ADDR, cases[c].ctrl);
        trace_enable(c != 0);
        snapshot(before);
        seed = work(seed);
        snapshot(after);
        char name[48];
        snprintf(name, sizeof name, "gate_%s_before", cases[c].name);
        print_snapshot(name, before);
        snprintf(name, sizeof name, "gate_%s_after", cases[c].name);
        print_snapshot(name, after);
    }
    trace_enable(1);
}

/* 2. ARMv7-M ARM C1.8: each event counter is set to zero when its enable bit goes from 0
 * to 1. The counters are first written with 0x55 while disabled. After the enabling store
 * (2 cycles, 1 of them LSU) and the load of CPICNT (2 cycles, 1 LSU; the next loads
 * pipeline behind it), the expected values are CPI 0, EXC 0, SLEEP 0, LSU 2, FOLD 0. */
static void check_enable_clears(void)
{
    mmio_write32(CSR_DWT_CTRL_ADDR, CSR_DWT_CTRL_CYCCNTENA_MASK);
    for (int i = 1; i < 6; i++)
        mmio_write32(counter_addr[i], 0x55);
    uint32_t cpi, exc, slp, lsu, fold;
    __asm volatile("nop\n\t"
                   "str %[en], [%[base], %[o_ctrl]]\n\t"
                   "ldr %[cpi], [%[base], %[o_cpi]]\n\t"
                   "ldr %[exc], [%[base], %[o_exc]]\n\t"
                   "ldr %[slp], [%[base], %[o_slp]]\n\t"
                   "ldr %[lsu], [%[base], %[o_lsu]]\n\t"
                   "ldr %[fold], [%[base], %[o_fold]]\n\t"
                   : [cpi] "=&r"(cpi), [exc] "=&r"(exc), [slp] "=&r"(slp), [lsu] "=&r"(lsu), [fold] "=&r"(fold)
                   : [base] "r"(CSR_DWT_BASE), [en] "r"(DWT_ALL), [o_ctrl] "n"(CSR_DWT_CTRL_OFFSET),
                     [o_cpi] "n"(CSR_DWT_CPICNT_OFFSET), [o_exc] "n"(CSR_DWT_EXCCNT_OFFSET),
                     [o_slp] "n"(CSR_DWT_SLEEPCNT_OFFSET), [o_lsu] "n"(CSR_DWT_LSUCNT_OFFSET),
                     [o_fold] "n"(CSR_DWT_FOLDCNT_OFFSET)
                   : "memory");
    printf("dwt enable_clears %lu %lu %lu %lu %lu\n", (unsigned long)cpi, (unsigned long)exc,
           (unsigned long)slp, (unsigned long)lsu, (unsigned long)fold);
}

/* 3. Writes set the value; the 8-bit counters keep 8 bits and wrap; CYCCNT wraps at 2^32. */
static void check_writes(void)
{
    /* Disabled counters keep what was written (bits above the counter's width read 0). */
    mmio_write32(CSR_DWT_CTRL_ADDR, 0);
    mmio_write32(CSR_DWT_CYCCNT_ADDR, 0x12345678u);
    mmio_write32(CSR_DWT_FOLDCNT_ADDR, 0x1abu);
    mmio_write32(CSR_DWT_CPICNT_ADDR, 0x3cdu);
    printf("dwt write_disabled %lu %lu %lu\n", (unsigned long)mmio_read32(CSR_DWT_CYCCNT_ADDR),
           (unsigned long)mmio_read32(CSR_DWT_FOLDCNT_ADDR), (unsigned long)mmio_read32(CSR_DWT_CPICNT_ADDR));

    mmio_write32(CSR_DWT_CTRL_ADDR, DWT_ALL);
    /* CYCCNT = 0xfffffffc, then the store (2 cycles) and eight ADDs (1 each): the read sees
     * 0xfffffffc + 10, wrapped. */
    uint32_t cyc, value = 0xfffffffcu;
    __asm volatile("nop\n\t"
                   "str %[v], [%[a]]\n\t"
                   ".rept 8\n\t"
                   "add %[v], %[v], #0\n\t"
                   ".endr\n\t"
                   "ldr %[out], [%[a]]\n\t"
                   : [out] "=&r"(cyc), [v] "+r"(value)
                   : [a] "r"(CSR_DWT_CYCCNT_ADDR)
                   : "memory");
    printf("dwt write_cyccnt_wrap %lu\n", (unsigned long)cyc);

    /* LSUCNT = 0xfe, then the store (1 extra cycle) and an LDM of four registers (4 extra
     * cycles, TRM 1+N): the read sees (0xfe + 5) mod 256 = 3. */
    uint32_t lsu;
    __asm volatile("nop\n\t"
                   "str %[v], [%[a]]\n\t"
                   "ldm %[p], {r0-r3}\n\t"
                   "nop\n\t"
                   "ldr %[out], [%[a]]\n\t"
                   : [out] "=&r"(lsu)
                   : [a] "r"(CSR_DWT_LSUCNT_ADDR), [v] "r"(0xfeu), [p] "r"(buffer)
                   : "r0", "r1", "r2", "r3", "memory");
    printf("dwt write_lsucnt_wrap %lu\n", (unsigned long)lsu);
}

/* 3b. One instruction, two device reads: LDRD of CYCCNT and CPICNT. The CPICNT word is
 * read as the LDRD starts, like the load of CPICNT just before it (which adds no CPI
 * cycle), so both see the same value, whatever the divides after the LDRD cost. */
static void check_ldrd(void)
{
    mmio_write32(CSR_DWT_CTRL_ADDR, DWT_ALL);
    uint32_t cpi_before, cyc, cpi, scratch = 0;
    __asm volatile("nop\n\t"
                   "ldr %[c0], [%[base], %[o_cpi]]\n\t"
                   "ldrd %[y], %[c1], [%[base], %[o_cyc]]\n\t"
                   "udiv %[q], %[base], %[base]\n\t"
                   "udiv %[q], %[base], %[base]\n\t"
                   "udiv %[q], %[base], %[base]\n\t"
                   "udiv %[q], %[base], %[base]\n\t"
                   "str %[q], [%[s]]\n\t"
                   : [c0] "=&r"(cpi_before), [y] "=&r"(cyc), [c1] "=&r"(cpi), [q] "=&r"(scratch)
                   : [base] "r"(CSR_DWT_BASE), [s] "r"(&scratch), [o_cpi] "n"(CSR_DWT_CPICNT_OFFSET),
                     [o_cyc] "n"(CSR_DWT_CYCCNT_OFFSET)
                   : "memory");
    printf("dwt ldrd_pair %lu %lu\n", (unsigned long)cpi_before, (unsigned long)cpi);
}

/* 4. SysTick and the CMSDK timer count the CPU clock: over the same interval their
 * count-down equals CYCCNT's count-up. Each pair of reads is the same two instructions. */
#define READ_PAIR(counter_a, cyc_a, out_c, out_y)                                            \
    __asm volatile("nop\n\t"                                                              \
                   "ldr %[c], [%[ca]]\n\t"                                                 \
                   "ldr %[y], [%[ya]]\n\t"                                                 \
                   : [c] "=&r"(out_c), [y] "=&r"(out_y)                                    \
                   : [ca] "r"(counter_a), [ya] "r"(cyc_a)                                  \
                   : "memory")

/* Reads `counter` and CYCCNT before and after some work and prints the four values. */
static void compare_with_cyccnt(const char *name, uint32_t counter)
{
    uint32_t c0, y0, c1, y1;
    READ_PAIR(counter, CSR_DWT_CYCCNT_ADDR, c0, y0);
    compute(5, 2);
    READ_PAIR(counter, CSR_DWT_CYCCNT_ADDR, c1, y1);
    printf("dwt %s %lu %lu %lu %lu\n", name, (unsigned long)c0, (unsigned long)y0, (unsigned long)c1,
           (unsigned long)y1);
}

static void check_clock(void)
{
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, 0);
    mmio_write32(CSR_SCS_SYST_RVR_ADDR, CSR_SCS_SYST_RVR_RELOAD_MASK);
    mmio_write32(CSR_SCS_SYST_CVR_ADDR, 0);
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, CSR_SCS_SYST_CSR_ENABLE_MASK | CSR_SCS_SYST_CSR_CLKSOURCE_MASK);
    compute(3, 1); /* the counter has reloaded from 0 */
    compare_with_cyccnt("clock_systick", CSR_SCS_SYST_CVR_ADDR);
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, 0);
#ifdef CSR_TIMER0_BASE
    mmio_write32(CSR_TIMER0_CTRL_ADDR, 0);
    mmio_write32(CSR_TIMER0_RELOAD_ADDR, 0xffffffffu);
    mmio_write32(CSR_TIMER0_CTRL_ADDR, CSR_TIMER0_CTRL_EN_MASK);
    compare_with_cyccnt("clock_timer0", CSR_TIMER0_VALUE_ADDR);
    mmio_write32(CSR_TIMER0_CTRL_ADDR, 0);
#endif
}

/* 5. Periodic SysTick interrupts taken from WFI: the handler reads CYCCNT at the same
 * point every time, so successive readings are one period apart. */
#define TICK_PERIOD 3000u
static void check_tick_period(void)
{
    systick_count = 0;
    log_ticks = 1;
    systick_start(TICK_PERIOD, 1);
    while (systick_count < TICK_LOG)
        cpu_wfi();
    systick_stop();
    log_ticks = 0;
    printf("dwt tick_period %lu", (unsigned long)TICK_PERIOD);
    for (int i = 0; i < TICK_LOG; i++)
        printf(" %lu", (unsigned long)tick_cycles[i]);
    printf("\n");
}

/* 6. The ARM ARM identity over a workload with interrupts and sleep:
 * instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT. */
static void check_identity(void)
{
    uint32_t before[6], after[6];
    mmio_write32(CSR_DWT_CTRL_ADDR, DWT_ALL);
    snapshot(before);
    uint32_t exceptions = systick_count + pendsv_count;
    uint32_t acc = 9;
    for (int i = 0; i < 6; i++)
        acc = work(acc);
    systick_start(1500, 1);
    acc = compute(acc, 8);
    systick_stop();
    exceptions = systick_count + pendsv_count - exceptions;
    snapshot(after);
    print_snapshot("identity_before", before);
    print_snapshot("identity_after", after);
    printf("dwt identity_exceptions %lu %lu\n", (unsigned long)exceptions, (unsigned long)acc);
}

int main(void)
{
    check_gating();
    check_enable_clears();
    check_writes();
    check_ldrd();
    check_clock();
    check_tick_period();
    check_identity();
    printf("dwt done\n");
    return 0;
}
