/* FPU microbenchmarks for the cycle model (tests/fpu/test_fpu_timing.py): each sequence
 * runs between two reads of a DWT counter and prints
 *     fb <name> <counter> <value>
 * on UART0. The frame around a sequence is the same for all, and "empty" measures it
 * alone, so value(name) - value(empty) is the sequence's cost. Like tests/timing's
 * tbench: the first read post-increments its base (the simulator finds the instruction
 * making a device access by its address), an integer fence keeps the sequence from
 * pipelining behind the read, and each benchmark is aligned so that it stays in one
 * translated block. Built for a board with an FPU (hard-float). */
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "mmio.h"

#define BENCHES(X) X(empty) X(vadd_independent) X(vadd_chain) X(vmul_then_vstr) X(vmla) X(vfma) \
    X(vdiv) X(vsqrt) X(vldr_single) X(vldr_double) X(vstr_single) X(vldm8) X(vstm8) X(vpush_vpop_d4) \
    X(vmov_core_single) X(vmov_two_core) X(vmov_imm) X(vcvt) X(vmrs_vmsr) X(vcmp_vmrs)

#define DECLARE(name) uint32_t fb_##name(uint32_t counter, uint32_t *buffer);
BENCHES(DECLARE)

__asm__(
    "    .syntax unified\n"
    "    .thumb\n"
    "    .fpu fpv4-sp-d16\n"
    "    .macro BENCH name\n"
    "    .section .text.fb_\\name, \"ax\", %progbits\n"
    "    .balign 256\n"
    "    .global fb_\\name\n"
    "    .type fb_\\name, %function\n"
    "    .thumb_func\n"
    "fb_\\name:\n"
    "    push {r4-r11, lr}\n"
    "    vpush {s16-s31}\n"
    "    mov r12, r0\n"
    "    mov r3, r1\n"
    "    movs r0, #0\n"
    "    movs r1, #1\n"
    "    vmov s0, s1, r0, r1\n"
    "    vmov s2, s3, r0, r1\n"
    "    vmov s4, s5, r0, r1\n"
    "    vmov s6, s7, r0, r1\n"
    "    .balign 4\n"
    "    ldr.w r11, [r12], #4\n"
    "    mov.w r8, r8\n"
    "    .endm\n"
    "    .macro END\n"
    "    mov.w r8, r8\n"
    "    ldr.w r0, [r12, #-4]\n"
    "    subs r0, r0, r11\n"
    "    vpop {s16-s31}\n"
    "    pop {r4-r11, pc}\n"
    "    .endm\n"
    "BENCH empty\n END\n"
    /* four independent additions: no result used by the next instruction */
    "BENCH vadd_independent\n"
    "    vadd.f32 s8, s0, s1\n vadd.f32 s9, s2, s3\n vadd.f32 s10, s4, s5\n vadd.f32 s11, s6, s7\n"
    " END\n"
    /* four additions, each using the result of the one before */
    "BENCH vadd_chain\n"
    "    vadd.f32 s8, s0, s1\n vadd.f32 s8, s8, s1\n vadd.f32 s8, s8, s1\n vadd.f32 s8, s8, s1\n"
    " END\n"
    "BENCH vmul_then_vstr\n"
    "    vmul.f32 s8, s0, s1\n vstr s8, [r3]\n"
    " END\n"
    "BENCH vmla\n"
    "    vmla.f32 s8, s0, s1\n vmla.f32 s9, s2, s3\n"
    " END\n"
    "BENCH vfma\n"
    "    vfma.f32 s8, s0, s1\n vfma.f32 s9, s2, s3\n"
    " END\n"
    "BENCH vdiv\n"
    "    vdiv.f32 s8, s1, s1\n"
    " END\n"
    "BENCH vsqrt\n"
    "    vsqrt.f32 s8, s1\n"
    " END\n"
    "BENCH vldr_single\n"
    "    vldr s8, [r3]\n vldr s9, [r3, #4]\n vldr s10, [r3, #8]\n vldr s11, [r3, #12]\n"
    " END\n"
    "BENCH vldr_double\n"
    "    vldr d4, [r3]\n vldr d5, [r3, #8]\n"
    " END\n"
    "BENCH vstr_single\n"
    "    vstr s0, [r3]\n vstr s1, [r3, #4]\n vstr s2, [r3, #8]\n vstr s3, [r3, #12]\n"
    " END\n"
    "BENCH vldm8\n"
    "    vldmia r3, {s8-s15}\n"
    " END\n"
    "BENCH vstm8\n"
    "    vstmia r3, {s0-s7}\n"
    " END\n"
    "BENCH vpush_vpop_d4\n"
    "    vpush {d0-d3}\n vpop {d0-d3}\n"
    " END\n"
    "BENCH vmov_core_single\n"
    "    vmov s8, r0\n vmov r4, s1\n vmov s9, r1\n vmov r5, s2\n"
    " END\n"
    "BENCH vmov_two_core\n"
    "    vmov s8, s9, r0, r1\n vmov r4, r5, s2, s3\n vmov d6, r0, r1\n vmov r6, r7, d1\n"
    " END\n"
    "BENCH vmov_imm\n"
    "    vmov.f32 s8, #1.0\n vmov.f32 s9, s2\n"
    " END\n"
    "BENCH vcvt\n"
    "    vcvt.s32.f32 s8, s0\n vcvt.f32.s32 s9, s1\n vcvt.s32.f32 s10, s2\n vcvt.f32.u32 s11, s3\n"
    " END\n"
    "BENCH vmrs_vmsr\n"
    "    vmrs r4, fpscr\n vmsr fpscr, r4\n"
    " END\n"
    "BENCH vcmp_vmrs\n"
    "    vcmp.f32 s0, s1\n vmrs APSR_nzcv, fpscr\n"
    " END\n");

