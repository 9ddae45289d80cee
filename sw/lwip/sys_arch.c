/* lwIP's clock (NO_SYS): milliseconds counted by SysTick interrupts on the CPU clock. */
#include "net.h"

#include "board.h"
#include "lwip/sys.h"
#include "systick.h"

static volatile uint32_t ticks;

void net_clock_start(void)
{
    systick_start(BOARD_CLOCK_HZ / NET_TICK_HZ, 1);
}

void SysTick_Handler(void)
{
    ticks++;
}

u32_t sys_now(void)
{
    return ticks * (1000u / NET_TICK_HZ);
}
