/* The handshake, one step at a time: see tls_steps.h. */
#include "tls_steps.h"

#include <stdio.h>

#include "mbedtls/ecp.h"

#include "accel_alt.h"
#include "dwt.h"
#include "tls_events.h"
#include "tls_mem.h"
#include "tls_peek.h"

static const char *const STATE_NAMES[] = {
    "HELLO_REQUEST", "CLIENT_HELLO", "SERVER_HELLO", "SERVER_CERTIFICATE", "SERVER_KEY_EXCHANGE",
    "CERTIFICATE_REQUEST", "SERVER_HELLO_DONE", "CLIENT_CERTIFICATE", "CLIENT_KEY_EXCHANGE",
    "CERTIFICATE_VERIFY", "CLIENT_CHANGE_CIPHER_SPEC", "CLIENT_FINISHED", "SERVER_CHANGE_CIPHER_SPEC",
    "SERVER_FINISHED", "FLUSH_BUFFERS", "HANDSHAKE_WRAPUP", "NEW_SESSION_TICKET",
    "SERVER_HELLO_VERIFY_REQUEST_SENT", "HELLO_RETRY_REQUEST", "ENCRYPTED_EXTENSIONS",
    "END_OF_EARLY_DATA", "CLIENT_CERTIFICATE_VERIFY", "CLIENT_CCS_AFTER_SERVER_FINISHED",
    "CLIENT_CCS_BEFORE_2ND_CLIENT_HELLO", "SERVER_CCS_AFTER_SERVER_HELLO", "CLIENT_CCS_AFTER_CLIENT_HELLO",
    "SERVER_CCS_AFTER_HELLO_RETRY_REQUEST", "HANDSHAKE_OVER", "TLS1_3_NEW_SESSION_TICKET",
    "TLS1_3_NEW_SESSION_TICKET_FLUSH",
};
_Static_assert(sizeof STATE_NAMES / sizeof STATE_NAMES[0] == MBEDTLS_SSL_TLS1_3_NEW_SESSION_TICKET_FLUSH + 1,
               "one name per mbedtls_ssl_states value");

const char *tls_state_name(int state)
{
    if (state < 0 || state >= (int)(sizeof STATE_NAMES / sizeof STATE_NAMES[0]))
        return "UNKNOWN";
    return STATE_NAMES[state];
}

static void print_step(int conn, int state, uint64_t work, uint64_t wait)
{
    tls_ev_begin("step");
    tls_ev_int("conn", conn);
    tls_ev_str("state", tls_state_name(state));
    tls_ev_uint("cycles", work);
    tls_ev_uint("wait_cycles", wait);
    tls_ev_end();
}

static int is_want(int ret)
{
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

int tls_step_handshake(mbedtls_ssl_context *ssl, int conn, const struct tls_args *a,
                       int (*wait)(void *ctx, uint32_t timeout_ms), void *wait_ctx)
{
    tls_mem_reset_peaks();
    uint32_t aes0 = tlscosim_accel_aes_blocks(), sha0 = tlscosim_accel_sha256_blocks(),
             gcm0 = tlscosim_accel_gcm_blocks();
    uint32_t start = dwt_cycles();
    uint64_t work = 0, waited = 0, state_work = 0, state_wait = 0;
    int state = -1, resumed = 0, ret = 0, timed_out = 0;
    uint16_t group = 0;

    while (!mbedtls_ssl_is_handshake_over(ssl)) {
        int next = tls_peek_state(ssl);
        if (next != state) {
            if (state >= 0)
                print_step(conn, state, state_work, state_wait);
            state = next;
            state_work = state_wait = 0;
        }
        if (tls_peek_resuming(ssl) == 1)
            resumed = 1;
        uint16_t g = tls_peek_group(ssl);
        if (g)
            group = g;
        uint32_t t0 = dwt_cycles();
        ret = mbedtls_ssl_handshake_step(ssl);
        uint32_t t1 = dwt_cycles();
        state_work += t1 - t0;
        work += t1 - t0;
        if (is_want(ret)) {
            ret = wait(wait_ctx, a->timeout_ms);
            uint32_t t2 = dwt_cycles();
            state_wait += t2 - t1;
            waited += t2 - t1;
            if (ret != 0) {
                timed_out = ret == MBEDTLS_ERR_SSL_TIMEOUT;
                break;
            }
            continue;
        }
        if (ret != 0)
            break;
    }
    if (state >= 0)
        print_step(conn, state, state_work, state_wait);
    uint32_t cycles = dwt_cycles() - start;

    tls_ev_begin("handshake");
    tls_ev_int("conn", conn);
    tls_ev_bool("ok", ret == 0);
    tls_ev_bool("resumed", ret == 0 && resumed);
    tls_ev_uint("cycles", cycles);
    tls_ev_uint("work_cycles", work);
    tls_ev_uint("wait_cycles", waited);
    if (ret == 0) {
        tls_ev_str("version", mbedtls_ssl_get_version(ssl));
        tls_ev_str("suite", mbedtls_ssl_get_ciphersuite(ssl));
        /* null: no key exchange (a TLS 1.2 abbreviated handshake) */
        const mbedtls_ecp_curve_info *info = group ? mbedtls_ecp_curve_info_from_tls_id(group) : NULL;
        tls_ev_str("group", info ? info->name : NULL);
    }
    tls_ev_uint("heap_peak", tls_mem_heap_peak());
    tls_ev_uint("stack_peak", tls_mem_stack_peak());
    tls_ev_uint("aes_blocks_hw", tlscosim_accel_aes_blocks() - aes0);
    tls_ev_uint("sha256_blocks_hw", tlscosim_accel_sha256_blocks() - sha0);
    tls_ev_uint("gcm_blocks_hw", tlscosim_accel_gcm_blocks() - gcm0);
    tls_ev_end();

    if (ret == 0)
        return 0;
    uint32_t flags = mbedtls_ssl_get_verify_result(ssl);
    int verify_failed = flags != 0 && flags != (uint32_t)-1;
    if (verify_failed)
        tls_ev_verify(conn, flags);
    if (timed_out) {
        char text[64];
        snprintf(text, sizeof text, "timeout: no data from the peer in %lu ms", (unsigned long)a->timeout_ms);
        tls_ev_error_text(conn, "handshake", ret, text);
    } else if (verify_failed) {
        tls_ev_error_verify(conn, "handshake", ret, flags);
    } else {
        tls_ev_error(conn, "handshake", ret);
    }
    return ret;
}
