/* Assembly of the timing app: code whose instructions the tests count. */
#ifndef WINDOW_H
#define WINDOW_H

#include <stdint.h>

/* Zeroes the six DWT counters from `first_counter` (CYCCNT) on with one STM, runs a fixed
 * instruction sequence between the labels dwt_window_start and dwt_window_end (loads,
 * a divide, a folded IT, an NMI pended by storing `nmi_pend` to `icsr`, whose handler is
 * one `bx lr`, a WFI), then reads the six counters with one LDM into out[0..5]. SysTick
 * must be pending soon and PRIMASK set, so that the WFI wakes without running a handler. */
void dwt_window(uint32_t out[6], uint32_t first_counter, uint32_t icsr, uint32_t nmi_pend);

/* Spins until *counter >= target: a one-block loop, for interrupt latency bounds. */
void busy_wait(volatile uint32_t *counter, uint32_t target);

#endif /* WINDOW_H */
