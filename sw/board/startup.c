/* Reset and the vector table. The table's layout and handler names come from the
 * generated board.h (BOARD_SYSTEM_VECTORS / BOARD_IRQ_VECTORS); every handler is weak
 * and defaults to Default_Handler, so an app defines only the ones it uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cpu.h"
#include "fatal.h"
#include "mmio.h"
#include "uart.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _stack_top[];
extern void __libc_init_array(void);
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);

#define DECLARE_WEAK_HANDLER(number, name) void name(void) __attribute__((weak, alias("Default_Handler")));
BOARD_SYSTEM_VECTORS(DECLARE_WEAK_HANDLER)
BOARD_IRQ_VECTORS(DECLARE_WEAK_HANDLER)

#define VECTOR_ENTRY(number, name) [number] = (uintptr_t)name,
__attribute__((section(".isr_vector"), used)) const uintptr_t vector_table[BOARD_VECTOR_COUNT] = {
    [0] = (uintptr_t)_stack_top,
    [EXC_RESET] = (uintptr_t)Reset_Handler,
    BOARD_SYSTEM_VECTORS(VECTOR_ENTRY)
    BOARD_IRQ_VECTORS(VECTOR_ENTRY)
};

EXCEPTION_HANDLER_WITH_FRAME(Default_Handler, fatal_exception)

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* A hard-float build (a board with an FPU): the FPU resets disabled, and any FP
       instruction before CP10/CP11 get full access is a NOCP UsageFault. */
    mmio_set_bits(CSR_SCS_CPACR_ADDR, CSR_SCS_CPACR_CP10_MASK | CSR_SCS_CPACR_CP11_MASK);
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    memcpy(_sdata, _sidata, (size_t)((uintptr_t)_edata - (uintptr_t)_sdata));
    memset(_sbss, 0, (size_t)((uintptr_t)_ebss - (uintptr_t)_sbss));
    uart_init();
    __libc_init_array();
    exit(main());
}
