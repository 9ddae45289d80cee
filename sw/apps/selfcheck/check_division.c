/* Hardware division (SDIV/UDIV) with C's rounding toward zero, the architecture's results
 * for the cases C leaves undefined, and 64-bit division through libgcc. */
#include <stdint.h>

#include "selfcheck.h"

static int32_t sdiv(int32_t n, int32_t d)
{
    int32_t q;
    __asm volatile("sdiv %0, %1, %2" : "=r"(q) : "r"(n), "r"(d));
    return q;
}

static uint32_t udiv(uint32_t n, uint32_t d)
{
    uint32_t q;
    __asm volatile("udiv %0, %1, %2" : "=r"(q) : "r"(n), "r"(d));
    return q;
}

bool check_division(void)
{
    volatile int32_t seven = 7, minus_seven = -7, two = 2, minus_two = -2;
    CHECK(seven / two == 3 && minus_seven / two == -3 && seven / minus_two == -3);
    CHECK(minus_seven % two == -1 && seven % minus_two == 1);
    volatile uint32_t all_ones = 0xFFFFFFFFu, three = 3;
    CHECK(all_ones / three == 0x55555555u && all_ones % 10u == 5u);
    /* DIV_0_TRP is clear: division by zero gives 0; INT_MIN / -1 overflows to INT_MIN. */
    CHECK(sdiv(seven, 0) == 0 && udiv(all_ones, 0) == 0);
    CHECK(sdiv(INT32_MIN, -1) == INT32_MIN);

    volatile int64_t big_negative = -9000000000000000000LL, seven64 = 7;
    CHECK(big_negative / seven64 == -1285714285714285714LL);
    CHECK(big_negative % seven64 == -2);
    volatile uint64_t big = 18000000000000000000ULL, prime = 1000000007ULL;
    CHECK(big / prime == 17999999874ULL && big % prime == 882ULL);
    return true;
}
