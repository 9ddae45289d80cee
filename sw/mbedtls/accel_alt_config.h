/* Mbed TLS on the accelerators: the function-level ALT hooks (MBEDTLS_USER_CONFIG_FILE,
 * read after the project's tlscosim_mbedtls_config.h, so that file stays as it is).
 * The contexts stay Mbed TLS's own; accel_alt.c implements the hooked functions. Only
 * the libraries of accel_alt.mk are built with it. */
#ifndef TLSCOSIM_ACCEL_ALT_CONFIG_H
#define TLSCOSIM_ACCEL_ALT_CONFIG_H

#define MBEDTLS_AES_SETKEY_ENC_ALT
#define MBEDTLS_AES_SETKEY_DEC_ALT
#define MBEDTLS_AES_ENCRYPT_ALT
#define MBEDTLS_AES_DECRYPT_ALT
#define MBEDTLS_SHA256_PROCESS_ALT
/* The whole GCM API (gcm_alt.c; the context is gcm_alt.h's): it changes the size of
 * mbedtls_gcm_context, so accel_alt.mk also recompiles the files that embed one. */
#define MBEDTLS_GCM_ALT

#endif /* TLSCOSIM_ACCEL_ALT_CONFIG_H */
