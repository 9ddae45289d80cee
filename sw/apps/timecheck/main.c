/* Prints the board's time as Mbed TLS sees it (mbedtls_time, mbedtls_ms_time, gmtime) and
 * what Mbed TLS concludes from it about a certificate's validity dates, for tests that
 * compare with the host's clock (tests/fw/test_fw_time*.py). Arguments, in order:
 *   --time EPOCH   set the clock first (tlscosim_time_set), as the TLS apps' --time does
 *   --cert FILE    a PEM certificate: its dates, mbedtls_x509_time_is_past/_is_future and
 *                  the flags of verifying it against itself as the trusted CA
 *   --wait-ms N    then spin until N milliseconds of board time have passed, print again
 * Exit status 0, 1 when a step fails, 2 for a bad argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/build_info.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/x509_crt.h"

#include "platform_time.h"
#include "semihosting.h"

#define MAX_ARGS 8

struct options {
    int set_time;
    int64_t epoch;
    const char *cert;
    int64_t wait_ms;
};

static int parse_int64(const char *text, int64_t min, int64_t *out)
{
    char *end;
    long long value = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < min)
        return -1;
    *out = value;
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--time") == 0 && value && parse_int64(value, 0, &o->epoch) == 0) {
            o->set_time = 1;
        } else if (strcmp(argv[i], "--cert") == 0 && value) {
            o->cert = value;
        } else if (strcmp(argv[i], "--wait-ms") == 0 && value && parse_int64(value, 0, &o->wait_ms) == 0) {
        } else {
            printf("timecheck: error: bad argument '%s' (usage: [--time EPOCH] [--cert FILE] [--wait-ms N])\n",
                   argv[i]);
            return -1;
        }
        i++;
    }
    return 0;
}

static void print_now(const char *what)
{
    mbedtls_time_t now = mbedtls_time(NULL);
    mbedtls_ms_time_t ms = mbedtls_ms_time();
    struct tm tm;
    if (mbedtls_platform_gmtime_r(&now, &tm) == NULL) {
        printf("timecheck: %s %lld ms %lld utc (gmtime failed)\n", what, (long long)now, (long long)ms);
        return;
    }
    printf("timecheck: %s %lld ms %lld utc %04d-%02d-%02dT%02d:%02d:%02dZ\n", what, (long long)now,
           (long long)ms, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void print_x509_time(const char *what, const mbedtls_x509_time *t)
{
    printf(" %s %04d-%02d-%02dT%02d:%02d:%02dZ", what, t->year, t->mon, t->day, t->hour, t->min, t->sec);
}

static int check_cert(const char *path)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = mbedtls_x509_crt_parse_file(&crt, path);
    if (ret != 0) {
        printf("timecheck: error: cannot parse %s: -0x%04x\n", path, (unsigned)-ret);
        mbedtls_x509_crt_free(&crt);
        return -1;
    }
    uint32_t flags = 0;
    int verify = mbedtls_x509_crt_verify(&crt, &crt, NULL, NULL, &flags, NULL, NULL);
    printf("timecheck: cert");
    print_x509_time("valid_from", &crt.valid_from);
    print_x509_time("valid_to", &crt.valid_to);
    printf(" from_is_future %d to_is_past %d verify %d flags 0x%08lx\n",
           mbedtls_x509_time_is_future(&crt.valid_from), mbedtls_x509_time_is_past(&crt.valid_to),
           verify == 0 ? 0 : 1, (unsigned long)flags);
    mbedtls_x509_crt_free(&crt);
    return 0;
}

int main(void)
{
    char line[256];
    char *argv[MAX_ARGS];
    int argc = semihosting_argv(line, sizeof line, argv, MAX_ARGS);
    struct options o = {0};
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    if (o.set_time)
        tlscosim_time_set(o.epoch);
    printf("timecheck: source %s\n", tlscosim_time_source_name());
    print_now("now");
    if (o.cert && check_cert(o.cert) != 0)
        return 1;
    if (o.wait_ms > 0) {
        int64_t until = tlscosim_time_ms() + o.wait_ms;
        while (tlscosim_time_ms() < until) {
        }
        print_now("later");
    }
    return 0;
}
