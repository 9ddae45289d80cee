/* Mbed TLS's AES block functions and SHA-256 compression on the accelerators.
 *
 * Built into the accelerated libraries of accel_alt.mk (with accel_alt_config.h); in
 * the plain library this file compiles to nothing. Two flavours:
 * - with software fallback (the default): where the accelerators are absent (their ID
 *   reads 0, as under QEMU), Mbed TLS's own code runs: aes.c and sha256.c of the plain
 *   build, their block functions renamed tlscosim_sw_* by accel_alt.mk;
 * - TLSCOSIM_ACCEL_ONLY: hardware only (no software block code is linked at all; the
 *   functions fail with MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED without the accelerators).
 *
 * AES contexts hold the raw key (the core expands it itself, once per key): ctx->buf
 * with rk_offset 0 and the usual nr. The core has one key slot, holding the key of the
 * context that used it last; a block of another context loads its own key first. A
 * context's key changes only through mbedtls_aes_setkey_enc/dec (the API), which
 * forget the slot's owner when it is that context. The drivers own CTRL (AUTOSTART:
 * the last input word starts a block); an app using Mbed TLS's AES on the accelerator
 * must not drive the AES accelerator directly. SHA-256 loads each context's chaining value before its block, so any number
 * of hashes may be in progress at once (TLS keeps several). */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mbedtls/build_info.h"

#if defined(MBEDTLS_AES_ENCRYPT_ALT) || defined(MBEDTLS_SHA256_PROCESS_ALT)

#include <stdbool.h>
#include <string.h>

#include "accel_aes.h"
#include "accel_alt.h"
#include "accel_sha256.h"
#include "mbedtls/aes.h"
#include "mbedtls/error.h"
#include "mbedtls/sha256.h"

enum presence { UNKNOWN, ABSENT, PRESENT };

/* The ID probe, once per accelerator (a bus read per block would cost cycles); the
 * check per block is then one load and compare. */
static enum presence aes_state = UNKNOWN, sha256_state = UNKNOWN;

static bool probe(enum presence *state, bool (*present)(void))
{
    if (*state == UNKNOWN)
        *state = present() ? PRESENT : ABSENT;
    return *state == PRESENT;
}

static inline bool aes_present(void)
{
    return __builtin_expect(aes_state == PRESENT, 1) || probe(&aes_state, accel_aes_present);
}

/* Found present, the SHA-256 core is armed at once (CTRL.AUTOSTART): the per-block path
 * then only tests sha256_state. */
static bool sha256_found(void)
{
    if (!accel_sha256_present())
        return false;
    accel_sha256_arm();
    return true;
}

static inline bool sha256_present(void)
{
    return __builtin_expect(sha256_state == PRESENT, 1) || probe(&sha256_state, sha256_found);
}

#if !defined(TLSCOSIM_ACCEL_ONLY)
int tlscosim_sw_aes_setkey_enc(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits);
int tlscosim_sw_aes_setkey_dec(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits);
int tlscosim_sw_internal_aes_encrypt(mbedtls_aes_context *ctx, const unsigned char input[16],
                                     unsigned char output[16]);
int tlscosim_sw_internal_aes_decrypt(mbedtls_aes_context *ctx, const unsigned char input[16],
                                     unsigned char output[16]);
int tlscosim_sw_internal_sha256_process(mbedtls_sha256_context *ctx, const unsigned char data[64]);
#define FALLBACK(present, call) \
    do {                        \
        if (!(present))         \
            return call;        \
    } while (0)
#else
#define FALLBACK(present, call)                      \
    do {                                             \
        if (!(present))                              \
            return MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED; \
    } while (0)
#endif

/* -- AES ------------------------------------------------------------------------------ */

/* What the core is set up for: the context whose key is in KEY (its schedule is the
 * core's) and, in bit 0, the direction CTRL is armed for (contexts are word-aligned, so
 * the bit is free). 0: nothing; only set while the accelerator is present, so a block
 * matching it needs no other check. */
static uintptr_t armed_for;

static inline uintptr_t setup_of(const mbedtls_aes_context *ctx, bool decrypt)
{
    return (uintptr_t)ctx | (uintptr_t)decrypt;
}

static int store_key(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits)
{
    if ((armed_for & ~(uintptr_t)1) == (uintptr_t)ctx)
        armed_for = 0;
    switch (keybits) {
    case 128: ctx->nr = 10; break;
    case 192: ctx->nr = 12; break;
    case 256: ctx->nr = 14; break;
    default: return MBEDTLS_ERR_AES_INVALID_KEY_LENGTH;
    }
    ctx->rk_offset = 0;
    memcpy(ctx->buf, key, keybits / 8u);
    return 0;
}

