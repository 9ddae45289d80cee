/* One lwIP raw-API TCP connection (NO_SYS) as a non-blocking Mbed TLS BIO.
 * Received segments wait in a pbuf queue until Mbed TLS reads them (the window reopens
 * by what was read); sends take what lwIP's send buffer has room for, the rest is
 * MBEDTLS_ERR_SSL_WANT_WRITE. Nothing here waits except tls_tcp_connect and tls_tcp_wait,
 * which run net_poll()/net_idle() meanwhile, so waiting is measured apart from work. */
#ifndef TLS_TCP_H
#define TLS_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"

struct tls_tcp;

/* Connects, waiting at most timeout_ms; a refused connection (RST: the server not
 * listening yet) is tried again every 100 ms until then. NULL on failure with *err an
 * Mbed TLS error (MBEDTLS_ERR_NET_CONNECT_FAILED: refused until the deadline or lwIP gave
 * up; MBEDTLS_ERR_SSL_TIMEOUT: no answer at all; MBEDTLS_ERR_SSL_ALLOC_FAILED). */
struct tls_tcp *tls_tcp_connect(const ip_addr_t *ip, uint16_t port, uint32_t timeout_ms, int *err);
/* How many attempts tls_tcp_connect needed (1: the first was accepted). */
uint32_t tls_tcp_attempts(const struct tls_tcp *c);
/* Wraps a pcb accepted by a listener (the server); NULL when out of memory. */
struct tls_tcp *tls_tcp_from_pcb(struct tcp_pcb *pcb);

/* mbedtls_ssl_send_t / mbedtls_ssl_recv_t; ctx is the struct tls_tcp. recv returns 0 at
 * the peer's FIN (Mbed TLS: end of connection), MBEDTLS_ERR_NET_CONN_RESET after a reset. */
int tls_tcp_send(void *ctx, const unsigned char *buf, size_t len);
int tls_tcp_recv(void *ctx, unsigned char *buf, size_t len);

/* A wait function for tls_step_handshake (ctx: the struct tls_tcp): polls the network
 * until the connection changes (data or FIN received, data acknowledged, reset), at
 * most timeout_ms; 0, or MBEDTLS_ERR_SSL_TIMEOUT. */
int tls_tcp_wait(void *ctx, uint32_t timeout_ms);

/* Bytes received and not yet read. */
size_t tls_tcp_pending(const struct tls_tcp *c);
int tls_tcp_peer_closed(const struct tls_tcp *c);
/* Sends FIN (reset if lwIP cannot), frees everything; c may be NULL. */
void tls_tcp_close(struct tls_tcp *c);

#endif /* TLS_TCP_H */
