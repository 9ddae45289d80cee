/* Fault handling: an undefined instruction raises UsageFault when it is enabled (the
 * handler skips the instruction and returns), and escalates to HardFault (FORCED) when
 * it is not. Faults the checks do not expect end the run through fatal_exception. */
#include <stdint.h>

#include "board.h"
#include "cpu.h"
#include "fatal.h"
#include "mmio.h"
#include "scb.h"
#include "selfcheck.h"

static volatile uint32_t usage_faults, hard_faults, fault_cfsr, fault_hfsr, fault_exception;
static volatile bool expect_hard_fault;

static void skip_undefined_instruction(struct exception_frame *frame)
{
    fault_cfsr = mmio_read32(CSR_SCS_CFSR_ADDR);
    fault_exception = scb_active_exception();
    if (!(fault_cfsr & CSR_SCS_CFSR_UNDEFINSTR_MASK))
        fatal_exception(frame);
    mmio_write32(CSR_SCS_CFSR_ADDR, CSR_SCS_CFSR_UNDEFINSTR_MASK);
    frame->pc += thumb_insn_size(*(const uint16_t *)(uintptr_t)frame->pc);
}

void usage_fault(struct exception_frame *frame);
void usage_fault(struct exception_frame *frame)
{
    skip_undefined_instruction(frame);
    usage_faults++;
}
EXCEPTION_HANDLER_WITH_FRAME(UsageFault_Handler, usage_fault)

void hard_fault(struct exception_frame *frame);
void hard_fault(struct exception_frame *frame)
{
    if (!expect_hard_fault)
        fatal_exception(frame);
    fault_hfsr = mmio_read32(CSR_SCS_HFSR_ADDR);
    mmio_write32(CSR_SCS_HFSR_ADDR, CSR_SCS_HFSR_FORCED_MASK);
    skip_undefined_instruction(frame);
    hard_faults++;
}
EXCEPTION_HANDLER_WITH_FRAME(HardFault_Handler, hard_fault)

bool check_usage_fault(void)
{
    usage_faults = 0;
    scb_enable_usage_fault(1);
    __asm volatile("udf #1" ::: "memory");   /* 16-bit encoding */
    uint32_t after_narrow = usage_faults;
    __asm volatile("udf.w #2" ::: "memory"); /* 32-bit encoding */
    scb_enable_usage_fault(0);
    CHECK(after_narrow == 1 && usage_faults == 2);
    CHECK(fault_exception == EXC_USAGEFAULT);
    CHECK(fault_cfsr & CSR_SCS_CFSR_UNDEFINSTR_MASK);
    CHECK(!(mmio_read32(CSR_SCS_CFSR_ADDR) & CSR_SCS_CFSR_UNDEFINSTR_MASK));
    return true;
}

bool check_fault_escalation(void)
{
    hard_faults = 0;
    expect_hard_fault = true;
    __asm volatile("udf #3" ::: "memory");
    expect_hard_fault = false;
    CHECK(hard_faults == 1);
    CHECK(fault_exception == EXC_HARDFAULT);
    CHECK(fault_hfsr & CSR_SCS_HFSR_FORCED_MASK);
    CHECK(fault_cfsr & CSR_SCS_CFSR_UNDEFINSTR_MASK);
    CHECK(!(mmio_read32(CSR_SCS_HFSR_ADDR) & CSR_SCS_HFSR_FORCED_MASK));
    return true;
}
