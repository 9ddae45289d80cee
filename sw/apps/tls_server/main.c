/* tls_server: the board serves HTTPS (or HTTP over DTLS 1.2) on --port to host clients,
 * one connection at a time, --connections times (0: forever). Its certificate and key,
 * and with --ca the CA client certificates must chain to (mutual TLS), come from host
 * files through semihosting. Sessions resume from a session cache (TLS 1.2 session IDs)
 * and from tickets (TLS 1.2 tickets, TLS 1.3 PSK tickets). Whatever goes wrong with one
 * client ends that connection only ("error" event); the server goes on to the next.
 * Options, events and exit statuses: docs/tls-firmware.md. */
#include <stdio.h>
#include <string.h>

#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cache.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/ssl_ticket.h"

#include "accel_alt.h"
#include "dtls_link.h"
#include "dtls_server.h"
#include "dwt.h"
#include "net.h"
#include "platform_time.h"
#include "semihosting.h"
#include "tls_args.h"
#include "tls_events.h"
#include "tls_mem.h"
#include "tls_setup.h"
#include "tls_steps.h"
#include "tls_tcp.h"

#include "http_response.h"
#include "tcp_listener.h"

#define MAX_ARGS 48
#define TICKET_LIFETIME_S 86400u

static struct tls_args args;
static struct tls_setup setup;
static mbedtls_ssl_context ssl;
static mbedtls_ssl_cache_context cache;
static mbedtls_ssl_ticket_context tickets;
static mbedtls_ssl_cookie_ctx cookies;
static struct dtls_link link;

