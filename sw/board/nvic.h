/* NVIC: enable, pend and prioritise the board's interrupt lines (IRQ_* numbers). */
#ifndef NVIC_H
#define NVIC_H

#include <stdint.h>

#include "board.h"
#include "mmio.h"

/* The NVIC has one bit per line in each 32-line register of an array. */
#define NVIC_WORD(irq) ((uint32_t)(irq) / 32u)
#define NVIC_BIT(irq) (1u << ((uint32_t)(irq) % 32u))

static inline void nvic_enable(uint32_t irq)
{
    mmio_write32(CSR_SCS_NVIC_ISER_ADDR_N(NVIC_WORD(irq)), NVIC_BIT(irq));
}

static inline void nvic_disable(uint32_t irq)
{
    mmio_write32(CSR_SCS_NVIC_ICER_ADDR_N(NVIC_WORD(irq)), NVIC_BIT(irq));
}

static inline void nvic_set_pending(uint32_t irq)
{
    mmio_write32(CSR_SCS_NVIC_ISPR_ADDR_N(NVIC_WORD(irq)), NVIC_BIT(irq));
}

static inline void nvic_clear_pending(uint32_t irq)
{
    mmio_write32(CSR_SCS_NVIC_ICPR_ADDR_N(NVIC_WORD(irq)), NVIC_BIT(irq));
}

static inline int nvic_is_pending(uint32_t irq)
{
    return (mmio_read32(CSR_SCS_NVIC_ISPR_ADDR_N(NVIC_WORD(irq))) & NVIC_BIT(irq)) != 0;
}

static inline int nvic_is_active(uint32_t irq)
{
    return (mmio_read32(CSR_SCS_NVIC_IABR_ADDR_N(NVIC_WORD(irq))) & NVIC_BIT(irq)) != 0;
}

/* Pend a line by number through the software trigger register. */
static inline void nvic_trigger(uint32_t irq)
{
    mmio_write32(CSR_SCS_STIR_ADDR, FIELD_PREP(CSR_SCS_STIR_INTID, irq));
}

/* Priority levels 0 (most urgent) .. NVIC_PRIORITY_LOWEST; the register holds them in
 * its top BOARD_NVIC_PRIORITY_BITS bits. */
#define NVIC_PRIORITY_LOWEST ((1u << BOARD_NVIC_PRIORITY_BITS) - 1u)
#define NVIC_PRIORITY_VALUE(level) ((uint8_t)((level) << (8u - BOARD_NVIC_PRIORITY_BITS)))

/* NVIC_IPR holds one priority byte per line, byte-addressable. */
static inline void nvic_set_priority(uint32_t irq, uint32_t level)
{
    mmio_write8(CSR_SCS_NVIC_IPR_ADDR + irq, NVIC_PRIORITY_VALUE(level));
}

#endif /* NVIC_H */
