/* UDP BIO for DTLS over lwIP's raw API (see udp_bio.h). lwIP's receive callback runs from
 * net_poll() in the main loop, never in an interrupt, so the queue needs no locking. */
#include "udp_bio.h"

#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/udp.h"
#include "mbedtls/net_sockets.h"   /* the MBEDTLS_ERR_NET_* codes only (MBEDTLS_NET_C is off) */
#include "mbedtls/ssl.h"
#include "net.h"

#define UDP_BIO_QUEUE 16u       /* a DTLS flight is a handful of datagrams */
#define UDP_BIO_MAX 2u          /* one client and one server endpoint per firmware */

struct datagram {
    struct pbuf *p;
    ip_addr_t ip;
    uint16_t port;
};

struct udp_bio {
    struct udp_pcb *pcb;
    int is_server;
    int has_peer;               /* a client always has one */
    ip_addr_t peer_ip;
    uint16_t peer_port;
    struct datagram queue[UDP_BIO_QUEUE];
    unsigned head, count;
    uint32_t dropped;
};

static struct udp_bio endpoints[UDP_BIO_MAX];

static int is_peer(const struct udp_bio *b, const ip_addr_t *ip, uint16_t port)
{
    return b->has_peer && ip_addr_cmp(&b->peer_ip, ip) && b->peer_port == port;
}

static void received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *ip, u16_t port)
{
    struct udp_bio *b = arg;
    (void)pcb;
    if (b->is_server && !b->has_peer) {
        b->has_peer = 1;
        ip_addr_copy(b->peer_ip, *ip);
        b->peer_port = port;
    }
    if (!is_peer(b, ip, port) || b->count == UDP_BIO_QUEUE) {
        b->dropped++;
        pbuf_free(p);
        return;
    }
    struct datagram *d = &b->queue[(b->head + b->count++) % UDP_BIO_QUEUE];
    d->p = p;
    ip_addr_copy(d->ip, *ip);
    d->port = port;
}

static struct udp_bio *open_endpoint(int is_server, uint16_t local_port, int *err)
{
    struct udp_bio *b = NULL;
    for (unsigned i = 0; i < UDP_BIO_MAX && b == NULL; i++)
        if (endpoints[i].pcb == NULL)
            b = &endpoints[i];
    *err = ERR_MEM;
    if (b == NULL)
        return NULL;
    memset(b, 0, sizeof *b);
    b->pcb = udp_new();
    if (b->pcb == NULL)
        return NULL;
    *err = udp_bind(b->pcb, IP_ANY_TYPE, local_port);
    if (*err != ERR_OK) {
        udp_remove(b->pcb);
        b->pcb = NULL;
        return NULL;
    }
    b->is_server = is_server;
    udp_recv(b->pcb, received, b);
    return b;
}

struct udp_bio *udp_bio_listen(uint16_t local_port, int *err)
{
    return open_endpoint(1, local_port, err);
}

struct udp_bio *udp_bio_connect(const ip_addr_t *ip, uint16_t port, int *err)
{
    struct udp_bio *b = open_endpoint(0, 0, err);
    if (b == NULL)
        return NULL;
    *err = udp_connect(b->pcb, ip, port);
    if (*err != ERR_OK) {
        udp_bio_close(b);
        return NULL;
    }
    b->has_peer = 1;
    ip_addr_copy(b->peer_ip, *ip);
    b->peer_port = port;
    return b;
}

static void drop_queue(struct udp_bio *b)
{
    while (b->count > 0) {
        pbuf_free(b->queue[b->head].p);
        b->head = (b->head + 1) % UDP_BIO_QUEUE;
        b->count--;
    }
}

void udp_bio_close(struct udp_bio *b)
{
    if (b == NULL || b->pcb == NULL)
        return;
    drop_queue(b);
    udp_remove(b->pcb);
    b->pcb = NULL;
}

int udp_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct udp_bio *b = ctx;
    if (!b->has_peer)
        return MBEDTLS_ERR_NET_SEND_FAILED;
    if (len > 0xffffu)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (p == NULL)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    pbuf_take(p, buf, (u16_t)len);
    err_t e = udp_sendto(b->pcb, p, &b->peer_ip, b->peer_port);
    pbuf_free(p);
    if (e == ERR_MEM)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return e == ERR_OK ? (int)len : MBEDTLS_ERR_NET_SEND_FAILED;
}

int udp_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct udp_bio *b = ctx;
    if (b->count == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    struct datagram *d = &b->queue[b->head];
    /* A datagram longer than the buffer loses its tail, as recv() on a UDP socket does:
     * Mbed TLS then drops the broken record. */
    u16_t n = pbuf_copy_partial(d->p, buf, (u16_t)(len < d->p->tot_len ? len : d->p->tot_len), 0);
    pbuf_free(d->p);
    b->head = (b->head + 1) % UDP_BIO_QUEUE;
    b->count--;
    return n;
}

int udp_bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms)
{
    struct udp_bio *b = ctx;
    uint32_t start = sys_now();
    for (;;) {
        net_poll();
        if (b->count > 0)
            return udp_bio_recv(ctx, buf, len);
        if (timeout_ms != 0 && sys_now() - start >= timeout_ms)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        net_idle();
    }
}

int udp_bio_peek(const struct udp_bio *b, unsigned char *buf, size_t len)
{
    if (b->count == 0)
        return -1;
    const struct pbuf *p = b->queue[b->head].p;
    return pbuf_copy_partial(p, buf, (u16_t)(len < p->tot_len ? len : p->tot_len), 0);
}

int udp_bio_pending(const struct udp_bio *b)
{
    return (int)b->count;
}

int udp_bio_peer(const struct udp_bio *b, ip_addr_t *ip, uint16_t *port)
{
    if (!b->has_peer)
        return 0;
    ip_addr_copy(*ip, b->peer_ip);
    *port = b->peer_port;
    return 1;
}

void udp_bio_release(struct udp_bio *b, int drop_queued)
{
    if (drop_queued)
        drop_queue(b);
    /* Whatever is still queued came from the peer: it stays the peer only if it sent more. */
    b->has_peer = b->count > 0;
}

uint32_t udp_bio_dropped(const struct udp_bio *b)
{
    return b->dropped;
}
