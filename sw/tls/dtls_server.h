/* The DTLS server's stateless cookie exchange (RFC 6347 4.2.1): a client is accepted only
 * once it has echoed a cookie bound to its address and port (mbedtls_ssl_cookie), so a
 * spoofed source address costs the board one HelloVerifyRequest, not a handshake. */
#ifndef DTLS_SERVER_H
#define DTLS_SERVER_H

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"

#include "dtls_link.h"

/* Cookie keys from the DRBG, and the cookie callbacks on conf. 0 or an Mbed TLS error. */
int dtls_server_configure(mbedtls_ssl_config *conf, mbedtls_ssl_cookie_ctx *cookies,
                          mbedtls_ctr_drbg_context *drbg);

/* Waits (as long as it takes: a server waits for clients) until the oldest queued
 * datagram is a ClientHello carrying a valid cookie for its sender. Meanwhile each
 * ClientHello without one is answered by Mbed TLS with a HelloVerifyRequest (event
 * "hello_verify") and anything else is dropped (event "datagram_dropped"). On return the
 * BIO's peer is that client and ssl is reset with its transport ID: tls_step_handshake()
 * runs the whole handshake from there. 0, or an Mbed TLS error that ends the server. */
int dtls_server_accept(mbedtls_ssl_context *ssl, struct dtls_link *l, const mbedtls_ssl_cookie_ctx *cookies);

/* "ip:port" of the BIO's peer into buf (at least 22 bytes). */
void dtls_server_peer_text(const struct dtls_link *l, char *buf, size_t size);

#endif /* DTLS_SERVER_H */
