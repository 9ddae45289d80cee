/* Public-key operations checked against published answers:
 *   ECDSA P-256 with SHA-256, deterministic (RFC 6979 A.2.5, message "sample");
 *   ECDH P-256 (both sides agree on the secret);
 *   X25519 (RFC 7748 section 6.1: both public keys and the shared secret). */
#include <stdio.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecdh.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/entropy.h"
#include "mbedtls/sha256.h"

#include "selftest.h"

/* RFC 6979 A.2.5 */
static const char RFC6979_X[] = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char RFC6979_UX[] = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
static const char RFC6979_UY[] = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
static const char RFC6979_R[] = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
static const char RFC6979_S[] = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";

/* RFC 7748 section 6.1 (little-endian byte strings) */
static const char X25519_ALICE_PRIV[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char X25519_ALICE_PUB[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char X25519_BOB_PRIV[] = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char X25519_BOB_PUB[] = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char X25519_SHARED[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

#define CHECK(expr)                                                                            \
    do {                                                                                       \
        if ((ret = (expr)) != 0) {                                                             \
            printf("  %s failed (%d) at line %d\n", #expr, ret, __LINE__);                    \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

/* A CTR_DRBG seeded from the board's entropy source, for blinding and key generation. */
static int rng(void *unused, unsigned char *out, size_t len)
{
    static bool seeded;
    (void)unused;
    if (!seeded) {
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
        static const unsigned char personal[] = "tlscosim mbedtls_selftest";
        int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, personal, sizeof personal);
        if (ret != 0)
            return ret;
        seeded = true;
    }
    return mbedtls_ctr_drbg_random(&drbg, out, len);
}

static size_t from_hex(const char *hex, unsigned char *out, size_t size)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n && i < size; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

static int mpi_equals_hex(const mbedtls_mpi *x, const char *hex)
{
    mbedtls_mpi want;
    mbedtls_mpi_init(&want);
    int ret = mbedtls_mpi_read_string(&want, 16, hex);
    if (ret == 0)
        ret = mbedtls_mpi_cmp_mpi(x, &want) == 0 ? 0 : -1;
    mbedtls_mpi_free(&want);
    return ret;
}

static void print_mpi(const char *label, const mbedtls_mpi *x)
{
    char hex[2 * MBEDTLS_ECP_MAX_BYTES + 2];
    size_t olen;
    if (mbedtls_mpi_write_string(x, 16, hex, sizeof hex, &olen) == 0)
        printf("  %s = %s\n", label, hex);
}

void run_ecdsa_p256_rfc6979(void)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi d, r, s;
    unsigned char hash[32];
    uint32_t keygen = 0, sign = 0, verify = 0;
    int ret;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d), mbedtls_mpi_init(&r), mbedtls_mpi_init(&s);

    CHECK(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    CHECK(mbedtls_mpi_read_string(&d, 16, RFC6979_X));
    uint32_t start = dwt_cycles();
    CHECK(mbedtls_ecp_mul(&grp, &q, &d, &grp.G, rng, NULL));
    keygen = dwt_cycles() - start;
    CHECK(mpi_equals_hex(&q.MBEDTLS_PRIVATE(X), RFC6979_UX));
    CHECK(mpi_equals_hex(&q.MBEDTLS_PRIVATE(Y), RFC6979_UY));
    CHECK(mbedtls_sha256((const unsigned char *)"sample", 6, hash, 0));
    start = dwt_cycles();
    CHECK(mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &d, hash, sizeof hash, MBEDTLS_MD_SHA256, rng, NULL));
    sign = dwt_cycles() - start;
    print_mpi("r", &r);
    print_mpi("s", &s);
    CHECK(mpi_equals_hex(&r, RFC6979_R));
    CHECK(mpi_equals_hex(&s, RFC6979_S));
    start = dwt_cycles();
    CHECK(mbedtls_ecdsa_verify(&grp, hash, sizeof hash, &q, &r, &s));
    verify = dwt_cycles() - start;
    hash[0] ^= 1; /* a different message must not verify */
    if (mbedtls_ecdsa_verify(&grp, hash, sizeof hash, &q, &r, &s) != MBEDTLS_ERR_ECP_VERIFY_FAILED) {
        printf("  a tampered hash verified\n");
        ret = -1;
    }
done:
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&d), mbedtls_mpi_free(&r), mbedtls_mpi_free(&s);
    report("ecdsa_p256_public_key", ret, keygen);
    report("ecdsa_p256_sign_rfc6979", ret, sign);
    report("ecdsa_p256_verify", ret, verify);
}

void run_ecdh_p256(void)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point qa, qb;
    mbedtls_mpi da, db, za, zb;
    uint32_t gen = 0, shared = 0;
    int ret;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&qa), mbedtls_ecp_point_init(&qb);
    mbedtls_mpi_init(&da), mbedtls_mpi_init(&db), mbedtls_mpi_init(&za), mbedtls_mpi_init(&zb);

    CHECK(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    uint32_t start = dwt_cycles();
    CHECK(mbedtls_ecdh_gen_public(&grp, &da, &qa, rng, NULL));
    gen = dwt_cycles() - start;
    CHECK(mbedtls_ecdh_gen_public(&grp, &db, &qb, rng, NULL));
    start = dwt_cycles();
    CHECK(mbedtls_ecdh_compute_shared(&grp, &za, &qb, &da, rng, NULL));
    shared = dwt_cycles() - start;
    CHECK(mbedtls_ecdh_compute_shared(&grp, &zb, &qa, &db, rng, NULL));
    CHECK(mbedtls_mpi_cmp_mpi(&za, &zb) == 0 ? 0 : -1);
    CHECK(mbedtls_ecp_check_pubkey(&grp, &qa));
done:
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&qa), mbedtls_ecp_point_free(&qb);
    mbedtls_mpi_free(&da), mbedtls_mpi_free(&db), mbedtls_mpi_free(&za), mbedtls_mpi_free(&zb);
    report("ecdh_p256_gen_public", ret, gen);
    report("ecdh_p256_shared", ret, shared);
}

