/* AES accelerator driver. KEY/DIN/DOUT are byte images, so words are copied with memcpy
 * (one LDR/STR each: the Cortex-M4 takes unaligned words, no per-byte work).
 *
 * Every block starts by CTRL.AUTOSTART: CTRL holds DECRYPT and KEYLEN with AUTOSTART
 * set, and the write of DIN's last word starts the block (docs/rtl.md, "Registered
 * START"). CTRL is written only when those parameters change (`armed` remembers what it
 * holds), so a block costs its four input stores, the wait, and four output loads
 * (accel_aes_run_armed, inline in accel_aes.h so that callers pay no call for it). */
#include <string.h>

#include "accel_aes.h"
#include "board.h"
#include "mmio.h"

/* CTRL as this driver last wrote it (START reads back 0; 0 = not armed yet). */
static uint32_t armed;

bool accel_aes_present(void)
{
    return mmio_read32(CSR_AES_ID_ADDR) == CSR_AES_ID_RESET;
}

/* CTRL.KEYLEN: 0 = 128, 1 = 192, 2 = 256 bits (the field's declaration in rtl/regmaps.py). */
static uint32_t keylen_field(unsigned key_bits)
{
    return ((uint32_t)(key_bits - 128u) / 64u) << CSR_AES_CTRL_KEYLEN_OFFSET;
}

/* Sets CTRL for blocks of this direction and key size unless it already holds them. */
static inline void arm(bool decrypt, unsigned key_bits)
{
    uint32_t ctrl = CSR_AES_CTRL_AUTOSTART_MASK | (decrypt ? CSR_AES_CTRL_DECRYPT_MASK : 0u) | keylen_field(key_bits);
    if (__builtin_expect(ctrl != armed, 0)) {
        mmio_write32(CSR_AES_CTRL_ADDR, ctrl);
        armed = ctrl;
    }
}

int accel_aes_load_key(const uint8_t *key, unsigned key_bits)
{
    if (key_bits != 128u && key_bits != 192u && key_bits != 256u)
        return -1;
    for (unsigned i = 0; i < key_bits / 32u; i++) {
        uint32_t word;
        memcpy(&word, key + 4u * i, sizeof word);
        mmio_write32(CSR_AES_KEY_ADDR_N(i), word);
    }
    return 0;
}

void accel_aes_read_result(uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    accel_aes_read_output(out);
}

void accel_aes_arm(bool decrypt, unsigned key_bits)
{
    arm(decrypt, key_bits);
}

void accel_aes_disarm(void)
{
    mmio_write32(CSR_AES_CTRL_ADDR, 0);
    armed = 0;
}

int accel_aes_block(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES],
                    uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    arm(decrypt, key_bits);
    return accel_aes_run_armed(in, out);
}

void accel_aes_start_with_irq(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES])
{
    arm(decrypt, key_bits);
    /* Start first: it clears the previous block's DONE, which would otherwise raise the
     * (level) interrupt as soon as it is enabled. */
    accel_aes_write_input(in);
    mmio_write32(CSR_AES_IRQ_ENABLE_ADDR, CSR_AES_IRQ_ENABLE_DONE_MASK);
}

void accel_aes_irq_ack(void)
{
    mmio_write32(CSR_AES_IRQ_ENABLE_ADDR, 0);
    mmio_write32(CSR_AES_STATUS_ADDR, CSR_AES_STATUS_DONE_MASK);
}

uint32_t accel_aes_blocks(void)
{
    return mmio_read32(CSR_AES_BLOCKS_ADDR);
}
