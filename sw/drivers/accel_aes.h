/* Driver of the AES block accelerator (rtl/aes_accel.py). Register names come from the
 * generated board.h (CSR_AES_*); where the board has no accelerator (QEMU reads its ID
 * as 0) accel_aes_present() is false and callers use software. CTRL belongs to this
 * driver: it keeps AUTOSTART set, so a write of DIN[3] starts a block; firmware must not
 * write CTRL or DIN behind its back. */
#ifndef ACCEL_AES_H
#define ACCEL_AES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "mmio.h"

#define ACCEL_AES_BLOCK_BYTES 16u
#define ACCEL_AES_POLL_LIMIT 100000u

bool accel_aes_present(void);

/* Loads a 128-, 192- or 256-bit key into KEY (the core expands it on the next START);
 * returns -1 for any other size. */
int accel_aes_load_key(const uint8_t *key, unsigned key_bits);

/* Sets CTRL for blocks of this direction and key size (AUTOSTART with DECRYPT and
 * KEYLEN); a CTRL write only when it holds other parameters. */
void accel_aes_arm(bool decrypt, unsigned key_bits);

/* Clears CTRL (AUTOSTART off) for firmware that drives the registers itself afterwards. */
void accel_aes_disarm(void);

/* The four loads first, then the four stores: back-to-back loads pipeline (one cycle
 * each after the first) and an immediate-offset store takes one, where alternating
 * load/store pairs would take three per word. The store of DIN[3] starts the block. */
static inline void accel_aes_write_input(const uint8_t in[ACCEL_AES_BLOCK_BYTES])
{
    uint32_t w0, w1, w2, w3;
    memcpy(&w0, in, 4);
    memcpy(&w1, in + 4, 4);
    memcpy(&w2, in + 8, 4);
    memcpy(&w3, in + 12, 4);
    mmio_write32(CSR_AES_DIN_ADDR_N(0), w0);
    mmio_write32(CSR_AES_DIN_ADDR_N(1), w1);
    mmio_write32(CSR_AES_DIN_ADDR_N(2), w2);
    mmio_write32(CSR_AES_DIN_ADDR_N(3), w3);
}

static inline void accel_aes_read_output(uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    uint32_t w0 = mmio_read32(CSR_AES_DOUT_ADDR_N(0));
    uint32_t w1 = mmio_read32(CSR_AES_DOUT_ADDR_N(1));
    uint32_t w2 = mmio_read32(CSR_AES_DOUT_ADDR_N(2));
    uint32_t w3 = mmio_read32(CSR_AES_DOUT_ADDR_N(3));
    memcpy(out, &w0, 4);
    memcpy(out + 4, &w1, 4);
    memcpy(out + 8, &w2, 4);
    memcpy(out + 12, &w3, 4);
}

/* One ECB block with the loaded key and the parameters of the last accel_aes_arm (or
 * accel_aes_block); in and out may overlap. Returns 0, or -1 when the core did not
 * finish within the poll limit. One STATUS read per poll: DONE is the only bit the
 * protocol needs (nothing is pending before the start, so the start is accepted). */
static inline int accel_aes_run_armed(const uint8_t in[ACCEL_AES_BLOCK_BYTES], uint8_t out[ACCEL_AES_BLOCK_BYTES])
{
    accel_aes_write_input(in);            /* starts; the start clears the previous DONE */
    uint32_t polls = ACCEL_AES_POLL_LIMIT;
    while (!(mmio_read32(CSR_AES_STATUS_ADDR) & CSR_AES_STATUS_DONE_MASK))
        if (__builtin_expect(--polls == 0, 0))
            return -1;
    accel_aes_read_output(out);
    return 0;
}

/* accel_aes_arm + accel_aes_run_armed. */
int accel_aes_block(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES],
                    uint8_t out[ACCEL_AES_BLOCK_BYTES]);

/* The same started with DONE signalled by the interrupt line instead of polling:
 * enables STATUS.DONE's interrupt, starts, and returns at once. */
void accel_aes_start_with_irq(bool decrypt, unsigned key_bits, const uint8_t in[ACCEL_AES_BLOCK_BYTES]);
void accel_aes_read_result(uint8_t out[ACCEL_AES_BLOCK_BYTES]);
/* Acknowledges DONE (drops the interrupt line) and disables the interrupt. */
void accel_aes_irq_ack(void);

/* Blocks processed since reset (the BLOCKS counter). */
uint32_t accel_aes_blocks(void);

#endif /* ACCEL_AES_H */
