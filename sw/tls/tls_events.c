/* Event lines: see tls_events.h. */
#include "tls_events.h"

#include <stdio.h>
#include <string.h>

#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/x509_crt.h"

static int first;               /* no comma before the next key */

static void key(const char *k)
{
    printf(first ? "\"%s\":" : ",\"%s\":", k);
    first = 0;
}

static void string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

void tls_ev_begin(const char *ev)
{
    fputs("@tls {", stdout);
    first = 1;
    tls_ev_str("ev", ev);
}

void tls_ev_str(const char *k, const char *value)
{
    key(k);
    if (value)
        string(value);
    else
        fputs("null", stdout);
}

/* 64-bit decimal by hand: printf's %lld is not in every newlib build. */
static void decimal(uint64_t v)
{
    char digits[21];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        putchar(digits[--n]);
}

void tls_ev_int(const char *k, int64_t value)
{
    key(k);
    if (value < 0)
        putchar('-');
    decimal(value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value);
}

void tls_ev_uint(const char *k, uint64_t value)
{
    key(k);
    decimal(value);
}

void tls_ev_bool(const char *k, int value)
{
    key(k);
    fputs(value ? "true" : "false", stdout);
}

void tls_ev_hex(const char *k, const unsigned char *bytes, unsigned len)
{
    key(k);
    putchar('"');
    for (unsigned i = 0; i < len; i++)
        printf("%02x", bytes[i]);
    putchar('"');
}

void tls_ev_object(const char *k)
{
    key(k);
    putchar('{');
    first = 1;
}

void tls_ev_object_end(void)
{
    putchar('}');
    first = 0;
}

void tls_ev_end(void)
{
    fputs("}\n", stdout);
    fflush(stdout);
}

static void error_head(int conn, const char *where, int code)
{
    tls_ev_begin("error");
    if (conn)
        tls_ev_int("conn", conn);
    tls_ev_str("where", where);
    tls_ev_int("code", code);
    char hex[16];
    snprintf(hex, sizeof hex, "%s0x%04x", code < 0 ? "-" : "", (unsigned)(code < 0 ? -code : code));
    tls_ev_str("hex", hex);
}

void tls_ev_error_text(int conn, const char *where, int code, const char *text)
{
    error_head(conn, where, code);
    tls_ev_str("text", text);
    tls_ev_end();
}

/* mbedtls_strerror knows the NET module's codes only in builds with MBEDTLS_NET_C, which
 * the board has not; its lwIP BIO returns two of them. Texts as in Mbed TLS's error.c. */
static const char *net_error_text(int code)
{
#if !defined(MBEDTLS_NET_C)
    if (code == MBEDTLS_ERR_NET_CONN_RESET)
        return "NET - Connection was reset by peer";
    if (code == MBEDTLS_ERR_NET_CONNECT_FAILED)
        return "NET - The connection to the given server / port failed";
#else
    (void)code;
#endif
    return NULL;
}

/* An Mbed TLS error code in words, the NET module's included. */
static void error_text(int code, char *text, size_t size)
{
    const char *net = net_error_text(code);
    if (net)
        snprintf(text, size, "%s", net);
    else
        mbedtls_strerror(code, text, size);
}

void tls_ev_error(int conn, const char *where, int code)
{
    char text[160];
    error_text(code, text, sizeof text);
    tls_ev_error_text(conn, where, code, text);
}

/* mbedtls_x509_crt_verify_info's lines ("! The certificate has expired\n...") as one
 * string, "; " between them. */
static void verify_text(uint32_t flags, char *out, size_t size)
{
    char info[512];
    int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
    out[0] = '\0';
    if (n < 0)
        return;
    size_t used = 0;
    for (char *line = strtok(info, "\n"); line && used + 1 < size; line = strtok(NULL, "\n"))
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "; " : "", line);
}

void tls_ev_error_verify(int conn, const char *where, int code, uint32_t flags)
{
    char text[160], vtext[512];
    error_text(code, text, sizeof text);
    verify_text(flags, vtext, sizeof vtext);
    error_head(conn, where, code);
    tls_ev_str("text", text);
    tls_ev_uint("verify_flags", flags);
    tls_ev_str("verify_text", vtext);
    tls_ev_end();
}

void tls_ev_verify(int conn, uint32_t flags)
{
    char vtext[512];
    verify_text(flags, vtext, sizeof vtext);
    tls_ev_begin("verify");
    tls_ev_int("conn", conn);
    tls_ev_uint("flags", flags);
    tls_ev_str("text", vtext);
    tls_ev_end();
}
