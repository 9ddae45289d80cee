/* AES accelerator driver: KEY/DIN/DOUT are byte images, so words are copied with memcpy
 * (any alignment); CTRL carries START, DECRYPT and KEYLEN in one write. */
#include <string.h>

#include "accel_aes.h"
#include "board.h"
#include "mmio.h"

#define POLL_LIMIT 100000u
/* Register copies unrolled: a loop would cost more cycles than the accesses. */
#define UNROLLED _Pragma("GCC unroll 16")

bool accel_aes_present(void)
{
    return mmio_read32(CSR_AES_ID_ADDR) == CSR_AES_ID_RESET;
}

/* CTRL.KEYLEN: 0 = 128, 1 = 192, 2 = 256 bits (the field's declaration in rtl/regmaps.py). */
static uint32_t keylen_field(unsigned key_bits)
{
    return ((uint32_t)(key_bits - 128u) / 64u) << CSR_AES_CTRL_KEYLEN_OFFSET;
}

static uint32_t ctrl_word(bool decrypt, unsigned key_bits)
{
    return CSR_AES_CTRL_START_MASK | (decrypt ? CSR_AES_CTRL_DECRYPT_MASK : 0u) | keylen_field(key_bits);
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

static void write_input(const uint8_t in[ACCEL_AES_BLOCK_BYTES])
{
    UNROLLED
    for (unsigned i = 0; i < CSR_AES_DIN_COUNT; i++) {
        uint32_t word;
        memcpy(&word, in + 4u * i, sizeof word);
        mmio_write32(CSR_AES_DIN_ADDR_N(i), word);
    }
}

void accel_aes_read_result(uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    UNROLLED
    for (unsigned i = 0; i < CSR_AES_DOUT_COUNT; i++) {
        uint32_t word = mmio_read32(CSR_AES_DOUT_ADDR_N(i));
        memcpy(out + 4u * i, &word, sizeof word);
    }
}

int accel_aes_block(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES],
                    uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    write_input(in);
    mmio_write32(CSR_AES_CTRL_ADDR, ctrl_word(decrypt, key_bits));   /* START clears DONE */
    for (uint32_t polls = 0; polls < POLL_LIMIT; polls++) {
        if (mmio_read32(CSR_AES_STATUS_ADDR) & CSR_AES_STATUS_DONE_MASK) {
            accel_aes_read_result(out);
            return 0;
        }
    }
    return -1;
}

void accel_aes_start_with_irq(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES])
{
    write_input(in);
    /* START first: it clears the previous block's DONE, which would otherwise raise the
     * (level) interrupt as soon as it is enabled. */
    mmio_write32(CSR_AES_CTRL_ADDR, ctrl_word(decrypt, key_bits));
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
