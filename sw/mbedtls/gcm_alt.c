/* Mbed TLS's GCM API (MBEDTLS_GCM_ALT) on the AES-GCM accelerator, with Mbed TLS's own
 * gcm.c as the fallback (its functions renamed tlscosim_sw_gcm_* by accel_alt.mk).
 *
 * A message runs on the core when the accelerator is present, the cipher is AES, the IV
 * is 96 bits and the core is not in the middle of another context's message (the core
 * holds one message's counter, GHASH state and lengths, and they cannot be read back);
 * otherwise the whole message runs in software, so interleaved messages stay correct.
 * Keys live in two slots, found again by their bytes: PSA sets the key up for every
 * record, and the two directions of a TLS connection keep a slot each (no re-expansion).
 *
 * Mbed TLS's update() returns every output byte at once; the core only takes whole
 * blocks (or a message's last, short one). The bytes of an unfinished block are therefore
 * kept in ctx->buf and XORed with that block's keystream, E_K(IV || counter), computed
 * with the AES API (the AES accelerator where there is one); the block goes to the core
 * once complete, or at finish(), which only hashes it. The one-shot functions give the
 * last short block straight to the core.
 *
 * Built with TLSCOSIM_ACCEL_ONLY (accel_alt.mk's hardware-only library), messages the
 * core cannot take fail (MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED, or
 * MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED without the accelerator). In the plain library
 * this file only checks that gcm_alt.h leaves room for the software context. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mbedtls/build_info.h"

#if defined(MBEDTLS_GCM_C) && !defined(MBEDTLS_GCM_ALT)

#include "gcm_alt.h"
#include "mbedtls/gcm.h"

_Static_assert(sizeof(mbedtls_gcm_context) <= TLSCOSIM_GCM_SW_CONTEXT_BYTES,
               "gcm_alt.h: TLSCOSIM_GCM_SW_CONTEXT_BYTES is too small for Mbed TLS's GCM context");
_Static_assert(_Alignof(mbedtls_gcm_context) <= _Alignof(uint64_t),
               "gcm_alt.h: Mbed TLS's GCM context needs more alignment than uint64_t");

#elif defined(MBEDTLS_GCM_ALT)

#include <stdbool.h>
#include <string.h>

#include "accel_alt.h"
#include "accel_gcm.h"
#include "mbedtls/aes.h"
#include "mbedtls/constant_time.h"
#include "mbedtls/error.h"
#include "mbedtls/gcm.h"
#include "mbedtls/platform_util.h"

enum engine { NONE, HARDWARE, SOFTWARE };

#if !defined(TLSCOSIM_ACCEL_ONLY)
void tlscosim_sw_gcm_init(void *ctx);
int tlscosim_sw_gcm_setkey(void *ctx, mbedtls_cipher_id_t cipher, const unsigned char *key, unsigned int keybits);
int tlscosim_sw_gcm_starts(void *ctx, int mode, const unsigned char *iv, size_t iv_len);
int tlscosim_sw_gcm_update_ad(void *ctx, const unsigned char *add, size_t add_len);
int tlscosim_sw_gcm_update(void *ctx, const unsigned char *input, size_t input_length,
                           unsigned char *output, size_t output_size, size_t *output_length);
int tlscosim_sw_gcm_finish(void *ctx, unsigned char *output, size_t output_size, size_t *output_length,
                           unsigned char *tag, size_t tag_len);
void tlscosim_sw_gcm_free(void *ctx);
#define SW(ctx) ((void *)(ctx)->sw.bytes)
#endif

#define HW_FAILED MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED
#define CHECK_HW(call) do { if ((call) != 0) return HW_FAILED; } while (0)

/* -- the core: presence, its one message, its key slots -------------------------------- */

static enum { UNKNOWN, ABSENT, PRESENT } presence = UNKNOWN;

static bool gcm_present(void)
{
    if (presence == UNKNOWN)
        presence = accel_gcm_present() ? PRESENT : ABSENT;
    return presence == PRESENT;
}

/* tlscosim_accel_use() (accel_alt.c): keys set while off stay in software. */
void tlscosim_gcm_use(int on)
{
    presence = on ? UNKNOWN : ABSENT;
}

/* The GCM core's BLOCKS counter, for apps (0 where it is absent or not used). */
uint32_t tlscosim_accel_gcm_blocks(void)
{
    return gcm_present() ? accel_gcm_blocks() : 0u;
}

static const mbedtls_gcm_context *hw_owner;     /* whose message the core holds */

static void release(const mbedtls_gcm_context *ctx)
{
    if (hw_owner == ctx)
        hw_owner = NULL;
}

static struct {
    unsigned char key[32];
    uint16_t bits;
} slots[ACCEL_GCM_SLOTS];
static unsigned victim;                          /* the slot used least recently */

