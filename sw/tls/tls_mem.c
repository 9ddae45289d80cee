/* Heap and stack figures: see tls_mem.h. */
#include "tls_mem.h"

#include <stdint.h>
#include <stdlib.h>

#include "mbedtls/platform.h"

/* Each block carries its size in front (8 bytes: the alignment malloc gives). */
#define HEADER 8u
#define PAINT 0x5AA5C33Cu
/* What the painter leaves alone below its own frame (the calls it makes). */
#define PAINT_MARGIN 256u

extern uint32_t _stack_limit[], _stack_top[];       /* link.ld */

static size_t in_use, peak;

static void *counted_calloc(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - HEADER) / size)
        return NULL;
    size_t bytes = n * size;
    unsigned char *p = calloc(1, bytes + HEADER);
    if (p == NULL)
        return NULL;
    *(size_t *)p = bytes;
    in_use += bytes;
    if (in_use > peak)
        peak = in_use;
    return p + HEADER;
}

static void counted_free(void *ptr)
{
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - HEADER;
    in_use -= *(size_t *)p;
    free(p);
}

/* Paints from the stack's limit up to a little below the caller's frame. */
static __attribute__((noinline)) void paint_stack(void)
{
    uint32_t *sp = __builtin_frame_address(0);
    uint32_t *end = sp - PAINT_MARGIN / sizeof *sp;
    for (uint32_t *w = _stack_limit; w < end; w++)
        *w = PAINT;
}

void tls_mem_start(void)
{
    mbedtls_platform_set_calloc_free(counted_calloc, counted_free);
    paint_stack();
}

size_t tls_mem_heap_in_use(void)
{
    return in_use;
}

size_t tls_mem_heap_peak(void)
{
    return peak;
}

void tls_mem_reset_peaks(void)
{
    peak = in_use;
    paint_stack();
}

size_t tls_mem_stack_peak(void)
{
    const uint32_t *w = _stack_limit;
    while (w < _stack_top && *w == PAINT)
        w++;
    return (size_t)((const unsigned char *)_stack_top - (const unsigned char *)w);
}
