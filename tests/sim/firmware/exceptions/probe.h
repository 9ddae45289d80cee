/* Assembly helpers of the exceptions app (probe.c): code whose exact instructions,
 * registers and stack pointer the tests reason about, with global labels at the points
 * where an exception must return. */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>
#include <stdint.h>

/* exc_probe(): loads r0-r3, r12 and lr from `in`, raises an exception (SVC, or a store
 * of `trigger_value` to `trigger_addr`, e.g. STIR, when that is not 0), then saves the
 * registers to `out`. SP is recorded just before the exception and after it; with
 * `misalign` set, SP is 4 bytes off 8-byte alignment at the exception. */
struct probe {
    uint32_t in[6];        /* r0, r1, r2, r3, r12, lr */
    uint32_t out[6];
    uint32_t sp_before;
    uint32_t sp_after;
    uint32_t control_after;
    uint32_t misalign;
    uint32_t trigger_addr;
    uint32_t trigger_value;
};
_Static_assert(offsetof(struct probe, out) == 24, "probe.c uses these offsets");
_Static_assert(offsetof(struct probe, sp_before) == 48, "probe.c uses these offsets");
_Static_assert(offsetof(struct probe, trigger_value) == 68, "probe.c uses these offsets");

void exc_probe(struct probe *p);

/* Stores `value` at `addr`, then DSB + ISB: a pend that must be taken by the label
 * `store_sync_return` at the latest. */
void store_sync(uint32_t addr, uint32_t value);

/* SVC #0x42; its return address is the label `call_svc_return`. */
void call_svc(void);

/* CPSIE I + ISB; a pending interrupt must be taken by `primask_resume`. */
void unmask_primask(void);

/* BASEPRI = 0 + ISB; a pending interrupt must be taken by `basepri_resume`. */
void clear_basepri(void);

/* Calls fn(arg) in Thread mode on the process stack (CONTROL.SPSEL = 1) with PSP at
 * `stack_top`; records MSP at the switch in `psp_switch_msp`. */
uint32_t run_on_psp(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t *stack_top);
extern volatile uint32_t psp_switch_msp;

#endif /* PROBE_H */
