/* Memory-mapped register access. Addresses and field masks come from the generated
 * board.h (CSR_<PERIPH>_<REG>_ADDR, ..._<FIELD>_MASK/_OFFSET); nothing here knows one. */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uint32_t addr)
{
    return *(volatile const uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint32_t addr, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)addr = value;
}

/* For registers the architecture makes byte-accessible (NVIC_IPR, SHPR). */
static inline void mmio_write8(uint32_t addr, uint8_t value)
{
    *(volatile uint8_t *)(uintptr_t)addr = value;
}

static inline uint8_t mmio_read8(uint32_t addr)
{
    return *(volatile const uint8_t *)(uintptr_t)addr;
}

static inline void mmio_set_bits(uint32_t addr, uint32_t mask)
{
    mmio_write32(addr, mmio_read32(addr) | mask);
}

static inline void mmio_clear_bits(uint32_t addr, uint32_t mask)
{
    mmio_write32(addr, mmio_read32(addr) & ~mask);
}

/* FIELD_GET(CSR_SCS_ICSR_VECTACTIVE, icsr): the field's value, shifted down. */
#define FIELD_GET(field, value) (((uint32_t)(value) & field##_MASK) >> field##_OFFSET)
/* FIELD_PREP(CSR_SCS_STIR_INTID, 31): the value placed in the field's bits. */
#define FIELD_PREP(field, value) (((uint32_t)(value) << field##_OFFSET) & field##_MASK)

#endif /* MMIO_H */
