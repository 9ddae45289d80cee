/* newlib's printf formats every integer width the firmware uses (full newlib: nano
 * would lack %lld). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "selfcheck.h"

static bool formats_as(const char *expected, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static bool formats_as(const char *expected, const char *format, ...)
{
    char buffer[96];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return n == (int)strlen(expected) && strcmp(buffer, expected) == 0;
}

bool check_printf(void)
{
    volatile int negative = -42;
    volatile unsigned big = 4000000000u;
    volatile long long ll = -9000000000000000000LL;
    volatile unsigned long long ull = 18000000000000000000ULL;
    CHECK(formats_as("-42 4000000000 ee6b2800", "%d %u %x", negative, big, big));
    CHECK(formats_as("-9000000000000000000 18000000000000000000", "%lld %llu", ll, ull));
    CHECK(formats_as("00001234 DEADBEEF", "%08lx %lX", 0x1234ul, 0xdeadbeeful));
    CHECK(formats_as("[  -42|-42  |+7]", "[%5d|%-5d|%+d]", negative, negative, 7));
    CHECK(formats_as("-2147483648 2147483647", "%ld %ld", (long)INT32_MIN, (long)INT32_MAX));
    CHECK(formats_as("ffffffffffffffff", "%llx", ~0ULL));
    return true;
}
