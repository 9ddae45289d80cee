/* The server's TCP listener: connections lwIP accepts are wrapped at once (tls_tcp, so a
 * ClientHello arriving before the server gets to them is queued, not lost) and wait in a
 * short queue until the server takes them, one at a time. */
#ifndef TCP_LISTENER_H
#define TCP_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "tls_tcp.h"

/* Listens on port; 0, or an lwIP err_t. */
int tcp_listener_start(uint16_t port);
/* Waits (as long as it takes) for the next accepted connection; peer: "ip:port". */
struct tls_tcp *tcp_listener_next(char *peer, size_t size);

#endif /* TCP_LISTENER_H */
