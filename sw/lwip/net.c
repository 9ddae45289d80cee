/* lwIP on the LAN9118: the netif (link output, input from the RX FIFO), start-up with a
 * static address or DHCP, the main-loop poll and idle. See net.h. */
#include "net.h"

#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "lan9118.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define ETH_MTU 1500u

static struct netif board_netif;
static uint32_t rx_buffer[LAN9118_MAX_FRAME / 4u];
static uint32_t tx_buffer[LAN9118_MAX_FRAME / 4u];

static err_t link_output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    if (p->tot_len > sizeof tx_buffer)
        return ERR_IF;
    uint16_t length = pbuf_copy_partial(p, tx_buffer, p->tot_len, 0);
    return lan9118_send(tx_buffer, length) == 0 ? ERR_OK : ERR_MEM;
}

static err_t interface_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = '0';
    netif->output = etharp_output;
    netif->linkoutput = link_output;
    netif->mtu = ETH_MTU;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return lan9118_init(netif->hwaddr) == 0 ? ERR_OK : ERR_IF;
}

static void status_changed(struct netif *netif)
{
    const ip4_addr_t *ip = netif_ip4_addr(netif);
    if (!ip4_addr_isany(ip))
        printf("net: up ip=%s mac=%02x:%02x:%02x:%02x:%02x:%02x\n", ip4addr_ntoa(ip), netif->hwaddr[0],
               netif->hwaddr[1], netif->hwaddr[2], netif->hwaddr[3], netif->hwaddr[4], netif->hwaddr[5]);
}

int net_start(const struct net_config *config)
{
    ip4_addr_t ip, mask, gw;
    lwip_init();
    net_clock_start();
    IP4_ADDR(&ip, config->ip[0], config->ip[1], config->ip[2], config->ip[3]);
    IP4_ADDR(&mask, config->netmask[0], config->netmask[1], config->netmask[2], config->netmask[3]);
    IP4_ADDR(&gw, config->gateway[0], config->gateway[1], config->gateway[2], config->gateway[3]);
    if (config->use_dhcp)
        ip4_addr_set_zero(&ip), ip4_addr_set_zero(&mask), ip4_addr_set_zero(&gw);
    if (netif_add(&board_netif, &ip, &mask, &gw, NULL, interface_init, ethernet_input) == NULL) {
        printf("net: no Ethernet controller\n");
        return -1;
    }
    netif_set_default(&board_netif);
    netif_set_status_callback(&board_netif, status_changed);
    if (lan9118_link_up())
        netif_set_link_up(&board_netif);
    netif_set_up(&board_netif);
    if (config->use_dhcp)
        dhcp_start(&board_netif);
    return 0;
}

static void receive_frames(void)
{
    while (lan9118_rx_waiting()) {
        uint32_t length = lan9118_receive(rx_buffer);
        if (length == 0)
            continue;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_POOL);
        if (p == NULL)
            continue;          /* out of buffers: the frame is lost, as on a busy link */
        pbuf_take(p, rx_buffer, (u16_t)length);
        if (board_netif.input(p, &board_netif) != ERR_OK)
            pbuf_free(p);
    }
}

void net_poll(void)
{
    (void)lan9118_take_event();
    receive_frames();
    sys_check_timeouts();
}

void net_idle(void)
{
    /* WFI with interrupts masked wakes on a pending interrupt without taking it first, so
     * a frame arriving between the check and the WFI is never slept through. */
    cpu_irq_disable();
    if (!lan9118_rx_waiting())
        cpu_wfi();
    cpu_irq_enable();
}

struct netif *net_interface(void)
{
    return &board_netif;
}

void net_print_stats(void)
{
    struct lan9118_stats s;
    lan9118_stats(&s);
    printf("net: rx=%lu tx=%lu rx_discarded=%lu rx_dropped=%lu tx_no_room=%lu irqs=%lu\n",
           (unsigned long)s.rx_frames, (unsigned long)s.tx_frames, (unsigned long)s.rx_discarded,
           (unsigned long)s.rx_dropped, (unsigned long)s.tx_no_room, (unsigned long)s.interrupts);
}
