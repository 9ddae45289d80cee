/* Time for Mbed TLS (MBEDTLS_HAVE_TIME, MBEDTLS_HAVE_TIME_DATE): certificate validity
 * dates, session and ticket lifetimes, TLS 1.3 ticket ages. See platform_time.c.
 *
 * Included by tlscosim_mbedtls_config.h: MBEDTLS_PLATFORM_STD_TIME names tlscosim_time,
 * so the library must see its declaration. */
#ifndef TLSCOSIM_PLATFORM_TIME_H
#define TLSCOSIM_PLATFORM_TIME_H

#include <stdint.h>
#include <time.h>

/* Where the board's time comes from (in this order of preference). */
enum tlscosim_time_source {
    TLSCOSIM_TIME_RTC,  /* the board's RTC (set by the simulator at start) */
    TLSCOSIM_TIME_SET,  /* no RTC: tlscosim_time_set() + uptime since (e.g. QEMU with --time) */
    TLSCOSIM_TIME_HOST, /* no RTC, never set: the host's clock (semihosting SYS_TIME) + uptime */
};

/* Sets the board's time to `epoch_seconds` since 1970 (UTC): the RTC when the board has
 * one, else a base that the uptime counter advances. */
void tlscosim_time_set(int64_t epoch_seconds);

/* Seconds since 1970: Mbed TLS's mbedtls_time (MBEDTLS_PLATFORM_STD_TIME). */
time_t tlscosim_time(time_t *out);

/* Milliseconds since 1970 (Mbed TLS's mbedtls_ms_time returns the same). */
int64_t tlscosim_time_ms(void);

enum tlscosim_time_source tlscosim_time_source(void);
/* "rtc", "set" or "host". */
const char *tlscosim_time_source_name(void);

#endif /* TLSCOSIM_PLATFORM_TIME_H */
