/* lwIP 2.2.1 options for the board: bare metal (NO_SYS), raw API only, IPv4 with ARP,
 * ICMP, UDP, TCP and DHCP. Nothing of lwIP runs in interrupt context (the MAC's handler
 * only records an event), so no lightweight protection is needed. */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define LWIP_ACD 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_STATS 0
#define LWIP_SINGLE_NETIF 1
#define IP_REASSEMBLY 1            /* fragments are reassembled (bounded by the pools below) */
#define IP_FRAG 1

/* Memory: the board has megabytes of SRAM; pools sized for a full TCP window each way. */
#define MEM_ALIGNMENT 4
#define MEM_SIZE (64 * 1024)
#define MEMP_NUM_PBUF 32
#define PBUF_POOL_SIZE 32
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 64
#define MEMP_NUM_REASSDATA 4
#define IP_REASS_MAX_PBUFS 16
#define TCP_MSS 1460
/* At most what the RX FIFO holds (10.5 KB): a peer sending a full window at line rate
 * cannot overflow it while the CPU is still busy with earlier frames. */
#define TCP_WND (6 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* No listen backlog: under a SYN flood, a new connection takes the place of the oldest
 * half-open one (tcp_alloc kills the oldest of equal priority) instead of being refused
 * until the flood's half-open connections time out, which takes minutes. */
#define TCP_LISTEN_BACKLOG 0

/* Checksums in software, generated and checked. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

#define LWIP_DEBUG 0

#endif /* LWIPOPTS_H */
