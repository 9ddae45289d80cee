/* TLS client on 192.0.2.2: connects to --server:--port, does a TLS 1.3 or 1.2 handshake
 * (the server authenticated against --ca; a client certificate with --cert/--key), GETs
 * --path over HTTP/1.0, reads the response to its end, sends close_notify; with
 * --resume 1 a second connection resumes the session (TLS 1.2 ticket or ID, TLS 1.3 PSK
 * ticket). Every step is an "@tls " event line on the UART (docs/tls-firmware.md).
 * Exit status: 0 all fine, 1 a failure, 2 a bad command line. */
#include <stdio.h>
#include <string.h>

#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"

#include "accel_alt.h"
#include "dwt.h"
#include "lwip/sys.h"
#include "net.h"
#include "semihosting.h"
#include "tls_args.h"
#include "tls_events.h"
#include "tls_mem.h"
#include "tls_session.h"
#include "tls_setup.h"

#if __has_include("platform_time.h")
#include "platform_time.h"
#define HAVE_TIME_SET 1
#endif

#define MAX_ARGS 48

/* After the last FIN: lwIP's timers keep running for this long so that the FIN and the
 * last ACKs leave before the run ends. */
#define LINGER_MS 200u

static struct tls_setup setup;       /* large (contexts, certificates): not on the stack */
static struct tls_conn conn;
static mbedtls_ssl_session session;

static void linger(uint32_t ms)
{
    uint32_t start = sys_now();
    while (sys_now() - start < ms) {
        net_poll();
        net_idle();
    }
}

/* One connection: connect, handshake, GET, close. The first may keep its session (TLS 1.2
 * after the handshake, TLS 1.3 when a ticket arrives) for the second to resume. */
static int run_connection(int n, const struct tls_args *a, int resume, int *have_session)
{
    int ret = tls_conn_open(&conn, n, &setup.conf, a, resume ? &session : NULL);
    if (ret == 0)
        ret = resume ? tls_handshake_resumed(&conn, a) : tls_handshake_full(&conn, a);
    if (ret == 0 && a->resume && !resume && !a->tls13 && mbedtls_ssl_get_session(&conn.ssl, &session) == 0)
        *have_session = 1;
    if (ret == 0)
        ret = tls_http_exchange(&conn, a, a->resume && !resume && a->tls13 ? &session : NULL, have_session);
    if (ret == 0)
        ret = tls_close(&conn, a);
    tls_conn_free(&conn);
    return ret;
}

int main(void)
{
    dwt_cycle_counter_enable();
    tls_mem_start();
    static char line[1024];
    static char *argv[MAX_ARGS];
    int argc = semihosting_argv(line, sizeof line, argv, MAX_ARGS);
    static struct tls_args args;
    int bad = tls_args_parse(argc, argv, &args, TLS_ROLE_CLIENT);
    tlscosim_accel_use(args.accel);
    tls_print_boot("tls_client", &args);
    if (bad) {
        tls_ev_error_text(0, "config", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, args.error);
        tls_ev_begin("done");
        tls_ev_bool("ok", 0);
        tls_ev_int("connections", 0);
        tls_ev_end();
        return bad;
    }
    tls_print_config(&args);
    if (args.time_given) {
#if defined(HAVE_TIME_SET)
        tlscosim_time_set(args.time);
#else
        tls_ev_error_text(0, "config", MBEDTLS_ERR_SSL_BAD_INPUT_DATA, "--time: this build has no clock to set");
        return 2;
#endif
    }

    int ret = tls_setup_init(&setup, &args), connections = 0;
    struct net_config net = NET_CONFIG_STATIC;
    if (ret == 0 && net_start(&net) != 0) {
        tls_ev_error_text(0, "connect", MBEDTLS_ERR_NET_CONNECT_FAILED, "no Ethernet controller");
        ret = MBEDTLS_ERR_NET_CONNECT_FAILED;
    }
    mbedtls_ssl_session_init(&session);
    int have_session = 0;
    if (ret == 0) {
        setup.verify_flags = 0;
        ret = run_connection(1, &args, 0, &have_session);
        connections++;
    }
    if (ret == 0 && args.resume) {
        if (!have_session) {
            tls_ev_error_text(2, "handshake", MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
                              "no session to resume: the server sent no ticket or session ID");
            ret = MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        } else {
            ret = run_connection(2, &args, 1, &have_session);
            connections++;
        }
    }
    if (connections)
        linger(LINGER_MS);
    mbedtls_ssl_session_free(&session);
    tls_setup_free(&setup);

    tls_ev_begin("done");
    tls_ev_bool("ok", ret == 0);
    tls_ev_int("connections", connections);
    tls_ev_uint("heap_in_use", tls_mem_heap_in_use());
    tls_ev_end();
    return ret == 0 ? 0 : 1;
}
