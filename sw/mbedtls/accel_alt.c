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
 * forget the slot's owner when it is that context. SHA-256 loads each context's chaining value before its block, so any number
 * of hashes may be in progress at once (TLS keeps several). */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mbedtls/build_info.h"

#if defined(MBEDTLS_AES_ENCRYPT_ALT) || defined(MBEDTLS_SHA256_PROCESS_ALT)

#include <stdbool.h>
#include <string.h>

#include "accel_aes.h"
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

static inline bool sha256_present(void)
{
    return __builtin_expect(sha256_state == PRESENT, 1) || probe(&sha256_state, accel_sha256_present);
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

/* The context whose key is in the core's KEY registers (its schedule is the core's). */
static const mbedtls_aes_context *key_owner;

static int store_key(mbedtls_aes_context *ctx, const unsigned char *key, unsigned int keybits)
{
    if (key_owner == ctx)
        key_owner = NULL;
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

/* Everything but the common case: the accelerator not probed yet or absent, or the
 * key slot holding another context's key. */
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
    if (accel_aes_load_key((const uint8_t *)(ctx->buf + ctx->rk_offset), key_bits(ctx)) != 0)
        return MBEDTLS_ERR_AES_INVALID_KEY_LENGTH;
    key_owner = ctx;
    return accel_aes_block(decrypt, key_bits(ctx), input, output) == 0 ? 0 : MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
}

/* The common case stays a short path into the driver: it is most of a block's cost. */
#define AES_BLOCK(ctx, decrypt, input, output)                                                    \
    do {                                                                                          \
        if (__builtin_expect(aes_state == PRESENT && key_owner == (ctx), 1))                      \
            return accel_aes_block(decrypt, key_bits(ctx), input, output) == 0                     \
                       ? 0 : MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;                                \
        return slow_block(ctx, decrypt, input, output);                                           \
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

int mbedtls_internal_sha256_process(mbedtls_sha256_context *ctx, const unsigned char data[64])
{
    FALLBACK(sha256_present(), tlscosim_sw_internal_sha256_process(ctx, data));
    return accel_sha256_block(ctx->state, data) == 0 ? 0 : MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
}

/* 0: Mbed TLS's software from here on even where the accelerators are present; 1: the
 * accelerators again (probed anew). Only between operations: an AES context keyed in one
 * mode is not valid in the other (SHA-256 contexts are, their state is the same). */
void tlscosim_accel_use(int on)
{
    aes_state = sha256_state = on ? UNKNOWN : ABSENT;
    key_owner = NULL;
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
