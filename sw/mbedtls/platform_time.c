/* The board's time behind Mbed TLS: mbedtls_time (MBEDTLS_PLATFORM_STD_TIME =
 * tlscosim_time) and mbedtls_ms_time (MBEDTLS_PLATFORM_MS_TIME_ALT), both from one clock
 * so that seconds and milliseconds agree.
 *
 * The clock is the RTC when the board has it (sw/drivers/rtc.h). Without it (QEMU reads
 * the RTC's ID as 0) a base -- tlscosim_time_set(), else the host's time read once
 * through semihosting -- is advanced by an uptime counter: the CMSDK timer TIMER1, run
 * free from its 32-bit reload value. Uptime is accumulated at each reading, so readings
 * must come less than 2^32 timer clocks apart (171 s at 25 MHz) to lose no wrap. DWT's
 * cycle counter would do, but QEMU reads it as 0; SysTick belongs to lwIP's clock. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "mbedtls/platform_time.h"
#include "mmio.h"
#include "platform_time.h"
#include "rtc.h"
#include "semihosting.h"

#define MS_PER_S 1000

static struct {
    int based;              /* base_ms is valid (set, or read from the host) */
    int source_set;         /* the base came from tlscosim_time_set */
    int64_t base_ms;        /* time at uptime base_uptime_ms */
    int64_t base_uptime_ms;
} fallback;

#if defined(CSR_TIMER1_BASE)
#define UPTIME_RELOAD 0xFFFFFFFFu
#define UPTIME_TICKS_PER_MS (BOARD_CLOCK_HZ / MS_PER_S) /* the timer runs on the CPU clock */

static int64_t uptime_ms(void)
{
    static int running;
    static uint32_t last;
    static uint64_t ticks;
    if (!running) {
        mmio_write32(CSR_TIMER1_CTRL_ADDR, 0);
        mmio_write32(CSR_TIMER1_RELOAD_ADDR, UPTIME_RELOAD); /* also loads VALUE */
        mmio_write32(CSR_TIMER1_CTRL_ADDR, CSR_TIMER1_CTRL_EN_MASK);
        last = mmio_read32(CSR_TIMER1_VALUE_ADDR);
        running = 1;
    }
    uint32_t now = mmio_read32(CSR_TIMER1_VALUE_ADDR);
    ticks += (uint32_t)(last - now); /* a down counter; modulo 2^32 across one wrap */
    last = now;
    return (int64_t)(ticks / UPTIME_TICKS_PER_MS);
}
#else
static int64_t uptime_ms(void)
{
    return 0; /* no free timer on this board: the time stands at its base */
}
#endif

static void fallback_base(int64_t epoch_ms, int from_set)
{
    fallback.base_uptime_ms = uptime_ms();
    fallback.base_ms = epoch_ms;
    fallback.source_set = from_set;
    fallback.based = 1;
}

void tlscosim_time_set(int64_t epoch_seconds)
{
    if (rtc_present())
        rtc_set(epoch_seconds);
    else
        fallback_base(epoch_seconds * MS_PER_S, 1);
}

int64_t tlscosim_time_ms(void)
{
    if (rtc_present())
        return rtc_millis();
    if (!fallback.based)
        fallback_base((int64_t)semihosting_call(SYS_TIME, 0) * MS_PER_S, 0);
    return fallback.base_ms + (uptime_ms() - fallback.base_uptime_ms);
}

time_t tlscosim_time(time_t *out)
{
    time_t now = (time_t)(tlscosim_time_ms() / MS_PER_S);
    if (out)
        *out = now;
    return now;
}

mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)tlscosim_time_ms();
}

enum tlscosim_time_source tlscosim_time_source(void)
{
    if (rtc_present())
        return TLSCOSIM_TIME_RTC;
    return fallback.source_set ? TLSCOSIM_TIME_SET : TLSCOSIM_TIME_HOST;
}

const char *tlscosim_time_source_name(void)
{
    static const char *const names[] = {
        [TLSCOSIM_TIME_RTC] = "rtc", [TLSCOSIM_TIME_SET] = "set", [TLSCOSIM_TIME_HOST] = "host"};
    return names[tlscosim_time_source()];
}