/* The slot holding ctx's key, loading it into the least recently used one if none does. */
static int slot_params(const mbedtls_gcm_context *ctx, uint32_t *params)
{
    unsigned bytes = ctx->keybits / 8u, s;
    for (s = 0; s < ACCEL_GCM_SLOTS; s++)
        if (slots[s].bits == ctx->keybits && memcmp(slots[s].key, ctx->key, bytes) == 0)
            break;
    if (s == ACCEL_GCM_SLOTS) {
        s = victim;
        CHECK_HW(accel_gcm_load_key(s, ctx->key, ctx->keybits));
        memcpy(slots[s].key, ctx->key, bytes);
        slots[s].bits = ctx->keybits;
    }
    victim = s ^ 1u;
    *params = accel_gcm_params(s, ctx->keybits);
    return 0;
}

/* -- software fallback -------------------------------------------------------------------- */

#if !defined(TLSCOSIM_ACCEL_ONLY)
/* The software context gets the key only when a message needs it. */
static int software_message(mbedtls_gcm_context *ctx)
{
    if (!ctx->sw_keyed) {
        int ret = tlscosim_sw_gcm_setkey(SW(ctx), MBEDTLS_CIPHER_ID_AES, ctx->key, ctx->keybits);
        if (ret != 0)
            return ret;
        ctx->sw_keyed = 1;
    }
    ctx->msg_engine = SOFTWARE;
    return 0;
}
#endif

/* -- API ---------------------------------------------------------------------------------- */

void mbedtls_gcm_init(mbedtls_gcm_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
#if !defined(TLSCOSIM_ACCEL_ONLY)
    tlscosim_sw_gcm_init(SW(ctx));
#endif
}

int mbedtls_gcm_setkey(mbedtls_gcm_context *ctx, mbedtls_cipher_id_t cipher, const unsigned char *key,
                       unsigned int keybits)
{
    release(ctx);
    ctx->msg_engine = NONE;
    ctx->sw_keyed = 0;
    bool hw_key = cipher == MBEDTLS_CIPHER_ID_AES && (keybits == 128 || keybits == 192 || keybits == 256);
#if !defined(TLSCOSIM_ACCEL_ONLY)
    if (!hw_key || !gcm_present()) {
        ctx->key_engine = SOFTWARE;
        return tlscosim_sw_gcm_setkey(SW(ctx), cipher, key, keybits);
    }
#else
    if (!gcm_present())
        return HW_FAILED;
    if (cipher != MBEDTLS_CIPHER_ID_AES)
        return MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED;
    if (!hw_key)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
#endif
    ctx->key_engine = HARDWARE;
    ctx->keybits = (uint16_t)keybits;
    memcpy(ctx->key, key, keybits / 8u);
    return 0;
}

int mbedtls_gcm_starts(mbedtls_gcm_context *ctx, int mode, const unsigned char *iv, size_t iv_len)
{
    if (iv_len == 0)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    bool hw = ctx->key_engine == HARDWARE && iv_len == ACCEL_GCM_IV_BYTES &&
              (hw_owner == NULL || hw_owner == ctx);
    if (!hw) {
        release(ctx);
#if !defined(TLSCOSIM_ACCEL_ONLY)
        int ret = ctx->key_engine == SOFTWARE ? (ctx->msg_engine = SOFTWARE, 0) : software_message(ctx);
        return ret != 0 ? ret : tlscosim_sw_gcm_starts(SW(ctx), mode, iv, iv_len);
#else
        ctx->msg_engine = NONE;
        return ctx->key_engine == HARDWARE ? MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED : MBEDTLS_ERR_GCM_BAD_INPUT;
#endif
    }
    hw_owner = ctx;
    ctx->msg_engine = NONE;           /* until INIT has run */
    int ret = slot_params(ctx, &ctx->params);
    if (ret != 0)
        return ret;
    CHECK_HW(accel_gcm_init(ctx->params, iv));
    memcpy(ctx->iv, iv, ACCEL_GCM_IV_BYTES);
    ctx->mode = (unsigned char)mode;
    ctx->len = ctx->add_len = 0;
    ctx->ctr = 2;                     /* the core's CTR after INIT */
    ctx->pending = 0;
    ctx->msg_engine = HARDWARE;
    return 0;
}

