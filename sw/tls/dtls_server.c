/* DTLS server cookie exchange (see dtls_server.h). */
#include "dtls_server.h"

#include <stdio.h>
#include <string.h>

#include "dwt.h"
#include "net.h"
#include "tls_events.h"
#include "tls_peek.h"

/* Offsets in a DTLS 1.2 record holding a ClientHello (RFC 6347 4.1, 4.2.2, 4.2.1): record
 * header, handshake header, then client_version, random, session_id<0..32>, cookie<0..255>. */
#define RECORD_HEADER 13u
#define HANDSHAKE_HEADER 12u
#define CLIENT_HELLO_SESSION_ID (RECORD_HEADER + HANDSHAKE_HEADER + 2u + 32u)
#define CONTENT_HANDSHAKE 22u
#define HANDSHAKE_CLIENT_HELLO 1u

/* Client transport ID: IPv4 address and port, in network order. */
#define TRANSPORT_ID_LEN 6u

int dtls_server_configure(mbedtls_ssl_config *conf, mbedtls_ssl_cookie_ctx *cookies,
                          mbedtls_ctr_drbg_context *drbg)
{
    mbedtls_ssl_cookie_init(cookies);
    int ret = mbedtls_ssl_cookie_setup(cookies, mbedtls_ctr_drbg_random, drbg);
    if (ret == 0)
        mbedtls_ssl_conf_dtls_cookies(conf, mbedtls_ssl_cookie_write, mbedtls_ssl_cookie_check, cookies);
    return ret;
}

static void transport_id(const struct dtls_link *l, unsigned char id[TRANSPORT_ID_LEN])
{
    ip_addr_t ip;
    uint16_t port = 0;
    udp_bio_peer(l->bio, &ip, &port);
    uint32_t addr = ip4_addr_get_u32(ip_2_ip4(&ip));   /* already in network order */
    memcpy(id, &addr, 4);
    id[4] = (unsigned char)(port >> 8);
    id[5] = (unsigned char)port;
}

void dtls_server_peer_text(const struct dtls_link *l, char *buf, size_t size)
{
    ip_addr_t ip;
    uint16_t port = 0;
    if (!udp_bio_peer(l->bio, &ip, &port)) {
        snprintf(buf, size, "none");
        return;
    }
    snprintf(buf, size, "%s:%u", ip4addr_ntoa(ip_2_ip4(&ip)), (unsigned)port);
}

/* 1 when the queued datagram starts with an unfragmented ClientHello whose cookie checks
 * out for the peer. Only a look: Mbed TLS parses the message itself afterwards. */
static int has_valid_cookie(const struct dtls_link *l, const mbedtls_ssl_cookie_ctx *cookies,
                            const unsigned char id[TRANSPORT_ID_LEN])
{
    unsigned char head[CLIENT_HELLO_SESSION_ID + 1u + 32u + 1u + 255u];
    int n = udp_bio_peek(l->bio, head, sizeof head);
    if (n < (int)CLIENT_HELLO_SESSION_ID + 2 || head[0] != CONTENT_HANDSHAKE
        || head[RECORD_HEADER] != HANDSHAKE_CLIENT_HELLO)
        return 0;
    unsigned sid_len = head[CLIENT_HELLO_SESSION_ID];
    unsigned at = CLIENT_HELLO_SESSION_ID + 1u + sid_len;
    if (sid_len > 32u || (int)at >= n)
        return 0;
    unsigned cookie_len = head[at];
    if (cookie_len == 0 || (int)(at + 1u + cookie_len) > n)
        return 0;
    /* mbedtls_ssl_cookie_check takes a non-const context (it locks a mutex when threaded). */
    return mbedtls_ssl_cookie_check((void *)cookies, head + at + 1u, cookie_len, id, TRANSPORT_ID_LEN) == 0;
}

static void wait_for_datagram(struct dtls_link *l)
{
    for (;;) {
        net_poll();
        if (udp_bio_pending(l->bio) > 0)
            return;
        net_idle();
    }
}

/* Lets Mbed TLS answer the queued ClientHello: it sends a HelloVerifyRequest (in state
 * SERVER_HELLO) and then ends with MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED. WANT_READ means it
 * dropped the datagram as no usable ClientHello. 0 means it accepted the cookie after all
 * (a ClientHello the look above cannot read, e.g. fragmented): the handshake has begun. */
static int answer_without_cookie(mbedtls_ssl_context *ssl)
{
    int ret;
    int state;
    do {
        ret = mbedtls_ssl_handshake_step(ssl);
        state = tls_peek_state(ssl);
    } while (ret == 0 && (state <= MBEDTLS_SSL_SERVER_HELLO || state == MBEDTLS_SSL_SERVER_HELLO_VERIFY_REQUEST_SENT));
    return ret;
}

int dtls_server_accept(mbedtls_ssl_context *ssl, struct dtls_link *l, const mbedtls_ssl_cookie_ctx *cookies)
{
    unsigned char id[TRANSPORT_ID_LEN];
    char peer[24];
    for (;;) {
        wait_for_datagram(l);
        int ret = mbedtls_ssl_session_reset(ssl);
        if (ret != 0)
            return ret;
        transport_id(l, id);
        ret = mbedtls_ssl_set_client_transport_id(ssl, id, sizeof id);
        if (ret != 0)
            return ret;
        if (has_valid_cookie(l, cookies, id))
            return 0;
        uint32_t start = dwt_cycles();
        ret = answer_without_cookie(ssl);
        uint32_t cycles = dwt_cycles() - start;
        if (ret == 0)
            return 0;
        dtls_server_peer_text(l, peer, sizeof peer);
        if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
            tls_ev_begin("hello_verify");
            tls_ev_str("peer", peer);
            tls_ev_uint("cycles", cycles);
            tls_ev_end();
            /* Keep what else the client sent: its next ClientHello may be queued already. */
            udp_bio_release(l->bio, 0);
        } else {
            char hex[16];
            snprintf(hex, sizeof hex, "%s0x%04x", ret < 0 ? "-" : "", (unsigned)(ret < 0 ? -ret : ret));
            tls_ev_begin("datagram_dropped");
            tls_ev_str("peer", peer);
            tls_ev_int("code", ret);
            tls_ev_str("hex", hex);
            tls_ev_end();
            udp_bio_release(l->bio, 1);
        }
    }
}