/* X25519(private, base point) written as the RFC's little-endian public key. */
static int x25519_public(mbedtls_ecp_group *grp, const mbedtls_mpi *d, unsigned char out[32])
{
    mbedtls_ecp_point q;
    size_t olen;
    mbedtls_ecp_point_init(&q);
    int ret = mbedtls_ecp_mul(grp, &q, d, &grp->G, rng, NULL);
    if (ret == 0)
        ret = mbedtls_ecp_point_write_binary(grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 32);
    mbedtls_ecp_point_free(&q);
    return ret;
}

static int read_x25519_private(mbedtls_mpi *d, const char *hex)
{
    mbedtls_ecp_keypair key;
    unsigned char bytes[32];
    mbedtls_ecp_keypair_init(&key);
    from_hex(hex, bytes, sizeof bytes);
    int ret = mbedtls_ecp_read_key(MBEDTLS_ECP_DP_CURVE25519, &key, bytes, sizeof bytes);
    if (ret == 0)
        ret = mbedtls_ecp_export(&key, NULL, d, NULL);
    mbedtls_ecp_keypair_free(&key);
    return ret;
}

void run_x25519_rfc7748(void)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point bob_public;
    mbedtls_mpi alice, bob, z;
    unsigned char got[32], want[32];
    uint32_t gen = 0, shared = 0;
    int ret;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&bob_public);
    mbedtls_mpi_init(&alice), mbedtls_mpi_init(&bob), mbedtls_mpi_init(&z);

    CHECK(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519));
    CHECK(read_x25519_private(&alice, X25519_ALICE_PRIV));
    CHECK(read_x25519_private(&bob, X25519_BOB_PRIV));
    uint32_t start = dwt_cycles();
    CHECK(x25519_public(&grp, &alice, got));
    gen = dwt_cycles() - start;
    from_hex(X25519_ALICE_PUB, want, sizeof want);
    CHECK(memcmp(got, want, 32) == 0 ? 0 : -1);
    CHECK(x25519_public(&grp, &bob, got));
    from_hex(X25519_BOB_PUB, want, sizeof want);
    CHECK(memcmp(got, want, 32) == 0 ? 0 : -1);
    CHECK(mbedtls_ecp_point_read_binary(&grp, &bob_public, want, sizeof want));
    start = dwt_cycles();
    CHECK(mbedtls_ecdh_compute_shared(&grp, &z, &bob_public, &alice, rng, NULL));
    shared = dwt_cycles() - start;
    CHECK(mbedtls_mpi_write_binary_le(&z, got, sizeof got));
    from_hex(X25519_SHARED, want, sizeof want);
    CHECK(memcmp(got, want, 32) == 0 ? 0 : -1);
done:
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&bob_public);
    mbedtls_mpi_free(&alice), mbedtls_mpi_free(&bob), mbedtls_mpi_free(&z);
    report("x25519_public", ret, gen);
    report("x25519_shared_rfc7748", ret, shared);
}
