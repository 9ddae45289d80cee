/* The FP extension as firmware sees it, one line per check on UART0 (tests/fpu):
 *
 *   nocp ...   an FP instruction with CPACR.CP10/CP11 = 0 is a UsageFault NOCP, taken at
 *              that instruction after the ones before it ran (every board)
 *   ctx ...    FP context across an exception: thread code holds S0-S15, PendSV
 *              interrupts it, with lazy stacking on or off, the handler using the FPU or
 *              not; EXC_RETURN, the frame's size, FPCCR.LSPACT/FPCAR and the registers
 *              the thread gets back (boards with an FPU)
 *   nested ... an FPU-using interrupt preempting an FPU-using handler
 *   math ...   bit patterns of FP results (divide, square root, fused multiply-add,
 *              conversions)
 *
 * The FP code is assembly (`.fpu` directive), so the app builds soft-float too: on a
 * board without an FPU only the nocp line runs. */
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "cpu.h"
#include "fatal.h"
#include "mmio.h"
#include "nvic.h"
#include "scb.h"

#define CPACR_FULL (CSR_SCS_CPACR_CP10_MASK | CSR_SCS_CPACR_CP11_MASK)
#define THREAD_PATTERN 0x3f800000u     /* 1.0f, then the next 15 bit patterns */
#define PENDSV_PATTERN 0x40000000u
#define IRQ_PATTERN 0xc0000000u
#define FP_REGS 16

void nocp_probe_insn(void);
uint32_t nocp_probe(void);
void fp_fill(uint32_t first);
void fp_store(uint32_t *out);
void pend_pendsv_recording_sp(uint32_t icsr, uint32_t pendsvset, volatile uint32_t *sp_out);
uint32_t fp_div(uint32_t a, uint32_t b);
uint32_t fp_sqrt(uint32_t a);
uint32_t fp_fma(uint32_t acc, uint32_t a, uint32_t b);
uint32_t fp_to_int(uint32_t a);
uint32_t fp_from_int(uint32_t i);

__asm__(
    "    .syntax unified\n"
    "    .thumb\n"
    "    .fpu fpv4-sp-d16\n"
    "    .text\n"
    "    .global nocp_probe, nocp_probe_insn\n"
    "    .type nocp_probe, %function\n"
    "    .thumb_func\n"
    "nocp_probe:\n"
    "    movs r0, #5\n"
    "    .thumb_func\n"
    "nocp_probe_insn:\n"
    "    vmov s0, r0\n"
    "    adds r0, #1\n"
    "    bx lr\n"
    "    .global fp_fill\n"
    "    .type fp_fill, %function\n"
    "    .thumb_func\n"
    "fp_fill:\n"
    "    vmov s0, r0\n  adds r0, #1\n    vmov s1, r0\n  adds r0, #1\n"
    "    vmov s2, r0\n  adds r0, #1\n    vmov s3, r0\n  adds r0, #1\n"
    "    vmov s4, r0\n  adds r0, #1\n    vmov s5, r0\n  adds r0, #1\n"
    "    vmov s6, r0\n  adds r0, #1\n    vmov s7, r0\n  adds r0, #1\n"
    "    vmov s8, r0\n  adds r0, #1\n    vmov s9, r0\n  adds r0, #1\n"
    "    vmov s10, r0\n adds r0, #1\n    vmov s11, r0\n adds r0, #1\n"
    "    vmov s12, r0\n adds r0, #1\n    vmov s13, r0\n adds r0, #1\n"
    "    vmov s14, r0\n adds r0, #1\n    vmov s15, r0\n"
    "    bx lr\n"
    "    .global fp_store\n"
    "    .type fp_store, %function\n"
    "    .thumb_func\n"
    "fp_store:\n"
    "    vstmia r0, {s0-s15}\n"
    "    bx lr\n"
    "    .global pend_pendsv_recording_sp\n"
    "    .type pend_pendsv_recording_sp, %function\n"
    "    .thumb_func\n"
    "pend_pendsv_recording_sp:\n"        /* (ICSR address, PENDSVSET, where SP goes) */
    "    mov r3, sp\n"
    "    str r3, [r2]\n"
    "    str r1, [r0]\n"
    "    dsb\n"
    "    isb\n"
    "    bx lr\n"
    "    .global fp_div, fp_sqrt, fp_fma, fp_to_int, fp_from_int\n"
    "    .thumb_func\n"
    "fp_div:\n"
    "    vmov s0, r0\n    vmov s1, r1\n    vdiv.f32 s2, s0, s1\n    vmov r0, s2\n    bx lr\n"
    "    .thumb_func\n"
    "fp_sqrt:\n"
    "    vmov s0, r0\n    vsqrt.f32 s1, s0\n    vmov r0, s1\n    bx lr\n"
    "    .thumb_func\n"
    "fp_fma:\n"
    "    vmov s0, r0\n    vmov s1, r1\n    vmov s2, r2\n    vfma.f32 s0, s1, s2\n    vmov r0, s0\n    bx lr\n"
    "    .thumb_func\n"
    "fp_to_int:\n"
    "    vmov s0, r0\n    vcvt.s32.f32 s0, s0\n    vmov r0, s0\n    bx lr\n"
    "    .thumb_func\n"
    "fp_from_int:\n"
    "    vmov s0, r0\n    vcvt.f32.s32 s0, s0\n    vmov r0, s0\n    bx lr\n"
    "    .ltorg\n");

