/* Cortex-M4 instructions C cannot express: interrupt masking, sleep, barriers. */
#ifndef CPU_H
#define CPU_H

#include <stdint.h>

static inline void cpu_irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void cpu_irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void cpu_wfi(void) { __asm volatile("wfi" ::: "memory"); }
static inline void cpu_nop(void) { __asm volatile("nop"); }

/* A register write that changes interrupt state takes effect after dsb + isb. */
static inline void cpu_sync(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }

/* The frame the core stacks on exception entry (ARMv7-M B1.5.6). */
struct exception_frame {
    uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
};

/* Size of the Thumb instruction whose first halfword is `hw` (ARMv7-M A5.1). */
static inline uint32_t thumb_insn_size(uint16_t hw)
{
    uint32_t top5 = hw >> 11;
    return (top5 == 0x1D || top5 == 0x1E || top5 == 0x1F) ? 4u : 2u;
}

/* A naked exception handler that calls `c_function(struct exception_frame *frame)`
 * with the stacked frame, from MSP or PSP as EXC_RETURN bit 2 says. */
#define EXCEPTION_HANDLER_WITH_FRAME(name, c_function)                         \
    __attribute__((naked)) void name(void)                                     \
    {                                                                          \
        __asm volatile("tst lr, #4\n\t"                                        \
                       "ite eq\n\t"                                            \
                       "mrseq r0, msp\n\t"                                     \
                       "mrsne r0, psp\n\t"                                     \
                       "b " #c_function "\n\t");                               \
    }

#endif /* CPU_H */
