/* What both TLS apps set up the same way: PSA, the random generator seeded from the
 * board's TRNG, certificates and keys read from host files (semihosting), and an
 * mbedtls_ssl_config from the command line (version, suite, group, authentication,
 * debug output to the UART, the verification callback). */
#ifndef TLS_SETUP_H
#define TLS_SETUP_H

#include <stdint.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#include "tls_args.h"

struct tls_setup {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;        /* --ca (empty when not given) */
    mbedtls_x509_crt cert;      /* --cert (empty when not given) */
    mbedtls_pk_context key;     /* --key */
    mbedtls_ssl_config conf;
    int suites[2];              /* the one ciphersuite, 0-terminated */
    uint16_t groups[4];         /* the group (TLS 1.2: and the certificates' curves), 0-terminated */
    uint32_t verify_flags;      /* OR of the flags the verification callback saw */
};

/* The "boot" event: app, Mbed TLS version, accelerators (present, and used after --accel),
 * clock. */
void tls_print_boot(const char *app, const struct tls_args *a);
/* The "config" event. */
void tls_print_config(const struct tls_args *a);

/* Everything up to a ready mbedtls_ssl_config. Returns 0, or an Mbed TLS error after
 * printing an "error" event (where "config" or "file"). tls_setup_free frees it all, also
 * after a failure. */
int tls_setup_init(struct tls_setup *s, const struct tls_args *a);
void tls_setup_free(struct tls_setup *s);

#endif /* TLS_SETUP_H */
