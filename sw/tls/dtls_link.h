/* One DTLS association's transport: the UDP BIO and the retransmission timer, attached to
 * an Mbed TLS context, and the wait function tls_step_handshake() calls between steps. */
#ifndef DTLS_LINK_H
#define DTLS_LINK_H

#include <stdint.h>

#include "mbedtls/ssl.h"

#include "dtls_timer.h"
#include "tls_args.h"
#include "udp_bio.h"

/* Datagram size the board sends (IP MTU 1500 less IP and UDP headers): Mbed TLS fragments
 * handshake messages to fit. */
#define DTLS_LINK_MTU 1472u
/* First retransmission after 1 s, then doubling (RFC 6347 4.2.4.1). */
#define DTLS_LINK_RETRANSMIT_MIN_MS 1000u

struct dtls_link {
    struct udp_bio *bio;
    struct dtls_timer timer;
};

/* The DTLS side of a config made for --transport dtls: retransmission from 1 s doubling up
 * to --timeout-ms (at least 1 s), after which the handshake fails with
 * MBEDTLS_ERR_SSL_TIMEOUT. */
void dtls_link_configure(mbedtls_ssl_config *conf, const struct tls_args *a);
/* Non-blocking BIO (reads return WANT_READ, the wait below sleeps), timer and MTU on ssl. */
void dtls_link_attach(mbedtls_ssl_context *ssl, struct dtls_link *l);
/* Wait function for tls_step_handshake (ctx: the struct dtls_link): polls the network until
 * a datagram is queued or the retransmission timer's final delay has passed (the next step
 * then retransmits), at most timeout_ms; 0, or MBEDTLS_ERR_SSL_TIMEOUT. */
int dtls_link_wait(void *ctx, uint32_t timeout_ms);
/* Client: a UDP endpoint to --server:--port (attach it to a context next); 0 or an Mbed
 * TLS error. */
int dtls_link_connect(struct dtls_link *l, const struct tls_args *a);
/* Frees the endpoint; nothing when there is none. */
void dtls_link_close(struct dtls_link *l);

#endif /* DTLS_LINK_H */
