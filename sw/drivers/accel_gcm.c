/* AES-GCM accelerator driver. KEY, IV, DIN and DOUT are byte images, so words are copied
 * with memcpy (any alignment). Single operations write DIN, then CTRL with START, and
 * poll DONE; whole blocks are streamed with CTRL.AUTOSTART (the write of DIN's last word
 * starts a block), the next block queued while the core hashes the current one. */
#include <string.h>

#include "accel_gcm.h"
#include "board.h"
#include "mmio.h"

#define POLL_LIMIT 100000u
/* Register copies unrolled: a loop would cost more cycles than the accesses. */
#define UNROLLED _Pragma("GCC unroll 16")

#define OP(name) ((uint32_t)CSR_GCM_CTRL_OP_##name << CSR_GCM_CTRL_OP_OFFSET)

bool accel_gcm_present(void)
{
    return mmio_read32(CSR_GCM_ID_ADDR) == CSR_GCM_ID_RESET;
}

uint32_t accel_gcm_params(unsigned slot, unsigned key_bits)
{
    if (slot >= ACCEL_GCM_SLOTS || (key_bits != 128u && key_bits != 192u && key_bits != 256u))
        return 0;
    /* CTRL.KEYLEN: 0 = 128, 1 = 192, 2 = 256 bits (the field's declaration in rtl/regmaps.py). */
    return ((uint32_t)slot << CSR_GCM_CTRL_SLOT_OFFSET)
         | (((uint32_t)(key_bits - 128u) / 64u) << CSR_GCM_CTRL_KEYLEN_OFFSET);
}

int accel_gcm_load_key(unsigned slot, const uint8_t *key, unsigned key_bits)
{
    if (slot >= ACCEL_GCM_SLOTS || (key_bits != 128u && key_bits != 192u && key_bits != 256u))
        return -1;
    for (unsigned i = 0; i < key_bits / 32u; i++) {
        uint32_t word;
        memcpy(&word, key + 4u * i, sizeof word);
        mmio_write32(slot == 0 ? CSR_GCM_KEY0_ADDR_N(i) : CSR_GCM_KEY1_ADDR_N(i), word);
    }
    return 0;
}

static inline void write_din(const uint8_t *in)
{
    UNROLLED
    for (unsigned i = 0; i < CSR_GCM_DIN_COUNT; i++) {
        uint32_t word;
        memcpy(&word, in + 4u * i, sizeof word);
        mmio_write32(CSR_GCM_DIN_ADDR_N(i), word);
    }
}

static inline void read_dout(uint8_t *out)
{
    UNROLLED
    for (unsigned i = 0; i < CSR_GCM_DOUT_COUNT; i++) {
        uint32_t word = mmio_read32(CSR_GCM_DOUT_ADDR_N(i));
        memcpy(out + 4u * i, &word, sizeof word);
    }
}

/* Polls until STATUS & mask equals `want`. */
static inline int poll_until(uint32_t mask, uint32_t want)
{
    for (uint32_t polls = 0; polls < POLL_LIMIT; polls++)
        if ((mmio_read32(CSR_GCM_STATUS_ADDR) & mask) == want)
            return 0;
    return -1;
}

static inline int poll_status(uint32_t mask)
{
    return poll_until(mask, mask);
}

/* One operation run to DONE (START clears the previous DONE). */
static int run(uint32_t ctrl)
{
    mmio_write32(CSR_GCM_CTRL_ADDR, ctrl | CSR_GCM_CTRL_START_MASK);
    return poll_status(CSR_GCM_STATUS_DONE_MASK);
}

/* CTRL.BYTES: 1..16 valid bytes of DIN, 16 written as 0. */
static uint32_t bytes_field(unsigned bytes)
{
    return ((uint32_t)(bytes & 15u) << CSR_GCM_CTRL_BYTES_OFFSET) & CSR_GCM_CTRL_BYTES_MASK;
}

int accel_gcm_init(uint32_t params, const uint8_t iv[ACCEL_GCM_IV_BYTES])
{
    for (unsigned i = 0; i < CSR_GCM_IV_COUNT; i++) {
        uint32_t word;
        memcpy(&word, iv + 4u * i, sizeof word);
        mmio_write32(CSR_GCM_IV_ADDR_N(i), word);
    }
    return run(params | OP(INIT));
}

