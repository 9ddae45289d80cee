/* DWT cycle counter. Absent boards (QEMU 7.2) read it as 0: callers check for that. */
#ifndef DWT_H
#define DWT_H

#include <stdint.h>

#include "board.h"
#include "mmio.h"

static inline void dwt_cycle_counter_enable(void)
{
    mmio_set_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
    mmio_write32(CSR_DWT_CYCCNT_ADDR, 0);
    mmio_set_bits(CSR_DWT_CTRL_ADDR, CSR_DWT_CTRL_CYCCNTENA_MASK);
}

static inline uint32_t dwt_cycles(void)
{
    return mmio_read32(CSR_DWT_CYCCNT_ADDR);
}

#endif /* DWT_H */
