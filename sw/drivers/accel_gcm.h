/* Driver of the AES-GCM accelerator (rtl/gcm_accel.py): counter mode and GHASH in
 * hardware, 96-bit IVs, two key slots. Register names and CTRL.OP codes come from the
 * generated board.h (CSR_GCM_*); where the board has no accelerator (QEMU reads its ID as
 * 0) accel_gcm_present() is false and callers use software.
 *
 * The core holds one message at a time (counter, GHASH state, lengths): a message is
 * accel_gcm_init, AAD blocks, text blocks (only the last may be partial), accel_gcm_tag.
 * Every call takes the `params` word of accel_gcm_params (slot and key size). */
#ifndef ACCEL_GCM_H
#define ACCEL_GCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCEL_GCM_BLOCK_BYTES 16u
#define ACCEL_GCM_IV_BYTES 12u
#define ACCEL_GCM_SLOTS 2u

bool accel_gcm_present(void);

/* CTRL's slot and key-size fields; 0 for an invalid slot or key size. */
uint32_t accel_gcm_params(unsigned slot, unsigned key_bits);

/* Loads a 128-, 192- or 256-bit key into slot KEY0/KEY1 (the core expands it and computes
 * H at the next INIT); returns -1 for another size or slot. */
int accel_gcm_load_key(unsigned slot, const uint8_t *key, unsigned key_bits);

/* Starts a message: J0 = IV || 1, counter 2, lengths 0. Returns 0, or -1 on a timeout. */
int accel_gcm_init(uint32_t params, const uint8_t iv[ACCEL_GCM_IV_BYTES]);

/* Hashes one AAD block of `bytes` (1..16; only the last AAD block may be short). */
int accel_gcm_aad(uint32_t params, const uint8_t *aad, unsigned bytes);

/* Encrypts or decrypts `blocks` whole blocks, streamed (the next block is written while
 * one runs); out may equal in. Returns 0, or -1 on a timeout or a discarded write. */
int accel_gcm_crypt_blocks(uint32_t params, bool decrypt, const uint8_t *in, uint8_t *out, size_t blocks);

/* One block of `bytes` (1..16): the message's last when short. out may be NULL (the
 * output was produced another way; the block is only hashed and counted). */
int accel_gcm_crypt_block(uint32_t params, bool decrypt, const uint8_t *in, uint8_t *out, unsigned bytes);

/* Ends the message: hashes the lengths and reads the 16-byte tag. */
int accel_gcm_tag(uint32_t params, uint8_t tag[ACCEL_GCM_BLOCK_BYTES]);

/* Blocks processed since reset (the BLOCKS counter). */
uint32_t accel_gcm_blocks(void);

#endif /* ACCEL_GCM_H */
