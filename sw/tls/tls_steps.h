/* The handshake stepped one mbedtls_ssl_handshake_step() at a time, with the DWT cycle
 * counter read around each step and around each wait for the peer. */
#ifndef TLS_STEPS_H
#define TLS_STEPS_H

#include <stdint.h>

#include "mbedtls/ssl.h"

#include "tls_args.h"

/* Name of an mbedtls_ssl_states value without MBEDTLS_SSL_ ("SERVER_HELLO"). */
const char *tls_state_name(int state);

/* Runs the handshake of ssl to its end. WANT_READ/WANT_WRITE call wait(wait_ctx,
 * a->timeout_ms) (e.g. tls_tcp_wait); a wait that fails ends the handshake with its error.
 * Prints one "step" event per state run, then "handshake" (ok true or false) and, on
 * failure, "verify" (when the peer's certificate failed verification) and "error"
 * (where "handshake"). Returns 0 or the Mbed TLS error. Role- and transport-agnostic. */
int tls_step_handshake(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a,
                       int (*wait)(void *ctx, uint32_t timeout_ms), void *wait_ctx);

#endif /* TLS_STEPS_H */
