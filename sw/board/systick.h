/* SysTick: the core's 24-bit down counter, clocked by the CPU clock. */
#ifndef SYSTICK_H
#define SYSTICK_H

#include <stdint.h>

#include "board.h"
#include "mmio.h"

/* Count `period_cycles` CPU cycles (at most 2^24) per wrap, interrupting at each wrap
 * when `interrupt` is set; COUNTFLAG records wraps either way. */
static inline void systick_start(uint32_t period_cycles, int interrupt)
{
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, 0);
    mmio_write32(CSR_SCS_SYST_RVR_ADDR, FIELD_PREP(CSR_SCS_SYST_RVR_RELOAD, period_cycles - 1u));
    mmio_write32(CSR_SCS_SYST_CVR_ADDR, 0);
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, CSR_SCS_SYST_CSR_ENABLE_MASK | CSR_SCS_SYST_CSR_CLKSOURCE_MASK
                                            | (interrupt ? CSR_SCS_SYST_CSR_TICKINT_MASK : 0u));
}

/* Stops the counter and drops a tick that is pending but not yet taken. */
static inline void systick_stop(void)
{
    mmio_write32(CSR_SCS_SYST_CSR_ADDR, 0);
    mmio_write32(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSTCLR_MASK);
}

/* True once the counter has wrapped since the last read of SYST_CSR (reading clears it). */
static inline int systick_wrapped(void)
{
    return (mmio_read32(CSR_SCS_SYST_CSR_ADDR) & CSR_SCS_SYST_CSR_COUNTFLAG_MASK) != 0;
}

static inline uint32_t systick_current(void)
{
    return FIELD_GET(CSR_SCS_SYST_CVR_CURRENT, mmio_read32(CSR_SCS_SYST_CVR_ADDR));
}

#endif /* SYSTICK_H */
