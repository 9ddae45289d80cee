/* The interrupt handlers the checks share; each check installs what it needs. */
#include "board.h"
#include "selfcheck.h"

void (*volatile systick_hook)(void);
void (*volatile spare_irq_hook)(void);

void SysTick_Handler(void)
{
    if (systick_hook)
        systick_hook();
}

void BOARD_IRQ_SPARE_HANDLER(void)
{
    if (spare_irq_hook)
        spare_irq_hook();
}