/* A short block is copied into a zeroed one: the core ignores DIN's bytes past BYTES,
 * and the caller's buffer may end at the last valid byte. */
static const uint8_t *whole_block(const uint8_t *in, unsigned bytes, uint8_t block[ACCEL_GCM_BLOCK_BYTES])
{
    if (bytes >= ACCEL_GCM_BLOCK_BYTES)
        return in;
    memset(block, 0, ACCEL_GCM_BLOCK_BYTES);
    memcpy(block, in, bytes);
    return block;
}

int accel_gcm_aad(uint32_t params, const uint8_t *aad, unsigned bytes)
{
    uint8_t block[ACCEL_GCM_BLOCK_BYTES];
    if (bytes == 0u || bytes > ACCEL_GCM_BLOCK_BYTES)
        return -1;
    write_din(whole_block(aad, bytes, block));
    return run(params | OP(AAD) | bytes_field(bytes));
}

int accel_gcm_crypt_block(uint32_t params, bool decrypt, const uint8_t *in, uint8_t *out, unsigned bytes)
{
    uint8_t block[ACCEL_GCM_BLOCK_BYTES];
    if (bytes == 0u || bytes > ACCEL_GCM_BLOCK_BYTES)
        return -1;
    write_din(whole_block(in, bytes, block));
    if (run(params | (decrypt ? OP(DECRYPT) : OP(ENCRYPT)) | bytes_field(bytes)) != 0)
        return -1;
    if (out != NULL) {
        read_dout(block);
        memcpy(out, block, bytes);
    }
    return 0;
}

/* Block i + 1 is written as soon as result i is read: its START (AUTOSTART) is queued
 * while the core hashes block i, and it releases DOUT, so it must not come before the
 * result is read (a START also clears OUTPUT_VALID). The core runs back to back while
 * the CPU moves data; after the last block DOUT is released explicitly. */
int accel_gcm_crypt_blocks(uint32_t params, bool decrypt, const uint8_t *in, uint8_t *out, size_t blocks)
{
    int status = 0;
    if (blocks == 0u)
        return 0;
    mmio_write32(CSR_GCM_CTRL_ADDR, params | (decrypt ? OP(DECRYPT) : OP(ENCRYPT)) | CSR_GCM_CTRL_AUTOSTART_MASK);
    write_din(in);
    for (size_t i = 0; i < blocks; i++) {
        if (poll_status(CSR_GCM_STATUS_OUTPUT_VALID_MASK) != 0) {
            status = -1;
            break;
        }
        read_dout(out + i * ACCEL_GCM_BLOCK_BYTES);
        if (i + 1u < blocks)
            write_din(in + (i + 1u) * ACCEL_GCM_BLOCK_BYTES);
        else
            mmio_write32(CSR_GCM_STATUS_ADDR, CSR_GCM_STATUS_OUTPUT_VALID_MASK);
    }
    /* The last block's GHASH may still run; its DONE must not be taken for the next
     * operation's (that START would clear DONE before this block sets it). */
    status |= poll_until(CSR_GCM_STATUS_BUSY_MASK, 0);
    mmio_write32(CSR_GCM_CTRL_ADDR, params);                 /* AUTOSTART off */
    if (mmio_read32(CSR_GCM_STATUS_ADDR) & CSR_GCM_STATUS_WERR_MASK) {
        mmio_write32(CSR_GCM_STATUS_ADDR, CSR_GCM_STATUS_WERR_MASK);
        status = -1;
    }
    return status;
}

int accel_gcm_tag(uint32_t params, uint8_t tag[ACCEL_GCM_BLOCK_BYTES])
{
    if (run(params | OP(TAG)) != 0)
        return -1;
    read_dout(tag);
    mmio_write32(CSR_GCM_STATUS_ADDR, CSR_GCM_STATUS_OUTPUT_VALID_MASK);   /* the tag is read */
    return 0;
}

uint32_t accel_gcm_blocks(void)
{
    return mmio_read32(CSR_GCM_BLOCKS_ADDR);
}
