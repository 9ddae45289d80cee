#include "uart.h"

#include "board.h"
#include "mmio.h"

#define UART_BAUD 115200u

void uart_init(void)
{
    mmio_write32(CSR_UART0_BAUDDIV_ADDR, FIELD_PREP(CSR_UART0_BAUDDIV_DIV, BOARD_CLOCK_HZ / UART_BAUD));
    /* QEMU drops transmitted bytes unless TX is enabled. */
    mmio_write32(CSR_UART0_CTRL_ADDR, CSR_UART0_CTRL_TX_EN_MASK | CSR_UART0_CTRL_RX_EN_MASK);
}

void uart_putc(char c)
{
    while (mmio_read32(CSR_UART0_STATE_ADDR) & CSR_UART0_STATE_TX_FULL_MASK)
        ;
    mmio_write32(CSR_UART0_DATA_ADDR, FIELD_PREP(CSR_UART0_DATA_DATA, (uint8_t)c));
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

int uart_getc(void)
{
    while (!(mmio_read32(CSR_UART0_STATE_ADDR) & CSR_UART0_STATE_RX_FULL_MASK))
        ;
    return (int)FIELD_GET(CSR_UART0_DATA_DATA, mmio_read32(CSR_UART0_DATA_ADDR));
}
