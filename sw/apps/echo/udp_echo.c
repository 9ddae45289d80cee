/* UDP echo: each datagram goes back to where it came from, unchanged. */
#include "udp_echo.h"

#include "lwip/udp.h"

static void received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    (void)arg;
    udp_sendto(pcb, p, addr, port);
    pbuf_free(p);
}

int udp_echo_start(uint16_t port)
{
    struct udp_pcb *pcb = udp_new();
    if (pcb == NULL || udp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK)
        return -1;
    udp_recv(pcb, received, NULL);
    return 0;
}
