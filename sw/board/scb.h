/* System control block: system exception priorities, fault enables and status. */
#ifndef SCB_H
#define SCB_H

#include <stdint.h>

#include "board.h"
#include "mmio.h"
#include "nvic.h"

/* SHPR holds one priority byte per system exception, starting with MemManage. */
static inline void scb_set_priority(uint32_t exception, uint32_t level)
{
    mmio_write8(CSR_SCS_SHPR_ADDR + (exception - EXC_MEMMANAGE), NVIC_PRIORITY_VALUE(level));
}

/* The exception being handled (0 in thread mode). */
static inline uint32_t scb_active_exception(void)
{
    return FIELD_GET(CSR_SCS_ICSR_VECTACTIVE, mmio_read32(CSR_SCS_ICSR_ADDR));
}

static inline void scb_enable_usage_fault(int enable)
{
    if (enable)
        mmio_set_bits(CSR_SCS_SHCSR_ADDR, CSR_SCS_SHCSR_USGFAULTENA_MASK);
    else
        mmio_clear_bits(CSR_SCS_SHCSR_ADDR, CSR_SCS_SHCSR_USGFAULTENA_MASK);
}

#endif /* SCB_H */
