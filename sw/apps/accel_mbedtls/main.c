/* Mbed TLS through its public APIs, on the accelerators (libmbedtls-accel): AES-ECB with
 * two keys alternating (the core's one key slot), AES-CBC-256, AES-128-GCM, AES-128-CCM,
 * SHA-256/224, three SHA-256 contexts updated in turn, HMAC-SHA-256. Every input and
 * result is printed for a test to recompute with `cryptography`, hashlib and hmac. The
 * same ELF under QEMU (no accelerators) runs Mbed TLS's software and must print the
 * same results. */
#include <stdio.h>
#include <string.h>

#include "accel_alt.h"
#include "mbedtls/aes.h"
#include "mbedtls/ccm.h"
#include "mbedtls/gcm.h"
#include "mbedtls/md.h"
#include "mbedtls/sha256.h"

static unsigned failures;

static void check(int ret, const char *what)
{
    if (ret != 0) {
        printf("FAIL %s: -0x%04x\n", what, (unsigned)-ret);
        failures++;
    }
}

static void hex(const char *label, const unsigned char *buf, size_t len)
{
    printf(" %s=", label);
    for (size_t i = 0; i < len; i++)
        printf("%02x", buf[i]);
}

/* Inputs: a fixed pattern, different per use. */
static void pattern(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed * 131u + i * 29u + (i >> 3));
}

static unsigned char data[1000], out[1000], back[1000];

static void aes_two_keys(void)
{
    unsigned char ka[16], kb[32], in[16], ca[16], cb[16];
    mbedtls_aes_context a, b;
    mbedtls_aes_init(&a);
    mbedtls_aes_init(&b);
    pattern(ka, 16, 1);
    pattern(kb, 32, 2);
    check(mbedtls_aes_setkey_enc(&a, ka, 128), "setkey a");
    check(mbedtls_aes_setkey_enc(&b, kb, 256), "setkey b");
    for (unsigned i = 0; i < 3; i++) {
        pattern(in, 16, 10 + i);
        check(mbedtls_aes_crypt_ecb(&a, MBEDTLS_AES_ENCRYPT, in, ca), "ecb a");
        check(mbedtls_aes_crypt_ecb(&b, MBEDTLS_AES_ENCRYPT, in, cb), "ecb b");
        printf("ecb");
        hex("key", ka, 16);
        hex("in", in, 16);
        hex("out", ca, 16);
        printf("\necb");
        hex("key", kb, 32);
        hex("in", in, 16);
        hex("out", cb, 16);
        printf("\n");
    }
    mbedtls_aes_free(&a);
    mbedtls_aes_free(&b);
}

static void aes_cbc(void)
{
    unsigned char key[32], iv[16], iv2[16];
    mbedtls_aes_context ctx;
    mbedtls_aes_init(&ctx);
    pattern(key, 32, 3);
    pattern(iv, 16, 4);
    memcpy(iv2, iv, 16);
    pattern(data, 64, 5);
    check(mbedtls_aes_setkey_enc(&ctx, key, 256), "cbc setkey");
    check(mbedtls_aes_crypt_cbc(&ctx, MBEDTLS_AES_ENCRYPT, 64, iv2, data, out), "cbc enc");
    check(mbedtls_aes_setkey_dec(&ctx, key, 256), "cbc setkey dec");
    memcpy(iv2, iv, 16);
    check(mbedtls_aes_crypt_cbc(&ctx, MBEDTLS_AES_DECRYPT, 64, iv2, out, back), "cbc dec");
    printf("cbc");
    hex("key", key, 32);
    hex("iv", iv, 16);
    hex("in", data, 64);
    hex("out", out, 64);
    printf(" roundtrip=%d\n", memcmp(back, data, 64) == 0);
    mbedtls_aes_free(&ctx);
}

