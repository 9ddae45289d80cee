/* SHA-256 accelerator driver: BLOCK is a byte image (memcpy words, any alignment),
 * DIGEST holds H0..H7 as values. */
#include <string.h>

#include "accel_sha256.h"
#include "board.h"
#include "mmio.h"

#define POLL_LIMIT 100000u
/* Register copies unrolled: a loop would cost more cycles than the accesses. */
#define UNROLLED _Pragma("GCC unroll 16")

bool accel_sha256_present(void)
{
    return mmio_read32(CSR_SHA256_ID_ADDR) == CSR_SHA256_ID_RESET;
}

static int run_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES],
                     uint32_t ctrl)
{
    UNROLLED
    for (unsigned i = 0; i < CSR_SHA256_BLOCK_COUNT; i++) {
        uint32_t word;
        memcpy(&word, block + 4u * i, sizeof word);
        mmio_write32(CSR_SHA256_BLOCK_ADDR_N(i), word);
    }
    mmio_write32(CSR_SHA256_CTRL_ADDR, CSR_SHA256_CTRL_START_MASK | ctrl);   /* START clears DONE */
    for (uint32_t polls = 0; polls < POLL_LIMIT; polls++) {
        if (mmio_read32(CSR_SHA256_STATUS_ADDR) & CSR_SHA256_STATUS_DONE_MASK) {
            UNROLLED
            for (unsigned i = 0; i < CSR_SHA256_DIGEST_COUNT; i++)
                state[i] = mmio_read32(CSR_SHA256_DIGEST_ADDR_N(i));
            return 0;
        }
    }
    return -1;
}

int accel_sha256_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES])
{
    UNROLLED
    for (unsigned i = 0; i < CSR_SHA256_DIGEST_COUNT; i++)
        mmio_write32(CSR_SHA256_DIGEST_ADDR_N(i), state[i]);
    return run_block(state, block, 0);
}

int accel_sha256_first_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES],
                             bool sha224)
{
    return run_block(state, block, CSR_SHA256_CTRL_INIT_MASK | (sha224 ? CSR_SHA256_CTRL_SHA224_MASK : 0u));
}

uint32_t accel_sha256_blocks(void)
{
    return mmio_read32(CSR_SHA256_BLOCKS_ADDR);
}
