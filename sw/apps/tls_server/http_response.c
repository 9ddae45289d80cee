/* HTTP/1.0 responder for tls_server (see http_response.h). */
#include "http_response.h"

#include <stdio.h>
#include <string.h>

#include "accel_alt.h"
#include "dwt.h"
#include "mbedtls/sha256.h"
#include "tls_events.h"

#define REQUEST_MAX 2048u       /* a request head longer than this is refused (400) */
#define CHUNK 1024u             /* body bytes per write: fits one DTLS record */

static int request_complete(const char *req, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (memcmp(req + i - 3, "\r\n\r\n", 4) == 0)
            return 1;
    return 0;
}

/* Reads until the head's blank line (or one DTLS datagram holding it). >0: bytes read
 * (request[] NUL-terminated), or an Mbed TLS error. */
static int read_request(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a, tls_wait_fn wait,
                        void *wait_ctx, char *request, size_t size)
{
    size_t len = 0;
    for (;;) {
        int ret = mbedtls_ssl_read(ssl, (unsigned char *)request + len, size - 1 - len);
        if (ret > 0) {
            len += (size_t)ret;
            request[len] = '\0';
            if (request_complete(request, len) || len == size - 1)
                return (int)len;
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            int w = wait(wait_ctx, a->timeout_ms);
            if (w == MBEDTLS_ERR_SSL_TIMEOUT) {
                char text[64];
                snprintf(text, sizeof text, "timeout: no data from the peer in %lu ms", (unsigned long)a->timeout_ms);
                tls_ev_error_text(conn, "read", w, text);
                return w;
            }
            if (w != 0) {
                tls_ev_error(conn, "read", w);
                return w;
            }
            continue;
        }
        /* A TLS 1.3 client's post-handshake messages are handled inside mbedtls_ssl_read. */
        if (ret == 0)
            ret = MBEDTLS_ERR_SSL_CONN_EOF;
        tls_ev_error(conn, "read", ret);
        return ret;
    }
}

static int write_all(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a, tls_wait_fn wait, void *wait_ctx,
                     const unsigned char *buf, size_t len)
{
    while (len > 0) {
        int ret = mbedtls_ssl_write(ssl, buf, len);
        if (ret > 0) {
            buf += ret;
            len -= (size_t)ret;
        } else if (ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ) {
            int w = wait(wait_ctx, a->timeout_ms);
            if (w != 0) {
                tls_ev_error(conn, "write", w);
                return w;
            }
        } else {
            tls_ev_error(conn, "write", ret);
            return ret;
        }
    }
    return 0;
}

/* The body's bytes from `offset` on, at most CHUNK of them; how many. */
static uint32_t fill_chunk(unsigned char chunk[CHUNK], uint32_t offset, uint32_t body)
{
    uint32_t len = body - offset < CHUNK ? body - offset : CHUNK;
    for (uint32_t i = 0; i < len; i++)
        chunk[i] = http_body_byte(offset + i);
    return len;
}

__attribute__((noinline)) int tls_server_http(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a,
                                              tls_wait_fn wait, void *wait_ctx)
{
    static char request[REQUEST_MAX + 1];
    static unsigned char chunk[CHUNK];
    uint32_t start = dwt_cycles();
    uint32_t aes0 = tlscosim_accel_aes_blocks(), sha0 = tlscosim_accel_sha256_blocks();
    uint32_t gcm0 = tlscosim_accel_gcm_blocks();

    int n = read_request(ssl, conn, a, wait, wait_ctx, request, sizeof request);
    if (n < 0)
        return n;
    int complete = request_complete(request, (size_t)n);
    int status = !complete ? 400 : strncmp(request, "GET ", 4) == 0 ? 200 : 405;
    uint32_t body = status == 200 ? a->body_bytes : 0;
    char head[160];
    int head_len = snprintf(head, sizeof head,
                            "HTTP/1.0 %d %s\r\nServer: tlscosim tls_server\r\nContent-Type: text/plain\r\n"
                            "Content-Length: %lu\r\nConnection: close\r\n\r\n",
                            status, status == 200 ? "OK" : status == 405 ? "Method Not Allowed" : "Bad Request",
                            (unsigned long)body);
    int ret = write_all(ssl, conn, a, wait, wait_ctx, (const unsigned char *)head, (size_t)head_len);

    /* The body's hash is the test's check, not TLS's work: it is computed apart and its
     * cycles and SHA-256 blocks are left out of the event's figures. */
    uint32_t hash_start = dwt_cycles(), hash_sha0 = tlscosim_accel_sha256_blocks();
    unsigned char digest[32];
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    mbedtls_sha256_starts(&sha, 0);
    for (uint32_t done = 0; done < body;) {
        uint32_t len = fill_chunk(chunk, done, body);
        mbedtls_sha256_update(&sha, chunk, len);
        done += len;
    }
    mbedtls_sha256_finish(&sha, digest);
    mbedtls_sha256_free(&sha);
    uint32_t hash_cycles = dwt_cycles() - hash_start, hash_sha = tlscosim_accel_sha256_blocks() - hash_sha0;

    for (uint32_t sent = 0; ret == 0 && sent < body;) {
        uint32_t len = fill_chunk(chunk, sent, body);
        ret = write_all(ssl, conn, a, wait, wait_ctx, chunk, len);
        sent += len;
    }
    if (ret != 0)
        return ret;

    /* The request line alone, for the event (the head may carry anything). */
    char *eol = strpbrk(request, "\r\n");
    if (eol)
        *eol = '\0';
    tls_ev_begin("http");
    tls_ev_int("conn", conn);
    tls_ev_uint("request_bytes", (uint64_t)n);
    tls_ev_str("request", request);
    tls_ev_int("status", status);
    tls_ev_uint("body_bytes", body);
    tls_ev_hex("body_sha256", digest, sizeof digest);
    tls_ev_uint("cycles", dwt_cycles() - start - hash_cycles);
    tls_ev_uint("aes_blocks_hw", tlscosim_accel_aes_blocks() - aes0);
    tls_ev_uint("sha256_blocks_hw", tlscosim_accel_sha256_blocks() - sha0 - hash_sha);
    tls_ev_uint("gcm_blocks_hw", tlscosim_accel_gcm_blocks() - gcm0);
    tls_ev_end();
    return 0;
}
