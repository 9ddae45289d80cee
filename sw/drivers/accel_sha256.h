/* Driver of the SHA-256 compression accelerator (rtl/sha256_accel.py). Register names
 * come from the generated board.h (CSR_SHA256_*). The chaining value lives in the
 * caller's state[8] (the layout of Mbed TLS's context): every block loads it into
 * DIGEST first, so any number of hashes can be in progress at once. CTRL belongs to
 * this driver: it keeps AUTOSTART set, so a write of BLOCK[15] starts a block.
 *
 * Copies go four words at a time, loads first: a run of loads pipelines (one cycle each
 * after the first) and an immediate-offset store takes one, where alternating load/store
 * pairs would take three cycles per word. BLOCK is a byte image (memcpy words: one LDR
 * each, the Cortex-M4 takes unaligned words), DIGEST holds H0..H7 as values. */
#ifndef ACCEL_SHA256_H
#define ACCEL_SHA256_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "mmio.h"

#define ACCEL_SHA256_BLOCK_BYTES 64u
#define ACCEL_SHA256_STATE_WORDS 8u
#define ACCEL_SHA256_POLL_LIMIT 100000u

bool accel_sha256_present(void);

/* state = compress(state, block). Returns 0, or -1 when the core did not finish. */
int accel_sha256_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES]);

/* The first block of a message, from the core's own initial values (CTRL.INIT). */
int accel_sha256_first_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES],
                             bool sha224);

uint32_t accel_sha256_blocks(void);

/* Sets CTRL for accel_sha256_run_armed (AUTOSTART, chaining from DIGEST); a CTRL write
 * only when it holds another mode. accel_sha256_first_block changes the mode. */
void accel_sha256_arm(void);

#define ACCEL_SHA256_COPY4_TO_DEVICE(addr_n, base, src, load) \
    do {                                                      \
        uint32_t w0_, w1_, w2_, w3_;                          \
        load(w0_, (src), 0);                                  \
        load(w1_, (src), 1);                                  \
        load(w2_, (src), 2);                                  \
        load(w3_, (src), 3);                                  \
        mmio_write32(addr_n((base) + 0u), w0_);               \
        mmio_write32(addr_n((base) + 1u), w1_);               \
        mmio_write32(addr_n((base) + 2u), w2_);               \
        mmio_write32(addr_n((base) + 3u), w3_);               \
    } while (0)
#define ACCEL_SHA256_LOAD_BYTES(w, src, i) memcpy(&(w), (src) + 4u * (i), 4)
#define ACCEL_SHA256_LOAD_WORD(w, src, i) ((w) = (src)[i])

/* BLOCK written (the write of BLOCK[15] starts the block in the armed mode), DONE
 * awaited, DIGEST read into state. */
static inline __attribute__((always_inline)) int accel_sha256_compress_written(
    uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES])
{
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_BLOCK_ADDR_N, 0u, block, ACCEL_SHA256_LOAD_BYTES);
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_BLOCK_ADDR_N, 4u, block + 16, ACCEL_SHA256_LOAD_BYTES);
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_BLOCK_ADDR_N, 8u, block + 32, ACCEL_SHA256_LOAD_BYTES);
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_BLOCK_ADDR_N, 12u, block + 48, ACCEL_SHA256_LOAD_BYTES);
    uint32_t polls = ACCEL_SHA256_POLL_LIMIT;
    while (!(mmio_read32(CSR_SHA256_STATUS_ADDR) & CSR_SHA256_STATUS_DONE_MASK))
        if (__builtin_expect(--polls == 0, 0))
            return -1;
    for (unsigned half = 0; half < 2u; half++) {
        uint32_t w0 = mmio_read32(CSR_SHA256_DIGEST_ADDR_N(4u * half + 0u));
        uint32_t w1 = mmio_read32(CSR_SHA256_DIGEST_ADDR_N(4u * half + 1u));
        uint32_t w2 = mmio_read32(CSR_SHA256_DIGEST_ADDR_N(4u * half + 2u));
        uint32_t w3 = mmio_read32(CSR_SHA256_DIGEST_ADDR_N(4u * half + 3u));
        state[4u * half + 0u] = w0;
        state[4u * half + 1u] = w1;
        state[4u * half + 2u] = w2;
        state[4u * half + 3u] = w3;
    }
    return 0;
}

/* accel_sha256_block in the mode of accel_sha256_arm, inline for callers that arm once
 * (the Mbed TLS glue): state loaded into DIGEST, then the block. */
static inline __attribute__((always_inline)) int accel_sha256_run_armed(
    uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES])
{
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_DIGEST_ADDR_N, 0u, state, ACCEL_SHA256_LOAD_WORD);
    ACCEL_SHA256_COPY4_TO_DEVICE(CSR_SHA256_DIGEST_ADDR_N, 4u, state + 4, ACCEL_SHA256_LOAD_WORD);
    return accel_sha256_compress_written(state, block);
}

#endif /* ACCEL_SHA256_H */
