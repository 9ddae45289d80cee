/* Driver of the AES block accelerator (rtl/aes_accel.py). Register names come from the
 * generated board.h (CSR_AES_*); where the board has no accelerator (QEMU reads its ID
 * as 0) accel_aes_present() is false and callers use software. */
#ifndef ACCEL_AES_H
#define ACCEL_AES_H

#include <stdbool.h>
#include <stdint.h>

#define ACCEL_AES_BLOCK_BYTES 16u

bool accel_aes_present(void);

/* Loads a 128-, 192- or 256-bit key into KEY (the core expands it on the next START);
 * returns -1 for any other size. */
int accel_aes_load_key(const uint8_t *key, unsigned key_bits);

/* One ECB block with the loaded key; in and out may overlap. Returns 0, or -1 when the
 * core did not finish within the poll limit. */
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
