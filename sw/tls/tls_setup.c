/* Common Mbed TLS set-up of the TLS apps: see tls_setup.h. */
#include "tls_setup.h"

#include <stdio.h>
#include <string.h>

#include "mbedtls/debug.h"
#include "mbedtls/error.h"
#include "mbedtls/version.h"
#include "psa/crypto.h"

#include "accel_aes.h"
#include "accel_gcm.h"
#include "accel_sha256.h"
#include "board.h"
#include "dtls_link.h"
#include "tls_events.h"

void tls_print_boot(const char *app, const struct tls_args *a)
{
    int aes = accel_aes_present(), sha = accel_sha256_present(), gcm = accel_gcm_present();
    tls_ev_begin("boot");
    tls_ev_str("app", app);
    tls_ev_str("mbedtls", MBEDTLS_VERSION_STRING);
    tls_ev_object("accel");
    tls_ev_bool("aes", aes);
    tls_ev_bool("sha256", sha);
    tls_ev_bool("gcm", gcm);
    tls_ev_bool("used", (aes || sha || gcm) && a->accel);
    tls_ev_object_end();
    tls_ev_uint("clock_hz", BOARD_CLOCK_HZ);
    tls_ev_end();
}

void tls_print_config(const struct tls_args *a)
{
    char server[24];
    snprintf(server, sizeof server, "%s:%u", a->server, a->port);
    tls_ev_begin("config");
    tls_ev_str("role", a->role == TLS_ROLE_SERVER ? "server" : "client");
    tls_ev_str("transport", a->transport == TLS_TRANSPORT_DTLS ? "dtls" : "tls");
    tls_ev_str("tls", a->tls);
    tls_ev_str("suite", a->suite);
    tls_ev_str("group", a->group);
    if (a->role == TLS_ROLE_CLIENT)
        tls_ev_str("server", server);
    else
        tls_ev_uint("port", a->port);
    tls_ev_str("host", a->host);
    tls_ev_bool("mutual", a->role == TLS_ROLE_CLIENT ? a->cert != NULL : a->ca != NULL);
    tls_ev_end();
}

/* Mbed TLS debug output (--debug N) as plain UART lines, not events. */
static void debug_line(void *ctx, int level, const char *file, int line, const char *text)
{
    (void)ctx;
    const char *base = strrchr(file, '/');
    printf("%s:%04d: |%d| %s", base ? base + 1 : file, line, level, text);
}

/* Records what verification found for each certificate of the peer's chain; the
 * decision stays Mbed TLS's (flags are left as they are). */
static int verify_certificate(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void)crt;
    (void)depth;
    struct tls_setup *s = ctx;
    s->verify_flags |= *flags;
    return 0;
}

static int load_file_error(int code, const char *what, const char *path)
{
    char text[200], reason[100];
    mbedtls_strerror(code, reason, sizeof reason);
    snprintf(text, sizeof text, "cannot load %s %s: %s", what, path, reason);
    tls_ev_error_text(0, "file", code, text);
    return code;
}

static int config_error(int code, const char *what)
{
    char text[200], reason[100];
    mbedtls_strerror(code, reason, sizeof reason);
    snprintf(text, sizeof text, "%s: %s", what, reason);
    tls_ev_error_text(0, "config", code, text);
    return code;
}

int tls_setup_init(struct tls_setup *s, const struct tls_args *a)
{
    memset(s, 0, sizeof *s);
    mbedtls_entropy_init(&s->entropy);
    mbedtls_ctr_drbg_init(&s->drbg);
    mbedtls_x509_crt_init(&s->ca);
    mbedtls_x509_crt_init(&s->cert);
    mbedtls_pk_init(&s->key);
    mbedtls_ssl_config_init(&s->conf);

    psa_status_t status = psa_crypto_init();
    if (status != PSA_SUCCESS)
        return config_error(MBEDTLS_ERR_SSL_INTERNAL_ERROR, "psa_crypto_init failed");
    static const char personalization[] = "tlscosim tls";
    int ret = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
                                    (const unsigned char *)personalization, sizeof personalization - 1);
    if (ret)
        return config_error(ret, "seeding the random generator");

    if (a->ca && (ret = mbedtls_x509_crt_parse_file(&s->ca, a->ca)) != 0)
        return load_file_error(ret, "CA certificate", a->ca);
    if (a->cert && (ret = mbedtls_x509_crt_parse_file(&s->cert, a->cert)) != 0)
        return load_file_error(ret, "certificate", a->cert);
    if (a->key && (ret = mbedtls_pk_parse_keyfile(&s->key, a->key, NULL, mbedtls_ctr_drbg_random, &s->drbg)) != 0)
        return load_file_error(ret, "key", a->key);

    int endpoint = a->role == TLS_ROLE_SERVER ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT;
    int transport = a->transport == TLS_TRANSPORT_DTLS ? MBEDTLS_SSL_TRANSPORT_DATAGRAM : MBEDTLS_SSL_TRANSPORT_STREAM;
    ret = mbedtls_ssl_config_defaults(&s->conf, endpoint, transport, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret)
        return config_error(ret, "mbedtls_ssl_config_defaults");
    if (transport == MBEDTLS_SSL_TRANSPORT_DATAGRAM)
        dtls_link_configure(&s->conf, a);
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    mbedtls_ssl_conf_dbg(&s->conf, debug_line, NULL);
    mbedtls_debug_set_threshold(a->debug);

    mbedtls_ssl_protocol_version v = a->tls13 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;
    mbedtls_ssl_conf_min_tls_version(&s->conf, v);
    mbedtls_ssl_conf_max_tls_version(&s->conf, v);
    s->suites[0] = a->suite_id;
    mbedtls_ssl_conf_ciphersuites(&s->conf, s->suites);
    /* TLS 1.3: the one group. TLS 1.2 also takes the ECDSA certificates' curves from this
     * list (RFC 8422 5.1.1), so P-256 and P-384 follow the chosen group there: the peer
     * picks the first it supports, and the handshake event reports the one it took. */
    size_t n = 0;
    s->groups[n++] = a->group_id;
    if (!a->tls13) {
        static const uint16_t CERTIFICATE_CURVES[] = {MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
                                                      MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1};
        for (size_t i = 0; i < sizeof CERTIFICATE_CURVES / sizeof CERTIFICATE_CURVES[0]; i++)
            if (CERTIFICATE_CURVES[i] != a->group_id)
                s->groups[n++] = CERTIFICATE_CURVES[i];
    }
    s->groups[n] = 0;
    mbedtls_ssl_conf_groups(&s->conf, s->groups);

    /* The client always authenticates the server; the server asks for a client
     * certificate only when it has a CA to check it against (mutual TLS). */
    if (a->ca) {
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
        mbedtls_ssl_conf_verify(&s->conf, verify_certificate, s);
    } else {
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    if (a->cert && (ret = mbedtls_ssl_conf_own_cert(&s->conf, &s->cert, &s->key)) != 0)
        return config_error(ret, "mbedtls_ssl_conf_own_cert");
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_CLI_C)
    /* TLS 1.3 tickets reach the client as MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET from
     * mbedtls_ssl_read (--resume needs them). */
    if (endpoint == MBEDTLS_SSL_IS_CLIENT)
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(&s->conf,
                                                                 MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
    return 0;
}

void tls_setup_free(struct tls_setup *s)
{
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_pk_free(&s->key);
    mbedtls_x509_crt_free(&s->cert);
    mbedtls_x509_crt_free(&s->ca);
    mbedtls_ctr_drbg_free(&s->drbg);
    mbedtls_entropy_free(&s->entropy);
    mbedtls_psa_crypto_free();
}
