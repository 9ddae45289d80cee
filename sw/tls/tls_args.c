/* Command-line parsing for the TLS apps: see tls_args.h. */
#include "tls_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/ecp.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ciphersuites.h"

static int fail(struct tls_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->error, sizeof a->error, fmt, ap);
    va_end(ap);
    return 2;
}

/* A whole decimal number in [min, max]. */
static int parse_number(const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_ipv4(const char *text, uint8_t ip[4])
{
    unsigned b[4];
    char tail;
    if (sscanf(text, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        if (b[i] > 255)
            return -1;
        ip[i] = (uint8_t)b[i];
    }
    return 0;
}

static const char *default_suite(int tls13)
{
    return tls13 ? "TLS1-3-AES-128-GCM-SHA256" : "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256";
}

/* The suite must exist in this build and belong to the chosen version. */
static int check_suite(struct tls_args *a)
{
    a->suite_id = mbedtls_ssl_get_ciphersuite_id(a->suite);
    const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(a->suite_id);
    if (a->suite_id == 0 || info == NULL)
        return fail(a, "unknown ciphersuite %s", a->suite);
    mbedtls_ssl_protocol_version v = a->tls13 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;
    if (info->MBEDTLS_PRIVATE(min_tls_version) > v || info->MBEDTLS_PRIVATE(max_tls_version) < v)
        return fail(a, "ciphersuite %s is not a TLS %s suite", a->suite, a->tls);
    return 0;
}

static int check_group(struct tls_args *a)
{
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_name(a->group);
    if (info == NULL || info->tls_id == 0)
        return fail(a, "unknown group %s", a->group);
    a->group_id = info->tls_id;
    return 0;
}

int tls_args_parse(int argc, char **argv, struct tls_args *a, int role)
{
    memset(a, 0, sizeof *a);
    a->role = role;
    a->server = "192.0.2.1";
    a->port = 4433;
    a->host = "tlscosim.test";
    a->tls = "1.3";
    a->tls13 = 1;
    a->group = "secp256r1";
    a->path = "/";
    a->accel = 1;
    a->timeout_ms = 10000;
    a->connections = 1;
    a->body_bytes = 1024;

    int tls_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strncmp(opt, "--", 2) != 0)
            return fail(a, "unexpected argument %s (options start with --)", opt);
        if (i + 1 >= argc)
            return fail(a, "option %s needs a value", opt);
        const char *val = argv[++i];
        long long n;
        if (!strcmp(opt, "--server")) {
            a->server = val;
        } else if (!strcmp(opt, "--port")) {
            if (parse_number(val, 1, 65535, &n))
                return fail(a, "--port wants a number 1-65535, not %s", val);
            a->port = (uint16_t)n;
        } else if (!strcmp(opt, "--host")) {
            a->host = val;
        } else if (!strcmp(opt, "--ca")) {
            a->ca = val;
        } else if (!strcmp(opt, "--cert")) {
            a->cert = val;
        } else if (!strcmp(opt, "--key")) {
            a->key = val;
        } else if (!strcmp(opt, "--tls")) {
            if (strcmp(val, "1.2") && strcmp(val, "1.3"))
                return fail(a, "--tls wants 1.2 or 1.3, not %s", val);
            a->tls = val;
            a->tls13 = !strcmp(val, "1.3");
            tls_given = 1;
        } else if (!strcmp(opt, "--suite")) {
            a->suite = val;
        } else if (!strcmp(opt, "--group")) {
            a->group = val;
        } else if (!strcmp(opt, "--debug") || !strcmp(opt, "--tls-debug")) {
            if (parse_number(val, 0, 4, &n))
                return fail(a, "--debug wants a level 0-4, not %s", val);
            a->debug = (int)n;
        } else if (!strcmp(opt, "--path")) {
            if (val[0] != '/')
                return fail(a, "--path wants a path starting with /, not %s", val);
            a->path = val;
        } else if (!strcmp(opt, "--resume")) {
            if (strcmp(val, "0") && strcmp(val, "1"))
                return fail(a, "--resume wants 0 or 1, not %s", val);
            a->resume = val[0] == '1';
        } else if (!strcmp(opt, "--accel")) {
            if (strcmp(val, "on") && strcmp(val, "off"))
                return fail(a, "--accel wants on or off, not %s", val);
            a->accel = !strcmp(val, "on");
        } else if (!strcmp(opt, "--transport")) {
            if (strcmp(val, "tls") && strcmp(val, "dtls"))
                return fail(a, "--transport wants tls or dtls, not %s", val);
            a->transport = !strcmp(val, "dtls") ? TLS_TRANSPORT_DTLS : TLS_TRANSPORT_TLS;
        } else if (!strcmp(opt, "--timeout-ms")) {
            if (parse_number(val, 1, 3600000, &n))
                return fail(a, "--timeout-ms wants a number 1-3600000, not %s", val);
            a->timeout_ms = (uint32_t)n;
        } else if (!strcmp(opt, "--time")) {
            if (parse_number(val, 0, 253402300799LL, &n))     /* up to 9999-12-31 */
                return fail(a, "--time wants seconds since 1970, not %s", val);
            a->time = n;
            a->time_given = 1;
        } else if (!strcmp(opt, "--connections")) {
            if (parse_number(val, 0, 1000000, &n))
                return fail(a, "--connections wants a number 0-1000000, not %s", val);
            a->connections = (uint32_t)n;
        } else if (!strcmp(opt, "--body-bytes")) {
            if (parse_number(val, 0, 16 * 1024 * 1024, &n))
                return fail(a, "--body-bytes wants a number 0-16777216, not %s", val);
            a->body_bytes = (uint32_t)n;
        } else {
            return fail(a, "unknown option %s", opt);
        }
    }

    if (parse_ipv4(a->server, a->server_ip))
        return fail(a, "--server wants an IPv4 address, not %s", a->server);
    if ((a->cert == NULL) != (a->key == NULL))
        return fail(a, "--cert and --key go together");
    if (role == TLS_ROLE_CLIENT && a->ca == NULL)
        return fail(a, "the client needs --ca FILE (the CA the server's certificate is checked against)");
    if (role == TLS_ROLE_SERVER && a->cert == NULL)
        return fail(a, "the server needs --cert FILE and --key FILE");
    if (a->transport == TLS_TRANSPORT_DTLS && a->tls13) {
        if (tls_given)
            return fail(a, "--transport dtls is DTLS 1.2: use --tls 1.2");
        a->tls = "1.2";                 /* the default version, for DTLS */
        a->tls13 = 0;
    }
    if (a->suite == NULL)
        a->suite = default_suite(a->tls13);
    int err = check_suite(a);
    return err ? err : check_group(a);
}
