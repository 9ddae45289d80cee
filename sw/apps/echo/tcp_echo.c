/* TCP echo with flow control: received data waits in a pbuf chain until the send buffer
 * takes it, and the receive window reopens (tcp_recved) only by what was sent back, so a
 * peer that sends faster than it reads is slowed down, never dropped. */
#include "tcp_echo.h"

#include <stdlib.h>

#include "lwip/tcp.h"

struct echo_conn {
    struct pbuf *pending;       /* received, not yet written back */
    int peer_closed;
};

static void close_conn(struct tcp_pcb *pcb, struct echo_conn *conn)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    if (conn) {
        if (conn->pending)
            pbuf_free(conn->pending);
        free(conn);
    }
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

/* Writes as much of the pending data as the send buffer takes. */
static void send_pending(struct tcp_pcb *pcb, struct echo_conn *conn)
{
    u16_t written = 0;
    while (conn->pending) {
        struct pbuf *p = conn->pending;
        u16_t room = tcp_sndbuf(pcb);
        if (room == 0)
            break;
        u16_t n = p->len < room ? p->len : room;
        if (tcp_write(pcb, p->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        written += n;
        if (n < p->len) {
            pbuf_remove_header(p, n);
            break;
        }
        conn->pending = p->next;
        if (p->next)
            pbuf_ref(p->next);
        pbuf_free(p);
    }
    if (written) {
        tcp_recved(pcb, written);
        tcp_output(pcb);
    }
    if (conn->peer_closed && conn->pending == NULL)
        close_conn(pcb, conn);
}

static err_t received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct echo_conn *conn = arg;
    if (p == NULL) {            /* the peer closed its side */
        conn->peer_closed = 1;
        send_pending(pcb, conn);
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    if (conn->pending)
        pbuf_cat(conn->pending, p);
    else
        conn->pending = p;
    send_pending(pcb, conn);
    return ERR_OK;
}

static err_t sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)len;
    send_pending(pcb, arg);
    return ERR_OK;
}

static void failed(void *arg, err_t err)
{
    (void)err;
    struct echo_conn *conn = arg;      /* the pcb is already gone */
    if (conn) {
        if (conn->pending)
            pbuf_free(conn->pending);
        free(conn);
    }
}

static err_t accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    struct echo_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    tcp_arg(pcb, conn);
    tcp_recv(pcb, received);
    tcp_sent(pcb, sent);
    tcp_err(pcb, failed);
    return ERR_OK;
}

int tcp_echo_start(uint16_t port)
{
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK)
        return -1;
    struct tcp_pcb *listener = tcp_listen(pcb);
    if (listener == NULL)
        return -1;
    tcp_accept(listener, accepted);
    return 0;
}
