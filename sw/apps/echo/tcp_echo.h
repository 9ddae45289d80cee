#ifndef TCP_ECHO_H
#define TCP_ECHO_H
#include <stdint.h>
/* Echoes every TCP connection to `port` back to its peer. */
int tcp_echo_start(uint16_t port);
#endif
