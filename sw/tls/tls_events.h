/* The "@tls " event lines on stdout (UART0): one JSON object per line, built key by key.
 *   tls_ev_begin("connected"); tls_ev_int("conn", 1); tls_ev_uint("cycles", c); tls_ev_end();
 * Strings are escaped; objects nest with tls_ev_object/tls_ev_object_end. Nothing else may
 * print between begin and end (one line per event). */
#ifndef TLS_EVENTS_H
#define TLS_EVENTS_H

#include <stdint.h>

void tls_ev_begin(const char *ev);
void tls_ev_str(const char *key, const char *value);     /* NULL prints null */
void tls_ev_int(const char *key, int64_t value);
void tls_ev_uint(const char *key, uint64_t value);
void tls_ev_bool(const char *key, int value);
void tls_ev_hex(const char *key, const unsigned char *bytes, unsigned len);
void tls_ev_object(const char *key);
void tls_ev_object_end(void);
void tls_ev_end(void);

/* {"ev":"error","conn":C,"where":W,"code":N,"hex":"-0x..","text":mbedtls_strerror(N)}
 * (conn omitted when 0). */
void tls_ev_error(int conn, const char *where, int code);
/* The same with a text of the caller's (a timeout, a bad argument, a missing file). */
void tls_ev_error_text(int conn, const char *where, int code, const char *text);
/* "error" with the X.509 verification flags as well ("verify_flags", "verify_text"). */
void tls_ev_error_verify(int conn, const char *where, int code, uint32_t flags);
/* {"ev":"verify","conn":C,"flags":N,"text":mbedtls_x509_crt_verify_info} */
void tls_ev_verify(int conn, uint32_t flags);

#endif /* TLS_EVENTS_H */
