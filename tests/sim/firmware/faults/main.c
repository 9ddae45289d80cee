/* Faults and what the firmware sees of them, one scenario per run (the test writes the
 * scenario's name into `test_scenario`): bus errors on data and instruction fetch,
 * undefined instructions, branches to ARM state, BKPT, a vector without the Thumb bit,
 * each taken by its own fault handler or escalated to HardFault; and the ends the
 * simulator must report: lockup, exit inside a fault handler, a handler that never
 * returns, an invalid exception return, a stacking error. The default scenario is a recovered BusFault (exit 0). */
#include <stdint.h>
#include <string.h>

#include "../common/testfw.h"
#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "nvic.h"
#include "scb.h"
#include "semihosting.h"

DEFINE_TEST_SCENARIO("busfault_read");

/* The first address after the code memory: nothing is mapped there on this board. */
#define UNMAPPED_ADDRESS (BOARD_CODE_MEM_BASE + BOARD_CODE_MEM_SIZE)
#define EXIT_CODE_IN_HANDLER 7
#define VECTOR_TABLE_ALIGN 256u
_Static_assert(VECTOR_TABLE_ALIGN >= BOARD_VECTOR_COUNT * 4u, "vector table alignment");

/* Leaf functions that fault on their first instruction, so that the stacked LR returns
 * to their caller: the handler recovers by resuming there. */
uint32_t fault_read(uint32_t address);
void fault_udf(void);
void fault_bkpt(void);
void fault_udf_with_registers(uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3);
void svc_on_stack(uint32_t msp);
__asm__(
    "    .syntax unified\n"
    "    .thumb\n"
    "    .section .text.fault_funcs, \"ax\", %progbits\n"
    "    .global fault_read\n"
    "    .type fault_read, %function\n"
    "    .thumb_func\n"
    "fault_read:\n"
    "    ldr r0, [r0]\n"
    "    bx lr\n"
    "    .size fault_read, . - fault_read\n"
    "    .global fault_udf\n"
    "    .type fault_udf, %function\n"
    "    .thumb_func\n"
    "fault_udf:\n"
    "    udf #0\n"
    "    bx lr\n"
    "    .size fault_udf, . - fault_udf\n"
    "    .global fault_bkpt\n"
    "    .type fault_bkpt, %function\n"
    "    .thumb_func\n"
    "fault_bkpt:\n"
    "    bkpt #1\n"
    "    bx lr\n"
    "    .size fault_bkpt, . - fault_bkpt\n"
    "    .global fault_udf_with_registers\n"
    "    .type fault_udf_with_registers, %function\n"
    "    .thumb_func\n"
    "fault_udf_with_registers:\n"
    "    udf #1\n"
    "    bx lr\n"
    "    .size fault_udf_with_registers, . - fault_udf_with_registers\n"
    /* SVC handler returning with a reserved EXC_RETURN value (ARMv7-M B1.5.8) */
    "    .global SVC_Handler\n"
    "    .type SVC_Handler, %function\n"
    "    .thumb_func\n"
    "SVC_Handler:\n"
    "    mvn lr, #0xa\n"                  /* 0xFFFFFFF5 */
    "    bx lr\n"
    "    .size SVC_Handler, . - SVC_Handler\n"
    "    .global svc_on_stack\n"
    "    .type svc_on_stack, %function\n"
    "    .thumb_func\n"
    "svc_on_stack:\n"
    "    msr msp, r0\n"
    "    svc #0\n"
    "    b .\n"
    "    .size svc_on_stack, . - svc_on_stack\n"
    "    .text\n");

enum action { RESUME_CALLER, RESUME, LOCK_UP, EXIT, SPIN };

static volatile enum action on_fault = RESUME_CALLER;
static volatile uint32_t faults, fault_exception, fault_cfsr, fault_hfsr, fault_bfar, fault_pc;
static volatile uint32_t spare_taken;
static uint32_t ram_vectors[BOARD_VECTOR_COUNT] __attribute__((aligned(VECTOR_TABLE_ALIGN)));
extern const uintptr_t vector_table[BOARD_VECTOR_COUNT];

void fault_entry(struct exception_frame *frame, uint32_t exc_return, uint32_t msp);
void fault_entry(struct exception_frame *frame, uint32_t exc_return, uint32_t msp)
{
    (void)exc_return;
    (void)msp;
    faults++;
    fault_exception = scb_active_exception();
    fault_cfsr = mmio_read32(CSR_SCS_CFSR_ADDR);
    fault_hfsr = mmio_read32(CSR_SCS_HFSR_ADDR);
    fault_bfar = mmio_read32(CSR_SCS_BFAR_ADDR);
    fault_pc = frame->pc;
    switch (on_fault) {
    case LOCK_UP:
        __asm volatile("udf #2" ::: "memory");
        break;
    case EXIT:
        semihosting_exit(EXIT_CODE_IN_HANDLER);
    case SPIN:
        for (;;)
            ;
    case RESUME_CALLER:
        frame->pc = frame->lr & ~1u;
        break;
    case RESUME:
        mmio_write32(CSR_SCS_VTOR_ADDR, (uint32_t)(uintptr_t)vector_table);
        break;
    }
    mmio_write32(CSR_SCS_CFSR_ADDR, fault_cfsr); /* write 1 to clear */
    mmio_write32(CSR_SCS_HFSR_ADDR, fault_hfsr);
}
HANDLER_WITH_CONTEXT(HardFault_Handler, fault_entry)
HANDLER_WITH_CONTEXT(BusFault_Handler, fault_entry)
HANDLER_WITH_CONTEXT(UsageFault_Handler, fault_entry)

