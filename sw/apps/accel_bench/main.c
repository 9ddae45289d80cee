/* Crypto cycle counts through Mbed TLS's public APIs, measured with the DWT cycle
 * counter: AES-128/256 single blocks and key setup, AES-128-GCM and AES-128-CCM and
 * SHA-256 over 16 B/64 B, 1 KiB and 16 KiB. Built twice from this file: accel_bench
 * (Mbed TLS on the accelerators) and accel_bench_sw (plain Mbed TLS). Prints
 * "bench <name> bytes=<n> cycles=<c>" lines for `tlscosim bench crypto`. */
#include <stdio.h>
#include <string.h>

#include "dwt.h"
#include "mbedtls/aes.h"
#include "mbedtls/ccm.h"
#include "mbedtls/gcm.h"
#include "mbedtls/sha256.h"

#define BLOCK_RUNS 16u          /* single-block figures: the mean of this many calls */
#define MAX_BYTES 16384u

static unsigned char in[MAX_BYTES], out[MAX_BYTES];
static unsigned char key[32], iv[16], tag[16];
static unsigned failures;
static uint32_t overhead;       /* cycles of an empty measurement */

static void report(const char *name, unsigned bytes, uint32_t cycles)
{
    printf("bench %s bytes=%u cycles=%lu\n", name, bytes, (unsigned long)cycles);
}

static void check(int ret)
{
    if (ret != 0)
        failures++;
}

#define MEASURE(var, code)                      \
    do {                                        \
        uint32_t start_ = dwt_cycles();         \
        code;                                   \
        var = dwt_cycles() - start_ - overhead; \
    } while (0)

static void aes_blocks(unsigned bits, const char *enc_name, const char *dec_name, const char *setkey_name)
{
    mbedtls_aes_context ctx;
    uint32_t cycles;
    mbedtls_aes_init(&ctx);
    MEASURE(cycles, check(mbedtls_aes_setkey_enc(&ctx, key, bits)));
    report(setkey_name, 0, cycles);
    /* The first block after a new key (the accelerator expands the key then). */
    MEASURE(cycles, check(mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, in, out)));
    printf("bench %s_first bytes=16 cycles=%lu\n", enc_name, (unsigned long)cycles);
    MEASURE(cycles, for (unsigned i = 0; i < BLOCK_RUNS; i++)
                        check(mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, in + 16u * i, out + 16u * i)));
    report(enc_name, 16, cycles / BLOCK_RUNS);
    check(mbedtls_aes_setkey_dec(&ctx, key, bits));
    check(mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_DECRYPT, in, out));
    MEASURE(cycles, for (unsigned i = 0; i < BLOCK_RUNS; i++)
                        check(mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_DECRYPT, in + 16u * i, out + 16u * i)));
    report(dec_name, 16, cycles / BLOCK_RUNS);
    mbedtls_aes_free(&ctx);
}

static const unsigned SIZES[] = {16u, 1024u, 16384u};
static const unsigned SHA_SIZES[] = {64u, 1024u, 16384u};

static void aead(void)
{
    uint32_t cycles;
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    check(mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128));
    for (unsigned s = 0; s < 3; s++) {
        MEASURE(cycles, check(mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, SIZES[s], iv, 12, NULL, 0,
                                                        in, out, 16, tag)));
        report("gcm128", SIZES[s], cycles);
    }
    mbedtls_gcm_free(&gcm);
    mbedtls_ccm_context ccm;
    mbedtls_ccm_init(&ccm);
    check(mbedtls_ccm_setkey(&ccm, MBEDTLS_CIPHER_ID_AES, key, 128));
    for (unsigned s = 0; s < 3; s++) {
        MEASURE(cycles, check(mbedtls_ccm_encrypt_and_tag(&ccm, SIZES[s], iv, 12, NULL, 0, in, out, tag, 16)));
        report("ccm128", SIZES[s], cycles);
    }
    mbedtls_ccm_free(&ccm);
}

static void sha(void)
{
    uint32_t cycles;
    unsigned char digest[32];
    for (unsigned s = 0; s < 3; s++) {
        MEASURE(cycles, check(mbedtls_sha256(in, SHA_SIZES[s], digest, 0)));
        report("sha256", SHA_SIZES[s], cycles);
    }
}

int main(void)
{
    for (unsigned i = 0; i < MAX_BYTES; i++)
        in[i] = (unsigned char)(i * 7u + 1u);
    for (unsigned i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(0xA5u ^ i);
    memset(iv, 0x3C, sizeof iv);
    dwt_cycle_counter_enable();
    uint32_t start = dwt_cycles();
    overhead = dwt_cycles() - start;
    aes_blocks(128u, "aes128_enc", "aes128_dec", "aes128_setkey");
    aes_blocks(256u, "aes256_enc", "aes256_dec", "aes256_setkey");
    aead();
    sha();
    printf("bench done failures=%u\n", failures);
    return failures ? 1 : 0;
}
