/* malloc over _sbrk: blocks are aligned, disjoint and reusable, and a request larger
 * than the data memory fails cleanly instead of running into the stack. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "selfcheck.h"

bool check_heap(void)
{
    uint8_t *a = malloc(1000), *b = malloc(100000);
    CHECK(a && b);
    CHECK((uintptr_t)a % 8u == 0 && (uintptr_t)b % 8u == 0);
    CHECK(a + 1000 <= b || b + 100000 <= a);
    memset(a, 0xA5, 1000);
    memset(b, 0x5A, 100000);
    CHECK(a[999] == 0xA5 && b[0] == 0x5A && b[99999] == 0x5A);
    uint8_t *grown = realloc(a, 5000);
    CHECK(grown && grown[0] == 0xA5 && grown[999] == 0xA5);
    free(grown);
    free(b);

    errno = 0;
    void *too_big = malloc(BOARD_DATA_MEM_SIZE);
    CHECK(too_big == NULL && errno == ENOMEM);
    void *again = malloc(100000);
    CHECK(again != NULL);
    free(again);
    return true;
}
