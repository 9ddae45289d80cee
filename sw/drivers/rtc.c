/* The real-time clock driver; registers and fields from the generated board.h. A board
 * without the RTC compiles this to functions that report it absent. */
#include "rtc.h"

#include "board.h"
#include "mmio.h"

#if defined(CSR_RTC_BASE)

bool rtc_present(void)
{
    return mmio_read32(CSR_RTC_ID_ADDR) == CSR_RTC_ID_RESET;
}

/* Reading the low word latches the high word and the milliseconds of the same instant. */
static int64_t rtc_read(uint32_t *ms)
{
    uint32_t low = mmio_read32(CSR_RTC_SECONDS_LO_ADDR);
    uint32_t high = mmio_read32(CSR_RTC_SECONDS_HI_ADDR);
    if (ms)
        *ms = FIELD_GET(CSR_RTC_MILLIS_MS, mmio_read32(CSR_RTC_MILLIS_ADDR));
    return (int64_t)(((uint64_t)high << 32) | low);
}

int64_t rtc_seconds(void)
{
    return rtc_read(0);
}

int64_t rtc_millis(void)
{
    uint32_t ms;
    int64_t seconds = rtc_read(&ms);
    return seconds * 1000 + ms;
}

void rtc_set(int64_t epoch_seconds)
{
    uint64_t value = (uint64_t)epoch_seconds;
    mmio_write32(CSR_RTC_SECONDS_HI_ADDR, (uint32_t)(value >> 32)); /* staged ... */
    mmio_write32(CSR_RTC_SECONDS_LO_ADDR, (uint32_t)value);         /* ... applied */
}

#else /* a board description without the RTC */

bool rtc_present(void)
{
    return false;
}

int64_t rtc_seconds(void)
{
    return 0;
}

int64_t rtc_millis(void)
{
    return 0;
}

void rtc_set(int64_t epoch_seconds)
{
    (void)epoch_seconds;
}

#endif
