/* Driver of the SHA-256 compression accelerator (rtl/sha256_accel.py). Register names
 * come from the generated board.h (CSR_SHA256_*). The chaining value lives in the
 * caller's state[8] (the layout of Mbed TLS's context): every block loads it into
 * DIGEST first, so any number of hashes can be in progress at once. */
#ifndef ACCEL_SHA256_H
#define ACCEL_SHA256_H

#include <stdbool.h>
#include <stdint.h>

#define ACCEL_SHA256_BLOCK_BYTES 64u
#define ACCEL_SHA256_STATE_WORDS 8u

bool accel_sha256_present(void);

/* state = compress(state, block). Returns 0, or -1 when the core did not finish. */
int accel_sha256_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES]);

/* The first block of a message, from the core's own initial values (CTRL.INIT). */
int accel_sha256_first_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES],
                             bool sha224);

uint32_t accel_sha256_blocks(void);

#endif /* ACCEL_SHA256_H */
