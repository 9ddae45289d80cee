/* What Mbed TLS 3.6 knows about a handshake in progress but has no public getter for. */
#ifndef TLS_PEEK_H
#define TLS_PEEK_H

#include <stdint.h>

#include "mbedtls/ssl.h"

/* The state the next mbedtls_ssl_handshake_step() runs in (enum mbedtls_ssl_states). */
int tls_peek_state(const mbedtls_ssl_context *ssl);
/* Whether the handshake in progress resumes a session: TLS 1.2 an abbreviated handshake
 * (ticket or session ID accepted), TLS 1.3 a key exchange with a PSK (a ticket); -1 when
 * no handshake is in progress (its parameters are freed at its end). */
int tls_peek_resuming(const mbedtls_ssl_context *ssl);

/* The TLS NamedGroup of the handshake's key exchange once it is known (TLS 1.3: the
 * group of the key share; TLS 1.2: the server's ECDHE curve), else 0. */
uint16_t tls_peek_group(const mbedtls_ssl_context *ssl);

#endif /* TLS_PEEK_H */
