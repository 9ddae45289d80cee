/* The GCM context of MBEDTLS_GCM_ALT (included by mbedtls/gcm.h; gcm_alt.c implements the
 * API). It carries what a message on the accelerator needs (key, IV, the bytes of an
 * unfinished block) and, opaque, Mbed TLS's own context for the software fallback
 * (messages the core cannot take: no accelerator, an IV other than 96 bits, a cipher
 * other than AES, or the core busy with another context's message). */
#ifndef TLSCOSIM_GCM_ALT_H
#define TLSCOSIM_GCM_ALT_H

#include <stdint.h>

/* Room for the software mbedtls_gcm_context: gcm_alt.c, compiled in the plain library,
 * asserts that it fits. */
#define TLSCOSIM_GCM_SW_CONTEXT_BYTES 512

#if defined(MBEDTLS_GCM_ALT)
typedef struct mbedtls_gcm_context {
    union {
        uint64_t MBEDTLS_PRIVATE(align);
        unsigned char MBEDTLS_PRIVATE(bytes)[TLSCOSIM_GCM_SW_CONTEXT_BYTES];
    } MBEDTLS_PRIVATE(sw);                          /* Mbed TLS's context (fallback) */
    uint64_t MBEDTLS_PRIVATE(len);                  /* text bytes of the message so far */
    uint64_t MBEDTLS_PRIVATE(add_len);              /* AAD bytes so far */
    unsigned char MBEDTLS_PRIVATE(key)[32];
    unsigned char MBEDTLS_PRIVATE(iv)[12];
    unsigned char MBEDTLS_PRIVATE(buf)[16];         /* input bytes of the unfinished block */
    unsigned char MBEDTLS_PRIVATE(keystream)[16];   /* of the unfinished text block */
    uint32_t MBEDTLS_PRIVATE(ctr);                  /* counter of the next text block */
    uint32_t MBEDTLS_PRIVATE(params);               /* the core's slot and key size (CTRL) */
    uint16_t MBEDTLS_PRIVATE(keybits);
    unsigned char MBEDTLS_PRIVATE(mode);            /* MBEDTLS_GCM_ENCRYPT / _DECRYPT */
    unsigned char MBEDTLS_PRIVATE(key_engine);      /* where the key lives (gcm_alt.c) */
    unsigned char MBEDTLS_PRIVATE(msg_engine);      /* where the current message runs */
    unsigned char MBEDTLS_PRIVATE(sw_keyed);        /* the fallback context holds the key */
    unsigned char MBEDTLS_PRIVATE(pending);         /* bytes in buf not yet given to the core */
} mbedtls_gcm_context;
#endif

#endif /* TLSCOSIM_GCM_ALT_H */
