/* Runs every Mbed TLS self-test the project's configuration enables, then ECDSA P-256
 * (RFC 6979), ECDH P-256 and X25519 (RFC 7748), each timed with the DWT cycle counter.
 * Exit status 0 iff everything passed. */
#include <stdio.h>

#include "mbedtls/build_info.h"
#include "mbedtls/aes.h"
#include "mbedtls/base64.h"
#include "mbedtls/bignum.h"
#include "mbedtls/ccm.h"
#include "mbedtls/chacha20.h"
#include "mbedtls/chachapoly.h"
#include "mbedtls/cmac.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/dhm.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/gcm.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md5.h"
#include "mbedtls/nist_kw.h"
#include "mbedtls/pkcs5.h"
#include "mbedtls/poly1305.h"
#include "mbedtls/rsa.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#include "mbedtls/version.h"

#include "board.h"
#include "selftest.h"

struct self_test {
    const char *name;
    int (*run)(int verbose);
};

static const struct self_test SELF_TESTS[] = {
#if defined(MBEDTLS_MD5_C)
    {"md5", mbedtls_md5_self_test},
#endif
#if defined(MBEDTLS_SHA1_C)
    {"sha1", mbedtls_sha1_self_test},
#endif
#if defined(MBEDTLS_SHA224_C)
    {"sha224", mbedtls_sha224_self_test},
#endif
#if defined(MBEDTLS_SHA256_C)
    {"sha256", mbedtls_sha256_self_test},
#endif
#if defined(MBEDTLS_SHA384_C)
    {"sha384", mbedtls_sha384_self_test},
#endif
#if defined(MBEDTLS_SHA512_C)
    {"sha512", mbedtls_sha512_self_test},
#endif
#if defined(MBEDTLS_AES_C)
    {"aes", mbedtls_aes_self_test},
#endif
#if defined(MBEDTLS_GCM_C)
    {"gcm", mbedtls_gcm_self_test},
#endif
#if defined(MBEDTLS_CCM_C)
    {"ccm", mbedtls_ccm_self_test},
#endif
#if defined(MBEDTLS_CMAC_C)
    {"cmac", mbedtls_cmac_self_test},
#endif
#if defined(MBEDTLS_NIST_KW_C)
    {"nist_kw", mbedtls_nist_kw_self_test},
#endif
#if defined(MBEDTLS_CHACHA20_C)
    {"chacha20", mbedtls_chacha20_self_test},
#endif
#if defined(MBEDTLS_POLY1305_C)
    {"poly1305", mbedtls_poly1305_self_test},
#endif
#if defined(MBEDTLS_CHACHAPOLY_C)
    {"chachapoly", mbedtls_chachapoly_self_test},
#endif
#if defined(MBEDTLS_BASE64_C)
    {"base64", mbedtls_base64_self_test},
#endif
#if defined(MBEDTLS_BIGNUM_C)
    {"mpi", mbedtls_mpi_self_test},
#endif
#if defined(MBEDTLS_RSA_C)
    {"rsa", mbedtls_rsa_self_test},
#endif
#if defined(MBEDTLS_DHM_C)
    {"dhm", mbedtls_dhm_self_test},
#endif
#if defined(MBEDTLS_ECP_C)
    {"ecp", mbedtls_ecp_self_test},
#endif
#if defined(MBEDTLS_PKCS5_C)
    {"pkcs5", mbedtls_pkcs5_self_test},
#endif
#if defined(MBEDTLS_ENTROPY_C)
    {"entropy", mbedtls_entropy_self_test},
#endif
#if defined(MBEDTLS_CTR_DRBG_C)
    {"ctr_drbg", mbedtls_ctr_drbg_self_test},
#endif
#if defined(MBEDTLS_HMAC_DRBG_C)
    {"hmac_drbg", mbedtls_hmac_drbg_self_test},
#endif
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned reported, failed;

bool report(const char *name, int ret, uint32_t cycles)
{
    reported++;
    failed += ret != 0;
    if (ret == 0)
        printf("%s: passed\n", name);
    else
        printf("%s: FAILED (%d)\n", name, ret);
    printf("%s cycles=%lu\n", name, (unsigned long)cycles);
    return ret == 0;
}

int main(void)
{
    dwt_cycle_counter_enable();
    printf("Mbed TLS %s self-tests on %s\n", MBEDTLS_VERSION_STRING, BOARD_NAME);
    for (size_t i = 0; i < COUNT(SELF_TESTS); i++) {
        uint32_t start = dwt_cycles();
        int ret = SELF_TESTS[i].run(1);
        report(SELF_TESTS[i].name, ret, dwt_cycles() - start);
    }
    run_ecdsa_p256_rfc6979();
    run_ecdh_p256();
    run_x25519_rfc7748();
    printf("%u passed, %u failed\n", reported - failed, failed);
    return failed == 0 ? 0 : 1;
}
