/* A TLS connection and its phases: see tls_session.h. */
#include "tls_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mbedtls/sha256.h"

#include "accel_alt.h"
#include "dwt.h"
#include "tls_events.h"
#include "tls_steps.h"

#define NOINLINE __attribute__((noinline))
#define HTTP_HEAD_MAX 2048u
/* How long tls_close waits for the peer's close_notify after sending ours. */
#define CLOSE_WAIT_MS 2000u     /* status line and headers of the response, kept to parse them */

int tls_conn_open(struct tls_conn *c, int conn, const mbedtls_ssl_config *conf, const struct tls_args *a,
                  const mbedtls_ssl_session *session)
{
    memset(c, 0, sizeof *c);
    c->conn = conn;
    mbedtls_ssl_init(&c->ssl);

    ip_addr_t ip;
    IP_ADDR4(&ip, a->server_ip[0], a->server_ip[1], a->server_ip[2], a->server_ip[3]);
    int err;
    uint32_t t0 = dwt_cycles();
    int dtls = a->transport == TLS_TRANSPORT_DTLS;
    if (dtls)
        err = dtls_link_connect(&c->dtls, a);
    else
        c->tcp = tls_tcp_connect(&ip, a->port, a->timeout_ms, &err);
    uint32_t cycles = dwt_cycles() - t0;
    if (dtls ? err != 0 : c->tcp == NULL) {
        if (err == MBEDTLS_ERR_SSL_TIMEOUT) {
            char text[64];
            snprintf(text, sizeof text, "timeout: no answer from the peer in %lu ms", (unsigned long)a->timeout_ms);
            tls_ev_error_text(conn, "connect", err, text);
        } else {
            tls_ev_error(conn, "connect", err);
        }
        return err;
    }
    tls_ev_begin("connected");
    tls_ev_int("conn", conn);
    tls_ev_uint("cycles", cycles);
    if (!dtls)
        tls_ev_uint("attempts", tls_tcp_attempts(c->tcp));
    tls_ev_end();

    int ret = mbedtls_ssl_setup(&c->ssl, conf);
    if (ret == 0)
        ret = mbedtls_ssl_set_hostname(&c->ssl, a->host);
    if (ret == 0 && session)
        ret = mbedtls_ssl_set_session(&c->ssl, session);
    if (ret) {
        tls_ev_error(conn, "config", ret);
        return ret;
    }
    if (dtls) {
        dtls_link_attach(&c->ssl, &c->dtls);
        c->wait = dtls_link_wait, c->wait_ctx = &c->dtls;
    } else {
        mbedtls_ssl_set_bio(&c->ssl, c->tcp, tls_tcp_send, tls_tcp_recv, NULL);
        c->wait = tls_tcp_wait, c->wait_ctx = c->tcp;
    }
    return 0;
}

void tls_conn_free(struct tls_conn *c)
{
    mbedtls_ssl_free(&c->ssl);
    tls_tcp_close(c->tcp);
    c->tcp = NULL;
    dtls_link_close(&c->dtls);
}

/* Code after the call: no tail call, which would take this phase's frame off the
 * profiler's call stack (docs/profiler.md). */
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")

NOINLINE int tls_handshake_full(struct tls_conn *c, const struct tls_args *a)
{
    int ret = tls_step_handshake(&c->ssl, c->conn, a, c->wait, c->wait_ctx);
    NO_TAIL_CALL();
    return ret;
}

NOINLINE int tls_handshake_resumed(struct tls_conn *c, const struct tls_args *a)
{
    int ret = tls_step_handshake(&c->ssl, c->conn, a, c->wait, c->wait_ctx);
    NO_TAIL_CALL();
    return ret;
}

static void timeout_error(int conn, const char *where, int code, uint32_t ms)
{
    char text[64];
    snprintf(text, sizeof text, "timeout: no data from the peer in %lu ms", (unsigned long)ms);
    tls_ev_error_text(conn, where, code, text);
}

/* The response as it arrives: the head (status line, headers) kept until its blank
 * line, the body only hashed. */
struct response {
    char head[HTTP_HEAD_MAX + 1];
    size_t head_len;
    int in_body;
    int status;
    int64_t content_length;     /* -1: none given, the body ends with the connection */
    uint64_t body_bytes;
    mbedtls_sha256_context sha;
};

