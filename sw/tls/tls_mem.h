/* Memory figures of a TLS run: Mbed TLS's heap (its calloc/free go through counting
 * wrappers: bytes in use and the peak) and the stack's high-water mark (the stack below
 * the caller is painted with a pattern; the deepest word overwritten is the peak). */
#ifndef TLS_MEM_H
#define TLS_MEM_H

#include <stddef.h>

/* Installs the heap wrappers (mbedtls_platform_set_calloc_free) and paints the stack. */
void tls_mem_start(void);
size_t tls_mem_heap_in_use(void);
size_t tls_mem_heap_peak(void);
/* Peak := what is in use now, and the stack painted again: the next figures are those of
 * what runs from here on. */
void tls_mem_reset_peaks(void);
/* Deepest stack use since the last paint, in bytes from the stack's top. */
size_t tls_mem_stack_peak(void);

#endif /* TLS_MEM_H */