/* Session cache and tickets (both versions), and for DTLS the cookies. */
static int configure_server(void)
{
    mbedtls_ssl_config *conf = &setup.conf;
    mbedtls_ssl_cache_init(&cache);
    mbedtls_ssl_conf_session_cache(conf, &cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    mbedtls_ssl_ticket_init(&tickets);
    /* AES-256-GCM ticket keys, as Mbed TLS's ssl_server2 uses. */
    int ret = mbedtls_ssl_ticket_setup(&tickets, mbedtls_ctr_drbg_random, &setup.drbg, MBEDTLS_CIPHER_AES_256_GCM,
                                       TICKET_LIFETIME_S);
    if (ret != 0)
        return ret;
    mbedtls_ssl_conf_session_tickets_cb(conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse, &tickets);
    if (args.transport == TLS_TRANSPORT_DTLS)
        ret = dtls_server_configure(conf, &cookies, &setup.drbg);
    return ret;
}

/* Sends close_notify (as far as the peer lets it go out) and prints "close". */
static int close_session(int conn, int (*wait)(void *, uint32_t), void *wait_ctx)
{
    uint32_t start = dwt_cycles();
    int ret;
    while ((ret = mbedtls_ssl_close_notify(&ssl)) == MBEDTLS_ERR_SSL_WANT_WRITE
           || ret == MBEDTLS_ERR_SSL_WANT_READ)
        if ((ret = wait(wait_ctx, args.timeout_ms)) != 0)
            break;
    tls_ev_begin("close");
    tls_ev_int("conn", conn);
    tls_ev_uint("cycles", dwt_cycles() - start);
    tls_ev_bool("close_notify", ret == 0);
    tls_ev_end();
    if (ret != 0)
        tls_ev_error(conn, "close", ret);
    return ret;
}

/* Handshake, HTTP exchange, close_notify on a context whose BIO is attached. */
static int serve(int conn, int (*wait)(void *, uint32_t), void *wait_ctx)
{
    int ret = tls_step_handshake(&ssl, conn, &args, wait, wait_ctx);
    if (ret == 0)
        ret = tls_server_http(&ssl, conn, &args, wait, wait_ctx);
    if (ret == 0)
        ret = close_session(conn, wait, wait_ctx);
    return ret;
}

static void print_accepted(int conn, const char *peer)
{
    tls_ev_begin("accepted");
    tls_ev_int("conn", conn);
    tls_ev_str("peer", peer);
    tls_ev_end();
}

static int serve_tcp_connection(int conn)
{
    char peer[24];
    struct tls_tcp *c = tcp_listener_next(peer, sizeof peer);
    print_accepted(conn, peer);
    int ret = mbedtls_ssl_session_reset(&ssl);
    if (ret == 0) {
        mbedtls_ssl_set_bio(&ssl, c, tls_tcp_send, tls_tcp_recv, NULL);
        ret = serve(conn, tls_tcp_wait, c);
    } else {
        tls_ev_error(conn, "handshake", ret);
    }
    tls_tcp_close(c);
    return ret;
}

static int serve_dtls_association(int conn)
{
    char peer[24];
    int ret = dtls_server_accept(&ssl, &link, &cookies);
    if (ret != 0) {
        tls_ev_error(conn, "handshake", ret);
        return ret;
    }
    dtls_server_peer_text(&link, peer, sizeof peer);
    print_accepted(conn, peer);
    ret = serve(conn, dtls_link_wait, &link);
    /* The next client starts from an empty queue: what is left is this one's. */
    udp_bio_release(link.bio, 1);
    return ret;
}

static int listen_on_port(void)
{
    int err;
    if (args.transport == TLS_TRANSPORT_DTLS) {
        link.bio = udp_bio_listen(args.port, &err);
        if (link.bio != NULL)
            dtls_link_attach(&ssl, &link);
    } else {
        err = tcp_listener_start(args.port);
    }
    if (err != 0) {
        char text[64];
        snprintf(text, sizeof text, "cannot listen on port %u (lwIP error %d)", (unsigned)args.port, err);
        tls_ev_error_text(0, "config", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, text);
        return -1;
    }
    tls_ev_begin("listening");
    tls_ev_uint("port", args.port);
    tls_ev_str("transport", args.transport == TLS_TRANSPORT_DTLS ? "dtls" : "tls");
    tls_ev_end();
    return 0;
}

/* The "done" event, then the exit: 0 all served, 1 a failure, 2 a bad command line. */
__attribute__((noreturn)) static void finish(uint32_t served, uint32_t failed, int status)
{
    tls_ev_begin("done");
    tls_ev_bool("ok", status == 0);
    tls_ev_uint("connections", served);
    tls_ev_uint("failed", failed);
    tls_ev_end();
    semihosting_exit(status);
}

int main(void)
{
    static char line[1024];
    char *argv[MAX_ARGS];
    dwt_cycle_counter_enable();
    tls_mem_start();
    int argc = semihosting_argv(line, sizeof line, argv, MAX_ARGS);
    int bad = tls_args_parse(argc, argv, &args, TLS_ROLE_SERVER);
    tlscosim_accel_use(args.accel);
    tls_print_boot("tls_server", &args);
    if (bad) {
        tls_ev_error_text(0, "config", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, args.error);
        finish(0, 0, bad);
    }
    if (args.time_given)
        tlscosim_time_set(args.time);
    tls_print_config(&args);

    struct net_config net = NET_CONFIG_STATIC;
    if (net_start(&net) != 0) {
        tls_ev_error_text(0, "config", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, "no Ethernet controller");
        finish(0, 0, 1);
    }
    int ret = tls_setup_init(&setup, &args);
    if (ret == 0 && (ret = configure_server()) != 0)
        tls_ev_error(0, "config", ret);
    mbedtls_ssl_init(&ssl);
    if (ret == 0 && (ret = mbedtls_ssl_setup(&ssl, &setup.conf)) != 0)
        tls_ev_error(0, "config", ret);
    if (ret != 0 || listen_on_port() != 0)
        finish(0, 0, 1);

    uint32_t served = 0, failed = 0;
    while (args.connections == 0 || served < args.connections) {
        served++;
        int conn = (int)served;
        ret = args.transport == TLS_TRANSPORT_DTLS ? serve_dtls_association(conn) : serve_tcp_connection(conn);
        failed += ret != 0;
    }

    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_ticket_free(&tickets);
    mbedtls_ssl_cache_free(&cache);
    if (args.transport == TLS_TRANSPORT_DTLS) {
        mbedtls_ssl_cookie_free(&cookies);
        dtls_link_close(&link);
    }
    tls_setup_free(&setup);
    finish(served, failed, failed == 0 ? 0 : 1);
}
