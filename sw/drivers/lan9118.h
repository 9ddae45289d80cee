/* SMSC LAN9118 Ethernet driver, 32-bit bus mode. Written against the datasheet and checked
 * on QEMU's mps2-an386 model and on tlscosim's: register names come from the generated
 * board.h (memory-mapped, CSR_ETH0_*) and lan9118_indirect.h (MAC CSRs, PHY registers).
 * Receive is interrupt-driven: the interrupt handler only records that frames arrived
 * (lan9118_take_event); the main loop reads them. */
#ifndef LAN9118_H
#define LAN9118_H

#include <stdint.h>

#define LAN9118_MAX_FRAME 1536u        /* the largest frame the driver receives or sends */

struct lan9118_stats {
    uint32_t rx_frames, tx_frames;
    uint32_t rx_discarded;     /* errored or too long for the buffer: read and dropped */
    uint32_t rx_dropped;       /* dropped by the MAC (RX FIFO full), from RX_DROP */
    uint32_t tx_no_room;       /* send refused: the TX FIFO had no room */
    uint32_t interrupts;
};

/* Resets the controller and brings the MAC up (own address and broadcast accepted, IRQ
 * active high on its NVIC line). Returns 0, or -1 when no LAN9118 answers. */
int lan9118_init(uint8_t mac[6]);
int lan9118_link_up(void);
/* Queues one frame (without FCS) for sending: 0, or -1 when it does not fit now. */
int lan9118_send(const void *frame, uint32_t length);
/* Frames waiting in the RX FIFO. */
uint32_t lan9118_rx_waiting(void);
/* Reads the next frame into `buffer` (4-byte aligned, LAN9118_MAX_FRAME bytes); returns
 * its length without the FCS, or 0 when it was dropped (errored or too long). */
uint32_t lan9118_receive(uint32_t *buffer);
/* True once after the interrupt handler saw an RX event. */
int lan9118_take_event(void);
void lan9118_stats(struct lan9118_stats *out);

#endif /* LAN9118_H */
