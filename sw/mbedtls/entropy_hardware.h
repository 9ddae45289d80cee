/* The board's entropy source behind Mbed TLS (see entropy_hardware.c). */
#ifndef TLSCOSIM_ENTROPY_HARDWARE_H
#define TLSCOSIM_ENTROPY_HARDWARE_H

#include <stdbool.h>
#include <stddef.h>

/* True when the board has the TRNG (false under QEMU: a deterministic stand-in is used). */
bool tlscosim_trng_present(void);

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

#endif /* TLSCOSIM_ENTROPY_HARDWARE_H */
