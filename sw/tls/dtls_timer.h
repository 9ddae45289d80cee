/* DTLS retransmission timer for mbedtls_ssl_set_timer_cb() on the board's clock: lwIP's
 * sys_now() (SysTick, NET_TICK_HZ), which under tlscosim is simulated time. */
#ifndef DTLS_TIMER_H
#define DTLS_TIMER_H

#include <stdint.h>

struct dtls_timer {
    uint32_t start_ms;
    uint32_t intermediate_ms;   /* 0 with final_ms 0: cancelled */
    uint32_t final_ms;
};

/* mbedtls_ssl_set_timer_t */
void dtls_timer_set(void *ctx, uint32_t intermediate_ms, uint32_t final_ms);
/* mbedtls_ssl_get_timer_t: -1 cancelled, 0 running, 1 intermediate passed, 2 final passed */
int dtls_timer_get(void *ctx);
/* Milliseconds until the final delay expires (0 when expired; UINT32_MAX when cancelled). */
uint32_t dtls_timer_remaining_ms(const struct dtls_timer *t);

#endif /* DTLS_TIMER_H */