int mbedtls_aes_setkey_enc(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits)
{
    FALLBACK(aes_present(), tlscosim_sw_aes_setkey_enc(ctx, key, keybits));
    return store_key(ctx, key, keybits);
}

int mbedtls_aes_setkey_dec(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits)
{
    FALLBACK(aes_present(), tlscosim_sw_aes_setkey_dec(ctx, key, keybits));
    return store_key(ctx, key, keybits);
}

static unsigned key_bits(const mbedtls_aes_context *ctx)
{
    return (unsigned)(ctx->nr - 6) * 32u;                  /* nr 10/12/14 -> 128/192/256 */
}

static inline int block_result(int driver_status)
{
    return driver_status == 0 ? 0 : MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
}

/* Everything but the common case: the accelerator not probed yet or absent, or the core
 * set up for another context or direction (the key is loaded only when the context
 * changes: a direction change is one CTRL write). */
static __attribute__((noinline)) int slow_block(mbedtls_aes_context *ctx, bool decrypt,
                                                const unsigned char input[16], unsigned char output[16])
{
#if !defined(TLSCOSIM_ACCEL_ONLY)
    if (!aes_present())
        return decrypt ? tlscosim_sw_internal_aes_decrypt(ctx, input, output)
                       : tlscosim_sw_internal_aes_encrypt(ctx, input, output);
#else
    if (!aes_present())
        return MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
#endif
    if ((armed_for & ~(uintptr_t)1) != (uintptr_t)ctx &&
        accel_aes_load_key((const uint8_t *)(ctx->buf + ctx->rk_offset), key_bits(ctx)) != 0)
        return MBEDTLS_ERR_AES_INVALID_KEY_LENGTH;
    accel_aes_arm(decrypt, key_bits(ctx));
    armed_for = setup_of(ctx, decrypt);
    return block_result(accel_aes_run_armed(input, output));
}

/* The common case is one compare and the driver's inline block: the loads and stores
 * of the block are most of its cost. */
#define AES_BLOCK(ctx, decrypt, input, output)                                 \
    do {                                                                       \
        if (__builtin_expect(armed_for == setup_of(ctx, decrypt), 1))          \
            return block_result(accel_aes_run_armed(input, output));           \
        return slow_block(ctx, decrypt, input, output);                        \
    } while (0)

int mbedtls_internal_aes_encrypt(mbedtls_aes_context *ctx, const unsigned char input[16],
                                 unsigned char output[16])
{
    AES_BLOCK(ctx, false, input, output);
}

int mbedtls_internal_aes_decrypt(mbedtls_aes_context *ctx, const unsigned char input[16],
                                 unsigned char output[16])
{
    AES_BLOCK(ctx, true, input, output);
}

/* -- SHA-256 -------------------------------------------------------------------------- */

/* The common case is the driver's inline block (armed by the probe). */
static __attribute__((noinline)) int sha256_slow(mbedtls_sha256_context *ctx, const unsigned char data[64])
{
    FALLBACK(sha256_present(), tlscosim_sw_internal_sha256_process(ctx, data));
    return block_result(accel_sha256_run_armed(ctx->state, data));
}

int mbedtls_internal_sha256_process(mbedtls_sha256_context *ctx, const unsigned char data[64])
{
    if (__builtin_expect(sha256_state == PRESENT, 1))
        return block_result(accel_sha256_run_armed(ctx->state, data));
    return sha256_slow(ctx, data);
}

/* 0: Mbed TLS's software from here on even where the accelerators are present; 1: the
 * accelerators again (probed anew). Only between operations: an AES context keyed in one
 * mode is not valid in the other (SHA-256 contexts are, their state is the same). */
void tlscosim_accel_use(int on)
{
    aes_state = sha256_state = on ? UNKNOWN : ABSENT;
    tlscosim_gcm_use(on);
    armed_for = 0;
}

/* How many blocks the accelerators did (their BLOCKS counters), for apps and tests;
 * 0 where they are absent. */
uint32_t tlscosim_accel_aes_blocks(void)
{
    return aes_present() ? accel_aes_blocks() : 0u;
}

uint32_t tlscosim_accel_sha256_blocks(void)
{
    return sha256_present() ? accel_sha256_blocks() : 0u;
}

#endif /* MBEDTLS_AES_ENCRYPT_ALT || MBEDTLS_SHA256_PROCESS_ALT */
