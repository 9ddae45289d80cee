/* Hostile probes (issue 8): one scenario per thing a broken or malicious firmware does.
 * Each runs under tlscosim and QEMU mps2-an386; where the architecture defines the
 * outcome the tests require the same UART output and exit status. Faults end in the
 * startup code's default handler (fatal.c), which reports the exception, PC, CFSR and
 * HFSR and exits with 128 + the exception number. */
#include <stdint.h>
#include <stdio.h>

#include "../common/testfw.h"
#include "board.h"
#include "mmio.h"
#include "semihosting.h"

DEFINE_TEST_SCENARIO("none");

/* An address no memory or device decodes on either board (ARMv7-M: external device
   space, nothing there on MPS2). */
#define UNMAPPED_ADDR 0xA0000000u

static void vtor_unmapped_svc(void)
{
    mmio_write32(CSR_SCS_VTOR_ADDR, UNMAPPED_ADDR);
    __asm volatile("svc #0" ::: "memory");
}

static void branch_to(uint32_t target)
{
    __asm volatile("bx %0" :: "r"(target) : "memory");
}

static void blx_to(uint32_t target)
{
    __asm volatile("blx %0" :: "r"(target) : "memory", "lr");
}

static void yield_hints(void)
{
    /* Hints (ARMv7-M A7.7.263 YIELD, A7.7.129 SEV, A7.7.88 NOP): no effect. */
    __asm volatile("yield\n yield.w\n sev\n nop\n nop.w" ::: "memory");
    printf("hints: still running\n");
}

static volatile uint32_t sink;

/* Recursion until the stack leaves RAM (bounded only by `limit`, which the caller sets
   far beyond the RAM size). */
static void __attribute__((noinline)) recurse(uint32_t depth, uint32_t limit)
{
    volatile uint32_t frame[64];
    frame[depth % 64] = depth;
    if (depth < limit)
        recurse(depth + 1, limit);
    sink = frame[0];
}

static void write_to_code(void)
{
    extern const uint32_t test_scenario_word __asm__("test_scenario");
    volatile uint32_t *code = (volatile uint32_t *)&test_scenario_word;
    *code = 0x12345678u;
    printf("code write: %s\n", *code == 0x12345678u ? "stored" : "ignored");
}

static uint32_t words[4] = {1, 2, 3, 4};

static void unaligned_device_read(void)
{
    /* A word read one byte into the UART's DATA register. */
    uint32_t value = *(volatile uint32_t *)(CSR_UART0_DATA_ADDR + 1u);
    printf("unaligned device read: done (0x%08lx)\n", (unsigned long)(value & 0));
}

static void unaligned_ldm(void)
{
    /* LDM faults on an unaligned address whatever CCR.UNALIGN_TRP says (A3.2.1). */
    uint32_t a, b;
    const uint8_t *p = (const uint8_t *)words + 2;
    __asm volatile("ldm %2, {%0, %1}" : "=r"(a), "=r"(b) : "r"(p) : "memory");
    printf("unaligned ldm: 0x%08lx 0x%08lx\n", (unsigned long)a, (unsigned long)b);
}

static void unaligned_ldrd_in_it_block(int taken)
{
    /* LDRD needs word alignment too; inside an IT block it faults only when it executes. */
    uint32_t a = 0, b = 0;
    const uint8_t *p = (const uint8_t *)words + 2;
    __asm volatile("cmp %3, #0\n it ne\n ldrdne %0, %1, [%2]" : "+r"(a), "+r"(b) : "r"(p), "r"(taken) : "cc", "memory");
    printf("unaligned ldrd (%s): 0x%08lx 0x%08lx\n", taken ? "taken" : "skipped", (unsigned long)a, (unsigned long)b);
}

static void unaligned_ldr(void)
{
    /* A plain LDR may be unaligned (CCR.UNALIGN_TRP is clear at reset). */
    uint32_t value;
    const uint8_t *p = (const uint8_t *)words + 2;
    __asm volatile("ldr %0, [%1]" : "=r"(value) : "r"(p) : "memory");
    printf("unaligned ldr: 0x%08lx\n", (unsigned long)value);
}

static void scs_garbage(void)
{
    /* Reserved and read-only System Control Space words, written with garbage. */
    mmio_write32(CSR_SCS_CPUID_ADDR, 0xFFFFFFFFu);
    printf("cpuid after write: 0x%08lx\n", (unsigned long)mmio_read32(CSR_SCS_CPUID_ADDR));
}

int main(void)
{
    printf("scenario %s\n", (const char *)test_scenario);
    if (scenario_is("vtor-unmapped-svc"))
        vtor_unmapped_svc();
    else if (scenario_is("blx-fffffff0"))
        blx_to(0xFFFFFFF0u);
    else if (scenario_is("bx-fffffff1"))
        branch_to(0xFFFFFFF1u);
    else if (scenario_is("bx-fffffff9"))
        branch_to(0xFFFFFFF9u);
    else if (scenario_is("hints"))
        yield_hints();
    else if (scenario_is("stack-overflow"))
        recurse(0, UINT32_MAX);
    else if (scenario_is("write-code"))
        write_to_code();
    else if (scenario_is("unaligned-device"))
        unaligned_device_read();
    else if (scenario_is("unaligned-ldm"))
        unaligned_ldm();
    else if (scenario_is("unaligned-ldrd"))
        unaligned_ldrd_in_it_block(1);
    else if (scenario_is("unaligned-ldrd-skipped"))
        unaligned_ldrd_in_it_block(0);
    else if (scenario_is("unaligned-ldr"))
        unaligned_ldr();
    else if (scenario_is("scs-garbage"))
        scs_garbage();
    else if (scenario_is("garbage"))
        __asm volatile(".inst.w 0xffffffff" ::: "memory");   /* no decoder knows it: undefined */
    else if (scenario_is("wfi-masked")) {
        __asm volatile("cpsid i\n wfi" ::: "memory");
        printf("wfi-masked: woke\n");
    } else if (scenario_is("spin-masked")) {
        __asm volatile("cpsid i\n 1: b 1b" ::: "memory");
    }
    printf("returned\n");
    return 0;
}