static uint32_t buffer[16] __attribute__((aligned(8)));

/* Exception overhead with FP context: PendSV, whose handler uses the FPU or not, taken
 * from thread code with or without an FP context, lazy stacking on or off; EXCCNT
 * counts entry and return. */
volatile uint32_t handler_uses_fp;
void fp_touch(void);
__asm__(
    "    .syntax unified\n"
    "    .thumb\n"
    "    .fpu fpv4-sp-d16\n"
    "    .text\n"
    "    .global PendSV_Handler, fp_touch\n"
    "    .type PendSV_Handler, %function\n"
    "    .thumb_func\n"
    "PendSV_Handler:\n"
    "    ldr r0, =handler_uses_fp\n"
    "    ldr r0, [r0]\n"
    "    cbz r0, 1f\n"
    "    vmov s0, r0\n"
    "1:  bx lr\n"
    "    .thumb_func\n"
    "fp_touch:\n"
    "    vmov s1, r0\n"
    "    bx lr\n"
    "    .ltorg\n");

static uint32_t exception_cycles(const char *name, int fp_context, int lazy, int uses_fp)
{
    uint32_t fpccr = mmio_read32(CSR_SCS_FPCCR_ADDR) & ~CSR_SCS_FPCCR_LSPEN_MASK;
    mmio_write32(CSR_SCS_FPCCR_ADDR, fpccr | (lazy ? CSR_SCS_FPCCR_LSPEN_MASK : 0));
    handler_uses_fp = uses_fp;
    if (fp_context)
        fp_touch();                 /* CONTROL.FPCA = 1: the thread has FP context */
    uint32_t before = mmio_read32(CSR_DWT_EXCCNT_ADDR);
    mmio_write32(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK);
    __asm volatile("dsb\n\tisb" ::: "memory");
    uint32_t cycles = (mmio_read32(CSR_DWT_EXCCNT_ADDR) - before) & 0xFF;
    printf("fe %s EXCCNT %lu\n", name, (unsigned long)cycles);
    return cycles;
}

struct counter {
    const char *name;
    uint32_t address;
};

static const struct counter counters[] = {
    {"CYCCNT", CSR_DWT_CYCCNT_ADDR},
    {"CPICNT", CSR_DWT_CPICNT_ADDR},
    {"LSUCNT", CSR_DWT_LSUCNT_ADDR},
};

int main(void)
{
    mmio_set_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
    mmio_write32(CSR_DWT_CTRL_ADDR, CSR_DWT_CTRL_CYCCNTENA_MASK | CSR_DWT_CTRL_CPIEVTENA_MASK
                                        | CSR_DWT_CTRL_LSUEVTENA_MASK | CSR_DWT_CTRL_EXCEVTENA_MASK);
    /* First, before any FP instruction runs in thread mode (no FP context yet). */
    exception_cycles("basic", 0, 1, 0);
    exception_cycles("fp_lazy_unused", 1, 1, 0);
    exception_cycles("fp_lazy_used", 1, 1, 1);
    exception_cycles("fp_eager_unused", 1, 0, 0);
    exception_cycles("fp_eager_used", 1, 0, 1);
#define RUN(bench)                                                                        \
    for (unsigned i = 0; i < sizeof counters / sizeof counters[0]; i++)                  \
        printf("fb %s %s %lu\n", #bench, counters[i].name,                               \
               (unsigned long)fb_##bench(counters[i].address, buffer));
    BENCHES(RUN)
    printf("fb done\n");
    return 0;
}
