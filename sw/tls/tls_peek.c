/* See tls_peek.h. The only file reading Mbed TLS's internal handshake parameters
 * (library/ssl_misc.h): 3.6 has no mbedtls_ssl_session_reused() and frees them when the
 * handshake ends, so they are looked at while it runs. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "tls_peek.h"

#include "mbedtls/psa_util.h"
#include "ssl_misc.h"

int tls_peek_state(const mbedtls_ssl_context *ssl)
{
    return ssl->state;
}

int tls_peek_resuming(const mbedtls_ssl_context *ssl)
{
    const mbedtls_ssl_handshake_params *h = ssl->handshake;
    if (h == NULL)
        return -1;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (ssl->tls_version == MBEDTLS_SSL_VERSION_TLS1_3)
        return (h->key_exchange_mode & MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_ALL) != 0;
#endif
    return h->resume != 0;
}

uint16_t tls_peek_group(const mbedtls_ssl_context *ssl)
{
    const mbedtls_ssl_handshake_params *h = ssl->handshake;
    if (h == NULL)
        return 0;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (ssl->tls_version == MBEDTLS_SSL_VERSION_TLS1_3)
        return h->offered_group_id;
#endif
#if defined(MBEDTLS_SSL_PROTO_TLS1_2) && defined(PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY)
    if (PSA_KEY_TYPE_IS_ECC(h->xxdh_psa_type)) {
        mbedtls_ecp_group_id id = mbedtls_ecc_group_from_psa(PSA_KEY_TYPE_ECC_GET_FAMILY(h->xxdh_psa_type),
                                                            h->xxdh_psa_bits);
        return id == MBEDTLS_ECP_DP_NONE ? 0 : mbedtls_ssl_get_tls_id_from_ecp_group_id(id);
    }
#endif
    return 0;
}
