/* lwIP raw-API TCP as a non-blocking Mbed TLS BIO: see tls_tcp.h. Every lwIP call is made
 * from the main loop (NO_SYS: lwIP is not reentrant; the MAC's interrupt only flags a
 * frame), and the callbacks below only record what happened. */
#include "tls_tcp.h"

#include <stdlib.h>
#include <string.h>

#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"

#include "lwip/sys.h"
#include "net.h"

/* A refused connection (the server not listening yet, e.g. still starting on the host)
 * is tried again after this long, until the connect timeout. */
#define CONNECT_RETRY_MS 100u

struct tls_tcp {
    struct tcp_pcb *pcb;        /* NULL once lwIP dropped it (reset, abort) */
    struct pbuf *rx;            /* received, not yet read; rx_offset bytes of it already read */
    u16_t rx_offset;
    int connected;
    int peer_closed;            /* FIN received */
    err_t error;                /* what tcp_err reported, ERR_OK until then */
    uint32_t changes;           /* counts the callbacks: tls_tcp_wait waits for it to move */
    uint32_t attempts;          /* connection attempts it took (refused ones retried) */
};

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)pcb;
    struct tls_tcp *c = arg;
    c->changes++;
    if (p == NULL) {
        c->peer_closed = 1;
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    if (c->rx)
        pbuf_cat(c->rx, p);
    else
        c->rx = p;
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb;
    (void)len;
    ((struct tls_tcp *)arg)->changes++;
    return ERR_OK;
}

static void on_error(void *arg, err_t err)
{
    struct tls_tcp *c = arg;    /* lwIP has freed the pcb already */
    c->pcb = NULL;
    c->error = err == ERR_OK ? ERR_ABRT : err;
    c->changes++;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)pcb;
    struct tls_tcp *c = arg;
    c->connected = err == ERR_OK;
    c->changes++;
    return ERR_OK;
}

static struct tls_tcp *wrap(struct tcp_pcb *pcb)
{
    struct tls_tcp *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->pcb = pcb;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
    return c;
}

struct tls_tcp *tls_tcp_from_pcb(struct tcp_pcb *pcb)
{
    struct tls_tcp *c = wrap(pcb);
    if (c)
        c->connected = 1, c->attempts = 1;
    return c;
}

/* One attempt: 1 connected, 0 refused (RST: nobody listening yet), or an Mbed TLS error;
 * *out is the connection when connected. */
static int connect_once(const ip_addr_t *ip, uint16_t port, uint32_t start, uint32_t timeout_ms,
                        struct tls_tcp **out)
{
    struct tcp_pcb *pcb = tcp_new();
    struct tls_tcp *c = pcb ? wrap(pcb) : NULL;
    if (c == NULL) {
        if (pcb)
            tcp_abort(pcb);
        return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    }
    if (tcp_connect(pcb, ip, port, on_connected) != ERR_OK) {
        tls_tcp_close(c);
        return MBEDTLS_ERR_NET_CONNECT_FAILED;
    }
    while (!c->connected && c->error == ERR_OK) {
        if (sys_now() - start >= timeout_ms) {
            tls_tcp_close(c);
            return MBEDTLS_ERR_SSL_TIMEOUT;
        }
        net_poll();
        if (!c->connected && c->error == ERR_OK)
            net_idle();
    }
    if (c->connected) {
        *out = c;
        return 1;
    }
    int refused = c->error == ERR_RST;
    tls_tcp_close(c);
    return refused ? 0 : MBEDTLS_ERR_NET_CONNECT_FAILED;
}

/* Sleeps (polling the network) for ms, or until the deadline. */
static void pause_ms(uint32_t ms, uint32_t start, uint32_t timeout_ms)
{
    uint32_t t0 = sys_now();
    while (sys_now() - t0 < ms && sys_now() - start < timeout_ms) {
        net_poll();
        net_idle();
    }
}

struct tls_tcp *tls_tcp_connect(const ip_addr_t *ip, uint16_t port, uint32_t timeout_ms, int *err)
{
    uint32_t start = sys_now();
    for (uint32_t attempts = 1;; attempts++) {
        struct tls_tcp *c = NULL;
        int ret = connect_once(ip, port, start, timeout_ms, &c);
        if (ret == 1) {
            c->attempts = attempts;
            *err = 0;
            return c;
        }
        /* a server that refused before is still refusing: not a silent one */
        if (ret == MBEDTLS_ERR_SSL_TIMEOUT && attempts > 1)
            ret = MBEDTLS_ERR_NET_CONNECT_FAILED;
        if (ret < 0) {
            *err = ret;
            return NULL;
        }
        if (sys_now() - start >= timeout_ms) {   /* refused until the deadline */
            *err = MBEDTLS_ERR_NET_CONNECT_FAILED;
            return NULL;
        }
        pause_ms(CONNECT_RETRY_MS, start, timeout_ms);
    }
}

uint32_t tls_tcp_attempts(const struct tls_tcp *c)
{
    return c->attempts;
}

int tls_tcp_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct tls_tcp *c = ctx;
    if (c->pcb == NULL)
        return MBEDTLS_ERR_NET_CONN_RESET;
    size_t room = tcp_sndbuf(c->pcb);
    size_t n = len < room ? len : room;
    /* tcp_write also needs queue entries (TCP_SND_QUEUELEN): ERR_MEM is "later" too. */
    if (n == 0 || tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        tcp_output(c->pcb);
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    tcp_output(c->pcb);
    return (int)n;
}

int tls_tcp_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_tcp *c = ctx;
    if (c->rx == NULL) {
        if (c->peer_closed)
            return 0;
        return c->pcb == NULL ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_SSL_WANT_READ;
    }
    size_t copied = 0;
    while (c->rx && copied < len) {
        struct pbuf *p = c->rx;
        size_t n = p->len - c->rx_offset;
        if (n > len - copied)
            n = len - copied;
        memcpy(buf + copied, (const unsigned char *)p->payload + c->rx_offset, n);
        copied += n;
        c->rx_offset = (u16_t)(c->rx_offset + n);
        if (c->rx_offset == p->len) {        /* this pbuf is done: unlink it from the chain */
            c->rx = p->next;
            if (c->rx)
                pbuf_ref(c->rx);
            pbuf_free(p);
            c->rx_offset = 0;
        }
    }
    if (c->pcb)
        tcp_recved(c->pcb, (u16_t)copied);
    return (int)copied;
}

int tls_tcp_wait(void *ctx, uint32_t timeout_ms)
{
    struct tls_tcp *c = ctx;
    uint32_t seen = c->changes, start = sys_now();
    for (;;) {
        net_poll();
        if (c->changes != seen || c->rx || c->peer_closed || c->pcb == NULL)
            return 0;
        if (sys_now() - start >= timeout_ms)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        net_idle();
    }
}

size_t tls_tcp_pending(const struct tls_tcp *c)
{
    return c->rx ? c->rx->tot_len - c->rx_offset : 0;
}

int tls_tcp_peer_closed(const struct tls_tcp *c)
{
    return c->peer_closed || c->pcb == NULL;
}

void tls_tcp_close(struct tls_tcp *c)
{
    if (c == NULL)
        return;
    if (c->pcb) {
        tcp_arg(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        if (tcp_close(c->pcb) != ERR_OK)
            tcp_abort(c->pcb);
    }
    if (c->rx)
        pbuf_free(c->rx);
    free(c);
}
