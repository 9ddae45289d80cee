/* UART console: see console.h. */
#include "console.h"

#include <stdint.h>

#include "board.h"
#include "mmio.h"
#include "net.h"
#include "nvic.h"

#define RING_SIZE 64u

static volatile uint8_t ring[RING_SIZE];
static volatile uint32_t head, tail;

void console_start(void)
{
    mmio_set_bits(CSR_UART0_CTRL_ADDR, CSR_UART0_CTRL_RX_EN_MASK | CSR_UART0_CTRL_RX_INTEN_MASK);
    nvic_enable(IRQ_UART0_RX);
}

/* Reads every waiting byte: the RX interrupt stays asserted while one is waiting. */
void UART0_RX_IRQHandler(void)
{
    while (mmio_read32(CSR_UART0_STATE_ADDR) & CSR_UART0_STATE_RX_FULL_MASK) {
        uint8_t byte = (uint8_t)FIELD_GET(CSR_UART0_DATA_DATA, mmio_read32(CSR_UART0_DATA_ADDR));
        if (head - tail < RING_SIZE)
            ring[head++ % RING_SIZE] = byte;
    }
    mmio_write32(CSR_UART0_INTSTATUS_ADDR, CSR_UART0_INTSTATUS_RX_MASK);
}

void console_poll(void)
{
    while (tail != head) {
        uint8_t byte = ring[tail++ % RING_SIZE];
        if (byte == 's')
            net_print_stats();
    }
}
