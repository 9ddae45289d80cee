/* Echo server on 192.0.2.2: ICMP echo (lwIP), TCP echo and UDP echo on port 7 (RFC 862).
 * Interrupt-driven receive; the CPU sleeps (WFI) whenever there is nothing to do. Runs
 * until the host ends the run (tlscosim --host-cmd, or QEMU killed). */
#include <stdio.h>

#include "net.h"
#include "tcp_echo.h"
#include "udp_echo.h"

#define ECHO_PORT 7u

int main(void)
{
    static const struct net_config config = NET_CONFIG_STATIC;
    printf("echo: starting\n");
    if (net_start(&config) != 0)
        return 1;
    if (tcp_echo_start(ECHO_PORT) != 0 || udp_echo_start(ECHO_PORT) != 0) {
        printf("echo: cannot listen on port %u\n", ECHO_PORT);
        return 1;
    }
    printf("echo: listening on tcp/%u and udp/%u\n", ECHO_PORT, ECHO_PORT);
    for (;;) {
        net_poll();
        net_idle();
    }
}
