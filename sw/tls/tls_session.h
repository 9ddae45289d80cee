/* One TLS connection over lwIP TCP and its phases. Each phase is a function of its own
 * (noinline, external) so the profiler's calling-context tree splits cycles by phase:
 * tls_handshake_full, tls_handshake_resumed, tls_http_exchange, tls_close. */
#ifndef TLS_SESSION_H
#define TLS_SESSION_H

#include <stdint.h>

#include "mbedtls/ssl.h"

#include "dtls_link.h"
#include "tls_args.h"
#include "tls_tcp.h"

struct tls_conn {
    int conn;                   /* 1, 2, ...: the "conn" of the events */
    struct tls_tcp *tcp;        /* --transport tls */
    struct dtls_link dtls;      /* --transport dtls: UDP endpoint and retransmission timer */
    int (*wait)(void *ctx, uint32_t timeout_ms);    /* the transport's: tls_tcp_wait, dtls_link_wait */
    void *wait_ctx;
    mbedtls_ssl_context ssl;
    int peer_close_notify;      /* the peer's close_notify was received */
};

/* Connects (TCP; for DTLS a UDP endpoint to the server: event "connected") and sets up the TLS context on it (SNI = a->host);
 * session, when not NULL, is offered for resumption. Returns 0 or an Mbed TLS error
 * (event "error" printed). tls_conn_free frees it all, also after a failure. */
int tls_conn_open(struct tls_conn *c, int conn, const mbedtls_ssl_config *conf, const struct tls_args *a,
                  const mbedtls_ssl_session *session);
void tls_conn_free(struct tls_conn *c);

/* The handshake (events "step", "handshake", on failure "verify"/"error"). */
int tls_handshake_full(struct tls_conn *c, const struct tls_args *a);
int tls_handshake_resumed(struct tls_conn *c, const struct tls_args *a);

/* GET a->path (HTTP/1.0), the response read to the end of the connection; event "http".
 * TLS 1.3 session tickets arriving meanwhile are stored in *ticket (when not NULL) and
 * *have_ticket set. Returns 0 or an Mbed TLS error (event "error", where write or read). */
int tls_http_exchange(struct tls_conn *c, const struct tls_args *a, mbedtls_ssl_session *ticket,
                      int *have_ticket);

/* Sends close_notify and closes the TCP connection; event "close". */
int tls_close(struct tls_conn *c, const struct tls_args *a);

#endif /* TLS_SESSION_H */