/* The body hash is the test's check, not TLS's work: it runs in software so that the
 * accelerator counts stay those of TLS. */
static void hash_body(struct response *r, const unsigned char *data, size_t len, const struct tls_args *a)
{
    if (len == 0)
        return;
    tlscosim_accel_use(0);
    mbedtls_sha256_update(&r->sha, data, len);
    tlscosim_accel_use(a->accel);
    r->body_bytes += len;
}

/* The Content-Length header's value, -1 without one. */
static int64_t content_length(const char *head)
{
    static const char NAME[] = "\r\ncontent-length:";
    for (const char *p = head; (p = strchr(p, '\r')) != NULL; p++) {
        if (strncasecmp(p, NAME, sizeof NAME - 1) == 0) {
            char *end;
            long long n = strtoll(p + sizeof NAME - 1, &end, 10);
            return n >= 0 && end != p + sizeof NAME - 1 ? n : -1;
        }
    }
    return -1;
}

/* Whether the whole response is in: a body of Content-Length bytes (a server that keeps
 * the connection open for our close_notify), else only the end of the connection. */
static int complete(const struct response *r)
{
    return r->in_body && r->content_length >= 0 && r->body_bytes >= (uint64_t)r->content_length;
}

static void take(struct response *r, const unsigned char *data, size_t len, const struct tls_args *a)
{
    if (r->in_body) {
        hash_body(r, data, len, a);
        return;
    }
    size_t room = HTTP_HEAD_MAX - r->head_len, n = len < room ? len : room;
    memcpy(r->head + r->head_len, data, n);
    r->head_len += n;
    r->head[r->head_len] = '\0';
    char *end = strstr(r->head, "\r\n\r\n");
    if (end == NULL) {
        if (n < len)                /* a head longer than the buffer: all of it counted as body */
            r->in_body = 1, hash_body(r, data + n, len - n, a);
        return;
    }
    size_t head_bytes = (size_t)(end - r->head) + 4;
    r->in_body = 1;
    int major, minor, status;
    if (sscanf(r->head, "HTTP/%d.%d %d", &major, &minor, &status) == 3)
        r->status = status;
    r->content_length = content_length(r->head);
    /* what followed the head in this chunk and the earlier ones is body */
    size_t before = r->head_len - n;        /* head bytes from earlier chunks */
    hash_body(r, data + (head_bytes - before), len - (head_bytes - before), a);
}

static int write_all(struct tls_conn *c, const struct tls_args *a, const unsigned char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        int ret = mbedtls_ssl_write(&c->ssl, buf + done, len - done);
        if (ret > 0) {
            done += (size_t)ret;
        } else if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if ((ret = c->wait(c->wait_ctx, a->timeout_ms)) != 0)
                return ret;
        } else {
            return ret;
        }
    }
    return 0;
}

