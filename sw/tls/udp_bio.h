/* One lwIP raw-API UDP endpoint as an Mbed TLS BIO for DTLS: received datagrams wait in a
 * small queue, one datagram per read (DTLS needs record boundaries), and reads never block
 * (MBEDTLS_ERR_SSL_WANT_READ when the queue is empty), so the caller's wait loop, not
 * Mbed TLS, is where the board sleeps and the wait is counted.
 * A client endpoint is fixed to its server (udp_bio_connect). A server endpoint takes the
 * sender of the first datagram as its peer (udp_bio_peer) and from then on drops datagrams
 * from anyone else until udp_bio_release(), which frees it for the next client. */
#ifndef UDP_BIO_H
#define UDP_BIO_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"

struct udp_bio;

/* A server endpoint bound to local_port on every address; NULL (and *err set to an lwIP
 * err_t) when lwIP has no PCB left or the port is taken. */
struct udp_bio *udp_bio_listen(uint16_t local_port, int *err);
/* A client endpoint talking only to ip:port (an ephemeral local port). */
struct udp_bio *udp_bio_connect(const ip_addr_t *ip, uint16_t port, int *err);
void udp_bio_close(struct udp_bio *b);

/* mbedtls_ssl_send_t: one datagram to the peer; WANT_WRITE when lwIP has no buffer. */
int udp_bio_send(void *ctx, const unsigned char *buf, size_t len);
/* mbedtls_ssl_recv_t: the oldest queued datagram from the peer (cut to len), or WANT_READ. */
int udp_bio_recv(void *ctx, unsigned char *buf, size_t len);
/* mbedtls_ssl_recv_timeout_t: as udp_bio_recv, but when the queue is empty polls the network
 * (sleeping between frames) for up to timeout_ms (0: forever) and then returns
 * MBEDTLS_ERR_SSL_TIMEOUT. For callers that want Mbed TLS to block. */
int udp_bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms);

/* Copies the oldest queued datagram (cut to len) without taking it: its length, or -1 when
 * the queue is empty. */
int udp_bio_peek(const struct udp_bio *b, unsigned char *buf, size_t len);
/* Datagrams queued from the peer (a server with no peer yet: from anyone). */
int udp_bio_pending(const struct udp_bio *b);
/* Server: 1 and the peer's address once a datagram has arrived, else 0. */
int udp_bio_peer(const struct udp_bio *b, ip_addr_t *ip, uint16_t *port);
/* Server: forget the peer; with drop_queued, its queued datagrams too. */
void udp_bio_release(struct udp_bio *b, int drop_queued);
/* Datagrams dropped: queue full, or from a sender other than the peer. */
uint32_t udp_bio_dropped(const struct udp_bio *b);

#endif /* UDP_BIO_H */
