/* 64-bit arithmetic: long multiplies (UMULL/SMULL), carries, and shifts across the
 * two halves. Operands are volatile so the compiler cannot fold the results. */
#include <stdint.h>

#include "selfcheck.h"

bool check_arith64(void)
{
    volatile uint32_t all_ones = 0xFFFFFFFFu;
    CHECK((uint64_t)all_ones * all_ones == 0xFFFFFFFE00000001ULL);
    volatile int32_t a = -123456789, b = 987654321;
    CHECK((int64_t)a * b == -121932631112635269LL);
    volatile uint64_t x = 0x123456789ABCDEF0ULL, y = 0x0FEDCBA987654321ULL;
    CHECK(x * y == 0x2236D88FE5618CF0ULL);
    volatile uint64_t low_full = 0x00000000FFFFFFFFULL, top = ~0ULL;
    CHECK(low_full + 1u == 0x100000000ULL && top + 1u == 0u);
    volatile uint64_t word = 0xDEADBEEFULL;
    volatile int64_t negative = -0x123456789ABCDEFLL;
    volatile unsigned forty = 40, thirty_three = 33;
    CHECK(word << forty == 0xADBEEF0000000000ULL);
    CHECK((uint64_t)(negative >> thirty_three) == 0xFFFFFFFFFF6E5D4CULL);
    CHECK(x > y && (int64_t)top < 0);
    return true;
}