volatile uint32_t thread_sp;

/* -- NOCP ------------------------------------------------------------------------------ */

static volatile uint32_t nocp_cfsr, nocp_pc, nocp_r0, nocp_count;

void usage_fault(struct exception_frame *frame);
void usage_fault(struct exception_frame *frame)
{
    uint32_t cfsr = mmio_read32(CSR_SCS_CFSR_ADDR);
    if (!(cfsr & CSR_SCS_CFSR_NOCP_MASK))
        fatal_exception(frame);
    nocp_cfsr = cfsr;
    nocp_pc = frame->pc;
    nocp_r0 = frame->r0;
    nocp_count++;
    mmio_write32(CSR_SCS_CFSR_ADDR, CSR_SCS_CFSR_NOCP_MASK);
    frame->pc += 4;                 /* skip the FP instruction */
}
EXCEPTION_HANDLER_WITH_FRAME(UsageFault_Handler, usage_fault)

static void check_nocp(void)
{
    mmio_write32(CSR_SCS_CPACR_ADDR, 0);
    cpu_sync();
    uint32_t r0 = nocp_probe();
    printf("nocp faults=%lu cfsr=%08lx at_insn=%d r0_at_fault=%lu r0_after=%lu\n",
           (unsigned long)nocp_count, (unsigned long)nocp_cfsr,
           nocp_pc == ((uint32_t)nocp_probe_insn & ~1u), (unsigned long)nocp_r0, (unsigned long)r0);
}

/* -- FP context across exceptions ---------------------------------------------------------- */

static volatile int handler_uses_fp, handler_nests;
static volatile uint32_t seen_exc_return, seen_frame, seen_lspact_entry, seen_lspact_after, seen_fpcar;
static volatile int seen_stacked_ok, nested_intact, irq_ran;

static int fp_regs_are(uint32_t first)
{
    uint32_t regs[FP_REGS];
    fp_store(regs);
    for (int i = 0; i < FP_REGS; i++)
        if (regs[i] != first + (uint32_t)i)
            return 0;
    return 1;
}

static int frame_holds(const uint32_t *frame, uint32_t first)
{
    for (int i = 0; i < FP_REGS; i++)
        if (frame[8 + i] != first + (uint32_t)i)
            return 0;
    return 1;
}

static uint32_t lspact(void)
{
    return mmio_read32(CSR_SCS_FPCCR_ADDR) & CSR_SCS_FPCCR_LSPACT_MASK;
}