void BOARD_IRQ_SPARE_HANDLER(void)
{
    spare_taken++;
}

/* A call through a pointer in a function of its own, away from any device access. */
__attribute__((noinline)) static void call_address(uintptr_t address)
{
    ((void (*)(void))address)();
}

static void enable_faults(uint32_t shcsr_mask)
{
    mmio_set_bits(CSR_SCS_SHCSR_ADDR, shcsr_mask);
}

static void scenario_vecttbl(void)
{
    memcpy(ram_vectors, vector_table, sizeof ram_vectors);
    ram_vectors[EXC_IRQ0 + BOARD_IRQ_SPARE] &= ~1u;   /* no Thumb bit */
    mmio_write32(CSR_SCS_VTOR_ADDR, (uint32_t)(uintptr_t)ram_vectors);
    cpu_sync();
    nvic_enable(BOARD_IRQ_SPARE);
    nvic_trigger(BOARD_IRQ_SPARE);
    cpu_sync();
    nvic_disable(BOARD_IRQ_SPARE);
}

int main(void)
{
    REPORT("unmapped.address", UNMAPPED_ADDRESS);
    REPORT("exit.code", EXIT_CODE_IN_HANDLER);
    if (scenario_is("busfault_read")) {
        enable_faults(CSR_SCS_SHCSR_BUSFAULTENA_MASK);
        fault_read(UNMAPPED_ADDRESS);
    } else if (scenario_is("hardfault_read")) {
        fault_read(UNMAPPED_ADDRESS);
    } else if (scenario_is("usagefault_udf")) {
        enable_faults(CSR_SCS_SHCSR_USGFAULTENA_MASK);
        fault_udf();
    } else if (scenario_is("hardfault_udf")) {
        fault_udf();
    } else if (scenario_is("busfault_fetch")) {
        enable_faults(CSR_SCS_SHCSR_BUSFAULTENA_MASK);
        call_address(UNMAPPED_ADDRESS | 1u);
    } else if (scenario_is("usagefault_invstate")) {
        enable_faults(CSR_SCS_SHCSR_USGFAULTENA_MASK);
        call_address((uintptr_t)fault_udf & ~(uintptr_t)1);   /* no Thumb bit */
    } else if (scenario_is("invstate_after_device_write")) {
        /* The same branch right after an SCS write (which stops the CPU before the next
         * block): the branch target must still fault in ARM state. */
        enable_faults(CSR_SCS_SHCSR_USGFAULTENA_MASK);
        ((void (*)(void))((uintptr_t)fault_udf & ~(uintptr_t)1))();
    } else if (scenario_is("hardfault_bkpt")) {
        fault_bkpt();
    } else if (scenario_is("hardfault_vecttbl")) {
        on_fault = RESUME;
        scenario_vecttbl();
    } else if (scenario_is("lockup")) {
        on_fault = LOCK_UP;
        fault_udf();
    } else if (scenario_is("exit_in_handler")) {
        on_fault = EXIT;
        static const uint32_t regs[4] = {0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u};
        REPORT("exit.r0", regs[0]);
        REPORT("exit.r1", regs[1]);
        REPORT("exit.r2", regs[2]);
        REPORT("exit.r3", regs[3]);
        fault_udf_with_registers(regs[0], regs[1], regs[2], regs[3]);
    } else if (scenario_is("handler_spins")) {
        on_fault = SPIN;
        fault_udf();
    } else if (scenario_is("invalid_exc_return")) {
        on_fault = EXIT;
        __asm volatile("svc #0" ::: "memory");
    } else if (scenario_is("stacking")) {
        svc_on_stack(BOARD_DATA_MEM_BASE + 8u);
    } else {
        REPORT("unknown_scenario", 1);
        return 1;
    }
    REPORT("fault.count", faults);
    REPORT("fault.exception", fault_exception);
    REPORT("fault.cfsr", fault_cfsr);
    REPORT("fault.hfsr", fault_hfsr);
    REPORT("fault.bfar", fault_bfar);
    REPORT("fault.pc", fault_pc);
    REPORT("fault.cfsr_after", mmio_read32(CSR_SCS_CFSR_ADDR));
    REPORT("fault.hfsr_after", mmio_read32(CSR_SCS_HFSR_ADDR));
    REPORT("spare.taken", spare_taken);
    return 0;
}