NOINLINE int tls_http_exchange(struct tls_conn *c, const struct tls_args *a, mbedtls_ssl_session *ticket,
                               int *have_ticket)
{
    static struct response r;        /* 2 KiB: not on the stack */
    static unsigned char buf[1024];
    uint32_t aes0 = tlscosim_accel_aes_blocks(), sha0 = tlscosim_accel_sha256_blocks(),
             gcm0 = tlscosim_accel_gcm_blocks();
    uint32_t t0 = dwt_cycles();

    memset(&r, 0, sizeof r);
    r.content_length = -1;
    mbedtls_sha256_init(&r.sha);
    mbedtls_sha256_starts(&r.sha, 0);
    int request_bytes = snprintf((char *)buf, sizeof buf, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", a->path, a->host);
    if (request_bytes < 0 || (size_t)request_bytes >= sizeof buf) {
        tls_ev_error_text(c->conn, "write", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, "request longer than 1 KiB");
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    }
    int ret = write_all(c, a, buf, (size_t)request_bytes);
    if (ret) {
        if (ret == MBEDTLS_ERR_SSL_TIMEOUT)
            timeout_error(c->conn, "write", ret, a->timeout_ms);
        else
            tls_ev_error(c->conn, "write", ret);
        return ret;
    }

    for (;;) {
        ret = mbedtls_ssl_read(&c->ssl, buf, sizeof buf);
        if (ret > 0) {
            take(&r, buf, (size_t)ret, a);
            if (complete(&r)) {
                ret = 0;
                break;
            }
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if ((ret = c->wait(c->wait_ctx, a->timeout_ms)) != 0)
                break;
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            if (ticket) {
                mbedtls_ssl_session_free(ticket);
                mbedtls_ssl_session_init(ticket);
                if (mbedtls_ssl_get_session(&c->ssl, ticket) == 0)
                    *have_ticket = 1;
            }
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            c->peer_close_notify = 1;
            ret = 0;
        } else if (ret == 0 || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
            ret = 0;                /* the server closed TCP without close_notify: HTTP/1.0 allows it */
        }
        break;
    }
    unsigned char digest[32];
    tlscosim_accel_use(0);
    mbedtls_sha256_finish(&r.sha, digest);
    tlscosim_accel_use(a->accel);
    mbedtls_sha256_free(&r.sha);
    uint32_t cycles = dwt_cycles() - t0;
    if (ret) {
        if (ret == MBEDTLS_ERR_SSL_TIMEOUT)
            timeout_error(c->conn, "read", ret, a->timeout_ms);
        else
            tls_ev_error(c->conn, "read", ret);
        return ret;
    }
    tls_ev_begin("http");
    tls_ev_int("conn", c->conn);
    tls_ev_int("request_bytes", request_bytes);
    tls_ev_int("status", r.status);
    tls_ev_uint("body_bytes", r.body_bytes);
    tls_ev_hex("body_sha256", digest, sizeof digest);
    tls_ev_uint("cycles", cycles);
    tls_ev_uint("aes_blocks_hw", tlscosim_accel_aes_blocks() - aes0);
    tls_ev_uint("sha256_blocks_hw", tlscosim_accel_sha256_blocks() - sha0);
    tls_ev_uint("gcm_blocks_hw", tlscosim_accel_gcm_blocks() - gcm0);
    tls_ev_end();
    return r.status == 0 ? MBEDTLS_ERR_SSL_BAD_INPUT_DATA : 0;
}

/* A server that waits for our close_notify answers with its own: read it (anything else
 * is dropped) so that the TCP connection is not closed under it, at most CLOSE_WAIT_MS. */
static void await_peer_close_notify(struct tls_conn *c, const struct tls_args *a)
{
    uint32_t ms = a->timeout_ms < CLOSE_WAIT_MS ? a->timeout_ms : CLOSE_WAIT_MS;
    unsigned char scrap[256];
    for (;;) {
        int ret = mbedtls_ssl_read(&c->ssl, scrap, sizeof scrap);
        if (ret > 0 || ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
            continue;
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if (c->wait(c->wait_ctx, ms) == 0)
                continue;
        }
        c->peer_close_notify = ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY;
        return;
    }
}

NOINLINE int tls_close(struct tls_conn *c, const struct tls_args *a)
{
    uint32_t t0 = dwt_cycles();
    int ret;
    while ((ret = mbedtls_ssl_close_notify(&c->ssl)) == MBEDTLS_ERR_SSL_WANT_WRITE ||
           ret == MBEDTLS_ERR_SSL_WANT_READ) {
        if ((ret = c->wait(c->wait_ctx, a->timeout_ms)) != 0)
            break;
    }
    /* A peer that closed first may have reset the connection: its close_notify ended the
     * session, ours could not be delivered, and that is no failure. */
    int sent = ret == 0;
    if (!sent && !c->peer_close_notify) {
        tls_ev_error(c->conn, "close", ret);
        return ret;
    }
    if (sent && !c->peer_close_notify)
        await_peer_close_notify(c, a);
    tls_tcp_close(c->tcp);
    c->tcp = NULL;
    tls_ev_begin("close");
    tls_ev_int("conn", c->conn);
    tls_ev_uint("cycles", dwt_cycles() - t0);
    tls_ev_bool("close_notify", sent);
    tls_ev_bool("peer_close_notify", c->peer_close_notify);
    tls_ev_end();
    return 0;
}
