/* DTLS retransmission timer on lwIP's millisecond clock (see dtls_timer.h). */
#include "dtls_timer.h"

#include "lwip/sys.h"

void dtls_timer_set(void *ctx, uint32_t intermediate_ms, uint32_t final_ms)
{
    struct dtls_timer *t = ctx;
    t->start_ms = sys_now();
    t->intermediate_ms = intermediate_ms;
    t->final_ms = final_ms;
}

int dtls_timer_get(void *ctx)
{
    const struct dtls_timer *t = ctx;
    if (t->final_ms == 0)
        return -1;
    uint32_t elapsed = sys_now() - t->start_ms;     /* unsigned: right across wrap-around */
    if (elapsed >= t->final_ms)
        return 2;
    return elapsed >= t->intermediate_ms ? 1 : 0;
}

uint32_t dtls_timer_remaining_ms(const struct dtls_timer *t)
{
    if (t->final_ms == 0)
        return UINT32_MAX;
    uint32_t elapsed = sys_now() - t->start_ms;
    return elapsed >= t->final_ms ? 0 : t->final_ms - elapsed;
}
