/* The board on the network: lwIP (NO_SYS) over the LAN9118, driven from the main loop.
 *   net_start(&config); for (;;) { net_poll(); net_idle(); }
 * net_poll() reads every received frame and runs lwIP's timers; net_idle() sleeps (WFI)
 * until the next interrupt (a frame or the clock tick) unless work is waiting. */
#ifndef NET_H
#define NET_H

#include <stdint.h>

#include "lwip/netif.h"

#define NET_TICK_HZ 100u        /* lwIP's clock: 10 ms resolution is plenty for its timers */

struct net_config {
    int use_dhcp;               /* 0: the static address below */
    uint8_t ip[4], netmask[4], gateway[4];
};

/* 192.0.2.2/24 (documentation addresses), gateway 192.0.2.1: the host end of the link. */
#define NET_CONFIG_STATIC { 0, {192, 0, 2, 2}, {255, 255, 255, 0}, {192, 0, 2, 1} }

/* Brings the interface up; returns 0, or -1 when there is no Ethernet controller. */
int net_start(const struct net_config *config);
void net_poll(void);
void net_idle(void);
struct netif *net_interface(void);
void net_clock_start(void);
void net_print_stats(void);

#endif /* NET_H */