void pendsv_c(uint32_t *frame, uint32_t exc_return)
{
    seen_frame = (uint32_t)frame;
    seen_exc_return = exc_return;
    seen_lspact_entry = lspact();
    seen_fpcar = mmio_read32(CSR_SCS_FPCAR_ADDR);
    if (handler_uses_fp) {
        fp_fill(PENDSV_PATTERN);
        seen_stacked_ok = frame_holds(frame, THREAD_PATTERN);
        if (handler_nests) {
            nvic_trigger(BOARD_IRQ_SPARE);
            cpu_sync();
            nested_intact = fp_regs_are(PENDSV_PATTERN);
        }
    }
    seen_lspact_after = lspact();
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile("mov r0, sp\n\t"
                   "mov r1, lr\n\t"
                   "push {r4, lr}\n\t"
                   "bl pendsv_c\n\t"
                   "pop {r4, pc}\n\t");
}

void BOARD_IRQ_SPARE_HANDLER(void)
{
    fp_fill(IRQ_PATTERN);
    irq_ran++;
}

static void check_context(int lazy, int uses_fp, int nests)
{
    uint32_t fpccr = mmio_read32(CSR_SCS_FPCCR_ADDR);
    if (lazy)
        fpccr |= CSR_SCS_FPCCR_LSPEN_MASK;
    else
        fpccr &= ~CSR_SCS_FPCCR_LSPEN_MASK;
    mmio_write32(CSR_SCS_FPCCR_ADDR, fpccr);
    handler_uses_fp = uses_fp;
    handler_nests = nests;
    seen_stacked_ok = nested_intact = -1;
    fp_fill(THREAD_PATTERN);
    pend_pendsv_recording_sp(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK, &thread_sp);
    int intact = fp_regs_are(THREAD_PATTERN);
    printf("ctx lazy=%d handler_fp=%d intact=%d exc_return=%08lx frame_bytes=%lu lspact_entry=%d "
           "lspact_after=%d fpcar_off=%ld stacked_ok=%d lspact_now=%d\n",
           lazy, uses_fp, intact, (unsigned long)seen_exc_return,
           (unsigned long)(thread_sp - seen_frame), seen_lspact_entry != 0, seen_lspact_after != 0,
           lazy ? (long)(seen_fpcar - seen_frame) : -1L, seen_stacked_ok, lspact() != 0);
    if (nests)
        printf("nested irq_ran=%d handler_intact=%d thread_intact=%d\n", irq_ran, nested_intact, intact);
}

/* -- results ---------------------------------------------------------------------------------- */

static void check_math(void)
{
    static const uint32_t operands[][2] = {
        {0x40490fdbu, 0x402df854u},   /* pi, e */
        {0x3f800000u, 0x40400000u},   /* 1, 3 */
        {0xc2f6e979u, 0x3e2aaaabu},   /* -123.456, 1/6 */
        {0x7f7fffffu, 0x00800000u},   /* FLT_MAX, FLT_MIN */
        {0x00000000u, 0x00000000u},   /* 0/0: the default NaN */
    };
    for (unsigned i = 0; i < sizeof operands / sizeof operands[0]; i++) {
        uint32_t a = operands[i][0], b = operands[i][1];
        printf("math %08lx %08lx div=%08lx sqrt=%08lx fma=%08lx int=%08lx float=%08lx\n",
               (unsigned long)a, (unsigned long)b, (unsigned long)fp_div(a, b),
               (unsigned long)fp_sqrt(a), (unsigned long)fp_fma(a, a, b),
               (unsigned long)fp_to_int(a), (unsigned long)fp_from_int(b));
    }
}

int main(void)
{
    scb_enable_usage_fault(1);
    check_nocp();
    if (mmio_read32(CSR_SCS_MVFR0_ADDR) == 0) {
        printf("fpu absent\n");
        return 0;
    }
    mmio_write32(CSR_SCS_CPACR_ADDR, CPACR_FULL);
    cpu_sync();
    scb_set_priority(EXC_PENDSV, NVIC_PRIORITY_LOWEST);
    nvic_set_priority(BOARD_IRQ_SPARE, 1);
    nvic_enable(BOARD_IRQ_SPARE);
    for (int lazy = 1; lazy >= 0; lazy--)
        for (int uses_fp = 0; uses_fp <= 1; uses_fp++)
            check_context(lazy, uses_fp, 0);
    check_context(1, 1, 1);
    check_context(0, 1, 1);
    check_math();
    printf("fpucheck done\n");
    return 0;
}
