/* UART0 is configured by the startup code; every line of output already went through it. */
#include "board.h"
#include "mmio.h"
#include "selfcheck.h"

bool check_uart(void)
{
    uint32_t ctrl = mmio_read32(CSR_UART0_CTRL_ADDR);
    CHECK(ctrl & CSR_UART0_CTRL_TX_EN_MASK);
    CHECK(ctrl & CSR_UART0_CTRL_RX_EN_MASK);
    CHECK(FIELD_GET(CSR_UART0_BAUDDIV_DIV, mmio_read32(CSR_UART0_BAUDDIV_ADDR)) >= 16u);
    CHECK(!(mmio_read32(CSR_UART0_STATE_ADDR) & CSR_UART0_STATE_TX_OVERRUN_MASK));
    return true;
}
