/* The server's side of one HTTP/1.0 exchange over an established TLS or DTLS session:
 * read the request head, answer 200 with --body-bytes of deterministic content (byte i of
 * the body is 'a' + i % 26, so a peer can check it without a copy), print the "http" event. */
#ifndef HTTP_RESPONSE_H
#define HTTP_RESPONSE_H

#include <stdint.h>

#include "mbedtls/ssl.h"

#include "tls_args.h"

typedef int (*tls_wait_fn)(void *ctx, uint32_t timeout_ms);

/* Byte i of the response body. */
static inline unsigned char http_body_byte(uint32_t i)
{
    return (unsigned char)('a' + i % 26u);
}

/* 0, or an Mbed TLS error after printing an "error" event (where "read" or "write"). A
 * request that is not a GET is answered 405, an unreadable one 400 (no body either way). */
int tls_server_http(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a, tls_wait_fn wait, void *wait_ctx);

#endif /* HTTP_RESPONSE_H */
