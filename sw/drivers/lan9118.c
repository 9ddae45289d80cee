/* SMSC LAN9118 driver: see lan9118.h. */
#include "lan9118.h"

#include <string.h>

#include "board.h"
#include "cpu.h"
#include "lan9118_indirect.h"
#include "mmio.h"
#include "nvic.h"

#define BUSY_POLLS 10000u      /* bounded waits: the model and QEMU finish at once */
#define PHY_ADDRESS 1u         /* the internal PHY */
/* TX command A/B (datasheet 5.6.1, 5.6.2): first and last segment in one buffer. */
#define TX_CMD_A_FIRST (1u << 13)
#define TX_CMD_A_LAST (1u << 12)
#define TX_CMD_A_SIZE_MASK 0x7FFu
#define TX_CMD_B_TAG_OFFSET 16u
#define TX_CMD_WORDS 2u
#define FCS_BYTES 4u

static struct lan9118_stats stats;
static volatile uint32_t rx_event;

static int wait_clear(uint32_t addr, uint32_t mask)
{
    for (uint32_t i = 0; i < BUSY_POLLS; i++) {
        if ((mmio_read32(addr) & mask) == 0)
            return 0;
    }
    return -1;
}

static uint32_t mac_read(uint32_t index)
{
    wait_clear(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK);
    mmio_write32(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK | CSR_ETH0_MAC_CSR_CMD_READ_MASK
                                                | FIELD_PREP(CSR_ETH0_MAC_CSR_CMD_ADDRESS, index));
    wait_clear(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK);
    return mmio_read32(CSR_ETH0_MAC_CSR_DATA_ADDR);
}

static void mac_write(uint32_t index, uint32_t value)
{
    wait_clear(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK);
    mmio_write32(CSR_ETH0_MAC_CSR_DATA_ADDR, value);
    mmio_write32(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK | FIELD_PREP(CSR_ETH0_MAC_CSR_CMD_ADDRESS, index));
    wait_clear(CSR_ETH0_MAC_CSR_CMD_ADDR, CSR_ETH0_MAC_CSR_CMD_BUSY_MASK);
}

static uint32_t mii_command(uint32_t reg, uint32_t write)
{
    return FIELD_PREP(LAN9118_MAC_MII_ACC_PHYADDR, PHY_ADDRESS) | FIELD_PREP(LAN9118_MAC_MII_ACC_MIIRINDA, reg)
           | (write ? LAN9118_MAC_MII_ACC_MIIWNR_MASK : 0u) | LAN9118_MAC_MII_ACC_MIIBZY_MASK;
}

static uint32_t phy_read(uint32_t reg)
{
    mac_write(LAN9118_MAC_MII_ACC_INDEX, mii_command(reg, 0));
    for (uint32_t i = 0; i < BUSY_POLLS && (mac_read(LAN9118_MAC_MII_ACC_INDEX) & LAN9118_MAC_MII_ACC_MIIBZY_MASK); i++)
        ;
    return FIELD_GET(LAN9118_MAC_MII_DATA_DATA, mac_read(LAN9118_MAC_MII_DATA_INDEX));
}

int lan9118_init(uint8_t mac[6])
{
    if (mmio_read32(CSR_ETH0_BYTE_TEST_ADDR) != CSR_ETH0_BYTE_TEST_RESET)
        return -1;
    mmio_write32(CSR_ETH0_HW_CFG_ADDR, CSR_ETH0_HW_CFG_SRST_MASK);
    if (wait_clear(CSR_ETH0_HW_CFG_ADDR, CSR_ETH0_HW_CFG_SRST_MASK) != 0)
        return -1;
    for (uint32_t i = 0; i < BUSY_POLLS && !(mmio_read32(CSR_ETH0_PMT_CTRL_ADDR) & CSR_ETH0_PMT_CTRL_READY_MASK); i++)
        ;
    uint32_t low = mac_read(LAN9118_MAC_ADDRL_INDEX), high = mac_read(LAN9118_MAC_ADDRH_INDEX);
    for (int i = 0; i < 4; i++)
        mac[i] = (uint8_t)(low >> (8 * i));
    mac[4] = (uint8_t)high;
    mac[5] = (uint8_t)(high >> 8);

    /* Our address and broadcast only (promiscuous mode, on at reset, off), full duplex. */
    mac_write(LAN9118_MAC_MAC_CR_INDEX, LAN9118_MAC_MAC_CR_TXEN_MASK | LAN9118_MAC_MAC_CR_RXEN_MASK
                                            | LAN9118_MAC_MAC_CR_FDPX_MASK);
    mmio_write32(CSR_ETH0_TX_CFG_ADDR, CSR_ETH0_TX_CFG_TX_ON_MASK);
    /* An interrupt per received frame: RX status level 0. */
    mmio_write32(CSR_ETH0_FIFO_INT_ADDR, (mmio_read32(CSR_ETH0_FIFO_INT_ADDR) & ~CSR_ETH0_FIFO_INT_RX_STS_LEVEL_MASK));
    mmio_write32(CSR_ETH0_INT_STS_ADDR, 0xFFFFFFFFu);
    mmio_write32(CSR_ETH0_INT_EN_ADDR, CSR_ETH0_INT_STS_RSFL_MASK | CSR_ETH0_INT_STS_RXDF_MASK);
    /* Push-pull, active high: the NVIC line is level-sensitive and high means pending. */
    mmio_write32(CSR_ETH0_IRQ_CFG_ADDR, CSR_ETH0_IRQ_CFG_IRQ_EN_MASK | CSR_ETH0_IRQ_CFG_IRQ_POL_MASK
                                            | CSR_ETH0_IRQ_CFG_IRQ_TYPE_MASK);
    nvic_clear_pending(IRQ_ETH0);
    nvic_enable(IRQ_ETH0);
    return 0;
}

