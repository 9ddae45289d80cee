/* What the accelerated Mbed TLS libraries (accel_alt.mk) offer apps beyond Mbed TLS. */
#ifndef TLSCOSIM_ACCEL_ALT_H
#define TLSCOSIM_ACCEL_ALT_H

#include <stdint.h>

/* The accelerators' BLOCKS counters (0 where they are absent). */
uint32_t tlscosim_accel_aes_blocks(void);
uint32_t tlscosim_accel_sha256_blocks(void);

/* 0: Mbed TLS's software path even where the accelerators are present; 1 (the default):
 * the accelerators where present. Switch only while no AES context is keyed. */
void tlscosim_accel_use(int on);
/* The GCM core's part of tlscosim_accel_use (gcm_alt.c), and its BLOCKS counter. */
void tlscosim_gcm_use(int on);
uint32_t tlscosim_accel_gcm_blocks(void);

#endif /* TLSCOSIM_ACCEL_ALT_H */
