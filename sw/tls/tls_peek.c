/* See tls_peek.h. The only file reading Mbed TLS's internal handshake parameters
 * (library/ssl_misc.h): 3.6 has no mbedtls_ssl_session_reused() and frees them when the
 * handshake ends, so they are looked at while it runs. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "tls_peek.h"

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
