/* The tlscosim real-time clock (platform/peripherals/rtc.toml): seconds since 1970 (UTC)
 * and milliseconds. The simulator sets it at start to the host's time (or --rtc-epoch).
 * Under QEMU its window reads 0: rtc_present() is false there, and on a board without
 * it; the other functions must then not be called. */
#ifndef RTC_H
#define RTC_H

#include <stdbool.h>
#include <stdint.h>

/* True when the board has the RTC (its ID register reads the map's reset value). */
bool rtc_present(void);

/* Seconds since 1970. */
int64_t rtc_seconds(void);

/* Milliseconds since 1970 (seconds and milliseconds read as one instant). */
int64_t rtc_millis(void);

/* Sets the clock to `epoch_seconds` (>= 0) and 0 milliseconds. */
void rtc_set(int64_t epoch_seconds);

#endif /* RTC_H */
