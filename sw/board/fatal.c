#include "fatal.h"

#include "board.h"
#include "mmio.h"
#include "scb.h"
#include "semihosting.h"
#include "uart.h"

/* Formats without printf: the C library's state may be what went wrong. */
static void put_hex(uint32_t value)
{
    uart_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        uart_putc("0123456789abcdef"[(value >> shift) & 0xFu]);
}

static void put_decimal(uint32_t value)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value);
    while (n)
        uart_putc(digits[--n]);
}

void fatal_exception(const struct exception_frame *frame)
{
    uint32_t exception = scb_active_exception();
    uart_puts("\nfatal: exception ");
    put_decimal(exception);
    uart_puts(" at pc ");
    put_hex(frame->pc);
    uart_puts(" (cfsr ");
    put_hex(mmio_read32(CSR_SCS_CFSR_ADDR));
    uart_puts(" hfsr ");
    put_hex(mmio_read32(CSR_SCS_HFSR_ADDR));
    uart_puts(")\n");
    semihosting_exit(FATAL_EXIT_BASE + (int)exception);
}
