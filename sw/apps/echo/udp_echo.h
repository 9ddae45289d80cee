#ifndef UDP_ECHO_H
#define UDP_ECHO_H
#include <stdint.h>
/* Sends every datagram received on `port` back to its sender. */
int udp_echo_start(uint16_t port);
#endif