int mbedtls_gcm_update_ad(mbedtls_gcm_context *ctx, const unsigned char *add, size_t add_len)
{
#if !defined(TLSCOSIM_ACCEL_ONLY)
    if (ctx->msg_engine == SOFTWARE)
        return tlscosim_sw_gcm_update_ad(SW(ctx), add, add_len);
#endif
    /* The core counts bytes in 32 bits (rtl/gcm_core.py); AAD after text is not GCM. */
    if (ctx->msg_engine != HARDWARE || ctx->len != 0 || (uint64_t)ctx->add_len + add_len > UINT32_MAX)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    ctx->add_len += add_len;
    if (ctx->pending != 0) {
        size_t use = ACCEL_GCM_BLOCK_BYTES - ctx->pending;
        if (use > add_len)
            use = add_len;
        memcpy(ctx->buf + ctx->pending, add, use);
        ctx->pending = (unsigned char)(ctx->pending + use);
        add += use;
        add_len -= use;
        if (ctx->pending < ACCEL_GCM_BLOCK_BYTES)
            return 0;
        CHECK_HW(accel_gcm_aad(ctx->params, ctx->buf, ACCEL_GCM_BLOCK_BYTES));
        ctx->pending = 0;
    }
    for (; add_len >= ACCEL_GCM_BLOCK_BYTES; add += ACCEL_GCM_BLOCK_BYTES, add_len -= ACCEL_GCM_BLOCK_BYTES)
        CHECK_HW(accel_gcm_aad(ctx->params, add, ACCEL_GCM_BLOCK_BYTES));
    memcpy(ctx->buf, add, add_len);
    ctx->pending = (unsigned char)add_len;
    return 0;
}

/* The AAD's short last block, before the first text byte. */
static int flush_aad(mbedtls_gcm_context *ctx)
{
    if (ctx->len == 0 && ctx->pending != 0) {
        CHECK_HW(accel_gcm_aad(ctx->params, ctx->buf, ctx->pending));
        ctx->pending = 0;
    }
    return 0;
}

static void xor_bytes(unsigned char *out, const unsigned char *a, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] ^ b[i];
}

/* E_K(IV || counter) of the unfinished block, with the AES API. */
static int compute_keystream(mbedtls_gcm_context *ctx)
{
    unsigned char block[16];
    mbedtls_aes_context aes;
    memcpy(block, ctx->iv, ACCEL_GCM_IV_BYTES);
    for (unsigned i = 0; i < 4u; i++)                   /* the counter, big-endian */
        block[ACCEL_GCM_IV_BYTES + i] = (unsigned char)(ctx->ctr >> (24u - 8u * i));
    mbedtls_aes_init(&aes);
    int ret = mbedtls_aes_setkey_enc(&aes, ctx->key, ctx->keybits);
    if (ret == 0)
        ret = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, block, ctx->keystream);
    mbedtls_aes_free(&aes);
    return ret;
}

/* Text through the core. `last`: no text follows, so a short last block goes to the
 * core at once instead of being kept. */
static int hw_text(mbedtls_gcm_context *ctx, const unsigned char *in, size_t n, unsigned char *out, bool last)
{
    bool decrypt = ctx->mode == MBEDTLS_GCM_DECRYPT;
    int ret = flush_aad(ctx);
    if (ret != 0)
        return ret;
    if (ctx->len + n > UINT32_MAX)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    ctx->len += n;
    if (ctx->pending != 0) {            /* an unfinished block: its keystream is known */
        size_t use = ACCEL_GCM_BLOCK_BYTES - ctx->pending;
        if (use > n)
            use = n;
        memcpy(ctx->buf + ctx->pending, in, use);        /* before out: they may overlap */
        xor_bytes(out, in, ctx->keystream + ctx->pending, use);
        ctx->pending = (unsigned char)(ctx->pending + use);
        in += use;
        out += use;
        n -= use;
        if (ctx->pending < ACCEL_GCM_BLOCK_BYTES)
            return 0;
        CHECK_HW(accel_gcm_crypt_block(ctx->params, decrypt, ctx->buf, NULL, ACCEL_GCM_BLOCK_BYTES));
        ctx->pending = 0;
        ctx->ctr++;
    }
    size_t blocks = n / ACCEL_GCM_BLOCK_BYTES, rest = n % ACCEL_GCM_BLOCK_BYTES;
    CHECK_HW(accel_gcm_crypt_blocks(ctx->params, decrypt, in, out, blocks));
    ctx->ctr += (uint32_t)blocks;
    in += blocks * ACCEL_GCM_BLOCK_BYTES;
    out += blocks * ACCEL_GCM_BLOCK_BYTES;
    if (rest == 0)
        return 0;
    if (last) {
        CHECK_HW(accel_gcm_crypt_block(ctx->params, decrypt, in, out, (unsigned)rest));
        ctx->ctr++;
        return 0;
    }
    memcpy(ctx->buf, in, rest);
    if ((ret = compute_keystream(ctx)) != 0)
        return ret;
    xor_bytes(out, in, ctx->keystream, rest);
    ctx->pending = (unsigned char)rest;
    return 0;
}