static void aes_gcm_ccm(void)
{
    unsigned char key[16], iv[13], aad[20], tag[16];
    pattern(key, 16, 6);
    pattern(iv, 13, 7);
    pattern(aad, 20, 8);
    pattern(data, 100, 9);
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    check(mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128), "gcm setkey");
    check(mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, 100, iv, 12, aad, 20, data, out, 16, tag), "gcm");
    printf("gcm");
    hex("key", key, 16);
    hex("iv", iv, 12);
    hex("aad", aad, 20);
    hex("in", data, 100);
    hex("out", out, 100);
    hex("tag", tag, 16);
    printf("\n");
    mbedtls_gcm_free(&gcm);
    mbedtls_ccm_context ccm;
    mbedtls_ccm_init(&ccm);
    check(mbedtls_ccm_setkey(&ccm, MBEDTLS_CIPHER_ID_AES, key, 128), "ccm setkey");
    check(mbedtls_ccm_encrypt_and_tag(&ccm, 50, iv, 13, aad, 8, data, out, tag, 16), "ccm");
    printf("ccm");
    hex("key", key, 16);
    hex("iv", iv, 13);
    hex("aad", aad, 8);
    hex("in", data, 50);
    hex("out", out, 50);
    hex("tag", tag, 16);
    printf("\n");
    mbedtls_ccm_free(&ccm);
}

static void sha(void)
{
    static const size_t lengths[] = {0, 3, 64, 1000};
    unsigned char digest[32];
    for (unsigned i = 0; i < 4; i++) {
        pattern(data, lengths[i], 20 + i);
        check(mbedtls_sha256(data, lengths[i], digest, 0), "sha256");
        printf("sha256");
        hex("msg", data, lengths[i]);
        hex("digest", digest, 32);
        printf("\n");
    }
    pattern(data, 100, 30);
    check(mbedtls_sha256(data, 100, digest, 1), "sha224");
    printf("sha224");
    hex("msg", data, 100);
    hex("digest", digest, 28);
    printf("\n");
}

/* Three hashes in progress at once (as TLS keeps its transcript hashes), fed in turn in
 * chunks that do not line up with blocks. */
static void sha_contexts(void)
{
    static const size_t chunk[3] = {7, 61, 130};
    static const size_t total[3] = {300, 500, 1000};
    static unsigned char msgs[3][1000];
    mbedtls_sha256_context ctx[3];
    size_t done[3] = {0, 0, 0};
    for (unsigned c = 0; c < 3; c++) {
        pattern(msgs[c], total[c], 40 + c);
        mbedtls_sha256_init(&ctx[c]);
        check(mbedtls_sha256_starts(&ctx[c], 0), "starts");
    }
    for (int busy = 1; busy;) {
        busy = 0;
        for (unsigned c = 0; c < 3; c++) {
            size_t n = total[c] - done[c] < chunk[c] ? total[c] - done[c] : chunk[c];
            if (n) {
                check(mbedtls_sha256_update(&ctx[c], msgs[c] + done[c], n), "update");
                done[c] += n;
                busy = 1;
            }
        }
    }
    for (unsigned c = 0; c < 3; c++) {
        unsigned char digest[32];
        check(mbedtls_sha256_finish(&ctx[c], digest), "finish");
        printf("sha256 context=%u", c);
        hex("msg", msgs[c], total[c]);
        hex("digest", digest, 32);
        printf("\n");
        mbedtls_sha256_free(&ctx[c]);
    }
}

static void hmac(void)
{
    unsigned char key[20], mac[32];
    pattern(key, 20, 50);
    pattern(data, 100, 51);
    check(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, 20, data, 100, mac), "hmac");
    printf("hmac-sha256");
    hex("key", key, 20);
    hex("msg", data, 100);
    hex("mac", mac, 32);
    printf("\n");
}

int main(void)
{
    printf("accel_mbedtls\n");
    aes_two_keys();
    aes_cbc();
    aes_gcm_ccm();
    sha();
    sha_contexts();
    hmac();
    printf("blocks aes=%lu sha256=%lu\n", (unsigned long)tlscosim_accel_aes_blocks(),
           (unsigned long)tlscosim_accel_sha256_blocks());
    printf("%s: %u failures\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}