int lan9118_link_up(void)
{
    return (phy_read(LAN9118_PHY_BSR_INDEX) & LAN9118_PHY_BSR_LINK_UP_MASK) != 0;
}

int lan9118_send(const void *frame, uint32_t length)
{
    uint32_t words = (length + 3u) / 4u;
    if (length == 0 || length > LAN9118_MAX_FRAME)
        return -1;
    /* Drop the status of frames already sent so that its FIFO never fills. */
    while (FIELD_GET(CSR_ETH0_TX_FIFO_INF_TSUSED, mmio_read32(CSR_ETH0_TX_FIFO_INF_ADDR)))
        (void)mmio_read32(CSR_ETH0_TX_STATUS_FIFO_ADDR);
    if (FIELD_GET(CSR_ETH0_TX_FIFO_INF_TDFREE, mmio_read32(CSR_ETH0_TX_FIFO_INF_ADDR)) < 4u * (words + TX_CMD_WORDS)) {
        stats.tx_no_room++;
        return -1;
    }
    mmio_write32(CSR_ETH0_TX_DATA_FIFO_ADDR, TX_CMD_A_FIRST | TX_CMD_A_LAST | (length & TX_CMD_A_SIZE_MASK));
    mmio_write32(CSR_ETH0_TX_DATA_FIFO_ADDR, ((stats.tx_frames & 0xFFFFu) << TX_CMD_B_TAG_OFFSET) | length);
    const uint8_t *bytes = frame;
    for (uint32_t i = 0; i < words; i++) {
        uint32_t word = 0;
        uint32_t n = length - 4u * i < 4u ? length - 4u * i : 4u;
        memcpy(&word, bytes + 4u * i, n);
        mmio_write32(CSR_ETH0_TX_DATA_FIFO_ADDR, word);
    }
    stats.tx_frames++;
    return 0;
}

uint32_t lan9118_rx_waiting(void)
{
    return FIELD_GET(CSR_ETH0_RX_FIFO_INF_RXSUSED, mmio_read32(CSR_ETH0_RX_FIFO_INF_ADDR));
}

uint32_t lan9118_receive(uint32_t *buffer)
{
    uint32_t status = mmio_read32(CSR_ETH0_RX_STATUS_FIFO_ADDR);
    uint32_t length = FIELD_GET(CSR_ETH0_RX_STATUS_FIFO_PKT_LEN, status);
    uint32_t words = (length + 3u) / 4u;
    int keep = !(status & CSR_ETH0_RX_STATUS_FIFO_ERROR_MASK) && length > FCS_BYTES && length <= LAN9118_MAX_FRAME;
    /* Reading the words (rather than fast-forwarding) discards a frame the same way on
     * every implementation. */
    for (uint32_t i = 0; i < words; i++) {
        uint32_t word = mmio_read32(CSR_ETH0_RX_DATA_FIFO_ADDR);
        if (keep)
            buffer[i] = word;
    }
    if (!keep) {
        stats.rx_discarded++;
        return 0;
    }
    stats.rx_frames++;
    return length - FCS_BYTES;
}

int lan9118_take_event(void)
{
    cpu_irq_disable();
    uint32_t event = rx_event;
    rx_event = 0;
    cpu_irq_enable();
    return event != 0;
}

void lan9118_stats(struct lan9118_stats *out)
{
    stats.rx_dropped += mmio_read32(CSR_ETH0_RX_DROP_ADDR);     /* cleared on read */
    *out = stats;
}

void ETH0_IRQHandler(void)
{
    uint32_t pending = mmio_read32(CSR_ETH0_INT_STS_ADDR) & mmio_read32(CSR_ETH0_INT_EN_ADDR);
    mmio_write32(CSR_ETH0_INT_STS_ADDR, pending);
    stats.interrupts++;
    rx_event = 1;
}
