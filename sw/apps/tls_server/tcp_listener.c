/* TCP listener for tls_server (see tcp_listener.h). */
#include "tcp_listener.h"

#include <stdio.h>

#include "lwip/tcp.h"
#include "net.h"

#define BACKLOG 4u              /* accepted, not yet served; more are refused (reset) */

struct pending {
    struct tls_tcp *conn;
    ip_addr_t ip;
    uint16_t port;
};

static struct pending queue[BACKLOG];
static unsigned head, count;

static err_t accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    struct tls_tcp *conn = count < BACKLOG ? tls_tcp_from_pcb(pcb) : NULL;
    if (conn == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    struct pending *p = &queue[(head + count++) % BACKLOG];
    p->conn = conn;
    ip_addr_copy(p->ip, pcb->remote_ip);
    p->port = pcb->remote_port;
    return ERR_OK;
}

int tcp_listener_start(uint16_t port)
{
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL)
        return ERR_MEM;
    err_t err = tcp_bind(pcb, IP_ANY_TYPE, port);
    if (err != ERR_OK) {
        tcp_close(pcb);
        return err;
    }
    struct tcp_pcb *listener = tcp_listen(pcb);
    if (listener == NULL) {
        tcp_close(pcb);
        return ERR_MEM;
    }
    tcp_accept(listener, accepted);
    return ERR_OK;
}

struct tls_tcp *tcp_listener_next(char *peer, size_t size)
{
    for (;;) {
        net_poll();
        if (count > 0)
            break;
        net_idle();
    }
    struct pending *p = &queue[head];
    head = (head + 1) % BACKLOG;
    count--;
    snprintf(peer, size, "%s:%u", ip4addr_ntoa(ip_2_ip4(&p->ip)), (unsigned)p->port);
    return p->conn;
}
