/* mbedtls_selftest: shared helpers. Lines that carry cycle figures end in `cycles=N`
 * so that a differential comparison (tlscosim vs QEMU, where DWT reads 0) can drop them. */
#ifndef MBEDTLS_SELFTEST_H
#define MBEDTLS_SELFTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "dwt.h"

/* Counts and prints "<name>: passed|FAILED (<ret>)" and, on the next line, "<name> cycles=N". */
bool report(const char *name, int ret, uint32_t cycles);

/* The public-key operations checked against published answers (pk_vectors.c). */
void run_ecdsa_p256_rfc6979(void);
void run_ecdh_p256(void);
void run_x25519_rfc7748(void);

#endif /* MBEDTLS_SELFTEST_H */
