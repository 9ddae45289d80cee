/* NVIC behaviour with software-pended interrupts on the board's spare line:
 * PRIMASK holds a pending interrupt back, and a higher-priority interrupt preempts a
 * lower-priority handler (SysTick) and returns into it. */
#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "nvic.h"
#include "scb.h"
#include "selfcheck.h"
#include "systick.h"

#define SYSTICK_PERIOD_CYCLES 2000u

enum event { SYSTICK_ENTERED = 1, SPARE_HANDLED, SYSTICK_LEFT };

static volatile uint32_t events[4], event_count;
static volatile uint32_t spare_saw_exception, spare_saw_systick_active;

static void record(enum event e)
{
    if (event_count < sizeof events / sizeof events[0])
        events[event_count] = e;
    event_count++;
}

static void spare_handler(void)
{
    record(SPARE_HANDLED);
    spare_saw_exception = scb_active_exception();
    spare_saw_systick_active = mmio_read32(CSR_SCS_SHCSR_ADDR) & CSR_SCS_SHCSR_SYSTICKACT_MASK;
}

static void systick_pends_spare(void)
{
    systick_stop();
    record(SYSTICK_ENTERED);
    nvic_trigger(BOARD_IRQ_SPARE);
    cpu_sync();
    record(SYSTICK_LEFT);
}

bool check_irq_masking(void)
{
    event_count = 0;
    spare_irq_hook = spare_handler;
    nvic_set_priority(BOARD_IRQ_SPARE, 0);
    nvic_enable(BOARD_IRQ_SPARE);

    cpu_irq_disable();
    nvic_set_pending(BOARD_IRQ_SPARE);
    cpu_sync();
    uint32_t ran_while_masked = event_count;
    int pending_while_masked = nvic_is_pending(BOARD_IRQ_SPARE);
    cpu_irq_enable();
    cpu_sync();

    nvic_disable(BOARD_IRQ_SPARE);
    spare_irq_hook = 0;
    CHECK(ran_while_masked == 0 && pending_while_masked);
    CHECK(event_count == 1 && events[0] == SPARE_HANDLED);
    CHECK(!nvic_is_pending(BOARD_IRQ_SPARE) && !nvic_is_active(BOARD_IRQ_SPARE));
    CHECK(spare_saw_exception == EXC_IRQ0 + BOARD_IRQ_SPARE);
    return true;
}

bool check_nested_irq(void)
{
    event_count = 0;
    spare_irq_hook = spare_handler;
    systick_hook = systick_pends_spare;
    scb_set_priority(EXC_SYSTICK, NVIC_PRIORITY_LOWEST);
    nvic_set_priority(BOARD_IRQ_SPARE, 0);
    nvic_enable(BOARD_IRQ_SPARE);

    systick_start(SYSTICK_PERIOD_CYCLES, 1);
    while (event_count < 3)
        cpu_wfi();

    nvic_disable(BOARD_IRQ_SPARE);
    scb_set_priority(EXC_SYSTICK, 0);
    systick_hook = 0;
    spare_irq_hook = 0;
    CHECK(event_count == 3);
    CHECK(events[0] == SYSTICK_ENTERED && events[1] == SPARE_HANDLED && events[2] == SYSTICK_LEFT);
    CHECK(spare_saw_exception == EXC_IRQ0 + BOARD_IRQ_SPARE);
    CHECK(spare_saw_systick_active);
    return true;
}