static int update_checks(const unsigned char *input, size_t input_length, const unsigned char *output,
                         size_t output_size)
{
    if (output_size < input_length)
        return MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL;
    if (output > input && (size_t)(output - input) < input_length)
        return MBEDTLS_ERR_GCM_BAD_INPUT;    /* as gcm.c: only exact overlap is allowed */
    return 0;
}

int mbedtls_gcm_update(mbedtls_gcm_context *ctx, const unsigned char *input, size_t input_length,
                       unsigned char *output, size_t output_size, size_t *output_length)
{
#if !defined(TLSCOSIM_ACCEL_ONLY)
    if (ctx->msg_engine == SOFTWARE)
        return tlscosim_sw_gcm_update(SW(ctx), input, input_length, output, output_size, output_length);
#endif
    int ret = update_checks(input, input_length, output, output_size);
    if (ret != 0)
        return ret;
    *output_length = input_length;
    if (input_length == 0)
        return 0;
    if (ctx->msg_engine != HARDWARE)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    return hw_text(ctx, input, input_length, output, false);
}

int mbedtls_gcm_finish(mbedtls_gcm_context *ctx, unsigned char *output, size_t output_size,
                       size_t *output_length, unsigned char *tag, size_t tag_len)
{
#if !defined(TLSCOSIM_ACCEL_ONLY)
    if (ctx->msg_engine == SOFTWARE)
        return tlscosim_sw_gcm_finish(SW(ctx), output, output_size, output_length, tag, tag_len);
#endif
    (void)output;
    (void)output_size;
    *output_length = 0;
    if (tag_len > 16 || tag_len < 4 || ctx->msg_engine != HARDWARE)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    int ret = flush_aad(ctx);
    if (ret != 0)
        return ret;
    if (ctx->pending != 0) {            /* already output: the core only hashes it */
        CHECK_HW(accel_gcm_crypt_block(ctx->params, ctx->mode == MBEDTLS_GCM_DECRYPT, ctx->buf, NULL,
                                       ctx->pending));
        ctx->pending = 0;
    }
    unsigned char full[ACCEL_GCM_BLOCK_BYTES];
    ret = accel_gcm_tag(ctx->params, full) == 0 ? 0 : HW_FAILED;
    memcpy(tag, full, tag_len);
    mbedtls_platform_zeroize(full, sizeof full);
    mbedtls_platform_zeroize(ctx->keystream, sizeof ctx->keystream);
    ctx->msg_engine = NONE;
    release(ctx);
    return ret;
}

int mbedtls_gcm_crypt_and_tag(mbedtls_gcm_context *ctx, int mode, size_t length, const unsigned char *iv,
                              size_t iv_len, const unsigned char *add, size_t add_len,
                              const unsigned char *input, unsigned char *output, size_t tag_len,
                              unsigned char *tag)
{
    size_t olen;
    int ret = mbedtls_gcm_starts(ctx, mode, iv, iv_len);
    if (ret == 0)
        ret = mbedtls_gcm_update_ad(ctx, add, add_len);
    if (ret != 0)
        return ret;
    if (ctx->msg_engine == HARDWARE) {
        if ((ret = update_checks(input, length, output, length)) != 0 ||
            (length != 0 && (ret = hw_text(ctx, input, length, output, true)) != 0))
            return ret;
    } else if ((ret = mbedtls_gcm_update(ctx, input, length, output, length, &olen)) != 0) {
        return ret;
    }
    return mbedtls_gcm_finish(ctx, NULL, 0, &olen, tag, tag_len);
}

int mbedtls_gcm_auth_decrypt(mbedtls_gcm_context *ctx, size_t length, const unsigned char *iv, size_t iv_len,
                             const unsigned char *add, size_t add_len, const unsigned char *tag,
                             size_t tag_len, const unsigned char *input, unsigned char *output)
{
    unsigned char check_tag[16];
    if (tag_len > 16 || tag_len < 4)
        return MBEDTLS_ERR_GCM_BAD_INPUT;
    int ret = mbedtls_gcm_crypt_and_tag(ctx, MBEDTLS_GCM_DECRYPT, length, iv, iv_len, add, add_len, input,
                                        output, tag_len, check_tag);
    if (ret != 0)
        return ret;
    if (mbedtls_ct_memcmp(tag, check_tag, tag_len) != 0) {
        mbedtls_platform_zeroize(output, length);
        return MBEDTLS_ERR_GCM_AUTH_FAILED;
    }
    return 0;
}

void mbedtls_gcm_free(mbedtls_gcm_context *ctx)
{
    if (ctx == NULL)
        return;
    release(ctx);
#if !defined(TLSCOSIM_ACCEL_ONLY)
    tlscosim_sw_gcm_free(SW(ctx));
#endif
    mbedtls_platform_zeroize(ctx, sizeof *ctx);
}

#endif /* MBEDTLS_GCM_ALT */
