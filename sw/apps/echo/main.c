/* Echo server on 192.0.2.2: ICMP echo (lwIP), TCP echo and UDP echo on port 7 (RFC 862).
 * Interrupt-driven receive; the CPU sleeps (WFI) whenever there is nothing to do. Runs
 * until the host ends the run (tlscosim --host-cmd, or QEMU killed). The argument `dhcp`
 * (semihosting command line: `tlscosim run echo.elf -- dhcp`) asks a DHCP server for the
 * address instead. On the UART console, 's' prints the network counters. */
#include <stdio.h>
#include <string.h>

#include "semihosting.h"

#include "console.h"
#include "net.h"
#include "tcp_echo.h"
#include "udp_echo.h"

#define ECHO_PORT 7u

int main(void)
{
    struct net_config config = NET_CONFIG_STATIC;
    char line[128];
    char *argv[8];
    int argc = semihosting_argv(line, sizeof line, argv, 8);
    for (int i = 1; i < argc; i++)
        config.use_dhcp |= strcmp(argv[i], "dhcp") == 0;
    printf("echo: starting (%s)\n", config.use_dhcp ? "dhcp" : "static address");
    if (net_start(&config) != 0)
        return 1;
    if (tcp_echo_start(ECHO_PORT) != 0 || udp_echo_start(ECHO_PORT) != 0) {
        printf("echo: cannot listen on port %u\n", ECHO_PORT);
        return 1;
    }
    printf("echo: listening on tcp/%u and udp/%u\n", ECHO_PORT, ECHO_PORT);
    console_start();
    for (;;) {
        net_poll();
        console_poll();
        net_idle();
    }
}
