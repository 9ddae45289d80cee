"""LAN9118 model (sim/board/peripherals/lan9118.py) driven by register names as a driver drives
it: identity, MAC address from the EEPROM, PHY over MII, TX and RX through the FIFOs
(frames checked by scapy, the FCS by zlib), address filtering, the interrupt output and
its polarity, and frames dropped and counted when the RX FIFO is full."""

from __future__ import annotations

import zlib

import pytest
from scapy.layers.inet import ICMP, IP
from scapy.layers.l2 import ARP, Ether

from tlscosim.sim.board.bus import BusError

from netbench import MacBench

BOARD_MAC = "52:54:00:12:34:56"
PEER_MAC = "02:00:00:00:00:01"


@pytest.fixture
def mac():
    return MacBench()


def ping_to_board(dst=BOARD_MAC, size=56):
    return bytes(Ether(src=PEER_MAC, dst=dst) / IP(src="192.0.2.1", dst="192.0.2.2") / ICMP() / (b"x" * size))


def test_identity_and_byte_order(mac):
    assert mac.get("ID_REV", "ID") == 0x0118        # LAN9118 (datasheet 5.3.1)
    assert mac.read("BYTE_TEST") == 0x87654321
    assert mac.get("PMT_CTRL", "READY") == 1


def test_mac_address_comes_from_the_eeprom(mac):
    low, high = mac.mac_read("ADDRL"), mac.mac_read("ADDRH")
    address = low.to_bytes(4, "little") + high.to_bytes(2, "little")
    assert address.hex(":") == BOARD_MAC
    mac.mac_write("ADDRL", 0x44332211)
    mac.mac_write("ADDRH", 0x6655)
    assert mac.mac_read("ADDRL") == 0x44332211 and mac.mac_read("ADDRH") == 0x6655


def test_phy_link_up_and_autonegotiation_done(mac):
    bsr = mac.phy_map["BSR"]
    status = mac.phy_read("BSR")
    assert bsr.field("LINK_UP").extract(status) == 1
    assert bsr.field("ANCOMPLETE").extract(status) == 1
    # LAN9118 PHY identifier (datasheet 5.5.2/5.5.3): OUI 0x0007, model 0xC0D1.
    assert (mac.phy_read("ID1"), mac.phy_read("ID2")) == (0x0007, 0xC0D1)
    mac.phy_write("ANAR", 0x01E1)
    assert mac.phy_read("ANAR") == 0x01E1


def test_transmitted_frame_reaches_the_host_with_its_tag(mac):
    mac.enable()
    frame = bytes(Ether(src=BOARD_MAC, dst=PEER_MAC) / IP(src="192.0.2.2", dst="192.0.2.1") / ICMP(type=0) / b"hello!!")
    mac.clock.cycle = 1234
    mac.send(frame, tag=0xBEEF)
    assert mac.sent == [(1234, frame)]
    parsed = Ether(mac.sent[0][1])
    assert parsed[IP].dst == "192.0.2.1" and parsed[ICMP].type == 0 and bytes(parsed[ICMP].payload) == b"hello!!"
    assert mac.get("TX_FIFO_INF", "TSUSED") == 1
    assert mac.map["TX_STATUS_FIFO"].field("TAG").extract(mac.read("TX_STATUS_FIFO")) == 0xBEEF
    assert mac.get("TX_FIFO_INF", "TSUSED") == 0
    assert mac.dev.counters["tx_frames"] == 1


def test_received_frame_with_status_and_fcs(mac):
    mac.enable()
    frame = ping_to_board()
    mac.deliver(frame)
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 1
    status, data = mac.receive()
    assert data[:-4] == frame
    assert data[-4:] == zlib.crc32(frame).to_bytes(4, "little")        # Ethernet FCS, wire order
    assert Ether(data[:-4])[ICMP].type == 8
    assert mac.map["RX_STATUS_FIFO"].field("ERROR").extract(status) == 0
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0 and mac.get("RX_FIFO_INF", "RXDUSED") == 0


def test_broadcast_is_flagged(mac):
    mac.enable()
    mac.deliver(bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.2")))
    status, _data = mac.receive()
    assert mac.map["RX_STATUS_FIFO"].field("BROADCAST").extract(status) == 1


def test_filter_the_driver_configures(mac):
    # Promiscuous (PRMS, set at reset) takes any frame; without it a driver gets its own
    # and broadcast frames only.
    assert mac.mac_map["MAC_CR"].field("PRMS").extract(mac.mac_read("MAC_CR")) == 1
    mac.enable("PRMS")
    mac.deliver(ping_to_board(dst="02:99:99:99:99:99"))
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 1
    mac.write("RX_CFG", mac.mask("RX_CFG", "RX_DUMP"))
    mac.mac_write("MAC_CR", mac.mask("MAC_CR", "RXEN", "TXEN", regmap=mac.mac_map))
    mac.deliver(ping_to_board(dst="02:99:99:99:99:99"))
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0
    assert mac.dev.counters["rx_filtered"] == 1
    mac.deliver(ping_to_board())
    mac.deliver(bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.2")))
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 2
    mac.mac_write("MAC_CR", mac.mask("MAC_CR", "RXEN", "TXEN", "BCAST", regmap=mac.mac_map))
    mac.deliver(bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.2")))
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 2


def test_nothing_is_received_before_rx_is_enabled(mac):
    mac.deliver(ping_to_board())
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0
    assert mac.dev.counters["rx_disabled"] == 1


def test_interrupt_request_reaches_the_nvic_once_enabled(mac):
    assert not mac.irq_level                                # nothing requested at reset
    mac.write("INT_EN", mac.mask("INT_STS", "RSFL"))
    mac.enable()
    mac.deliver(ping_to_board())
    assert mac.get("IRQ_CFG", "IRQ_INT") == 1               # requested...
    assert not mac.irq_level                                # ...but the output is not enabled
    mac.irq_active_high()
    assert mac.irq_level
    mac.write("INT_STS", mac.mask("INT_STS", "RSFL"))
    assert not mac.irq_level and mac.get("IRQ_CFG", "IRQ_INT") == 0
    mac.write("INT_EN", mac.mask("INT_STS", "SW"))
    assert mac.irq_level                                    # software interrupt
    assert mac.warnings == []


def test_active_low_interrupt_output_is_warned_about(mac):
    mac.write("IRQ_CFG", mac.mask("IRQ_CFG", "IRQ_EN"))
    assert mac.warnings == ["eth0: IRQ_CFG enables the interrupt without IRQ_TYPE|IRQ_POL (active-high push-pull): "
                            "QEMU's mps2-an386 would see the line inverted"]


def test_full_rx_fifo_drops_and_counts(mac):
    mac.enable()
    frame = ping_to_board(size=1400)
    words = (len(frame) + 4 + 3) // 4
    fits = 2640 // words                                    # QEMU's RX data FIFO: 2640 words
    for _ in range(fits + 3):
        mac.deliver(frame)
    assert mac.get("RX_FIFO_INF", "RXSUSED") == fits
    assert mac.get("INT_STS", "RXDF") == 1
    assert mac.read("RX_DROP") == 3
    assert mac.read("RX_DROP") == 0                          # cleared on read
    assert mac.dev.counters["rx_dropped_fifo_full"] == 3
    for _ in range(fits):
        _status, data = mac.receive()
        assert data[:-4] == frame
    mac.deliver(frame)
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 1


def test_runts_and_oversize_frames_are_dropped(mac):
    mac.enable()
    for frame in (b"\x01" * 13, ping_to_board(size=2100)):
        mac.deliver(frame)
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0
    assert mac.dev.counters["rx_dropped_size"] == 2


def test_fast_forward_skips_a_frame(mac):
    mac.enable()
    first, second = ping_to_board(size=100), ping_to_board(size=10)
    mac.deliver(first)
    mac.deliver(second)
    mac.read("RX_STATUS_FIFO")
    mac.write("RX_DP_CTRL", mac.mask("RX_DP_CTRL", "RX_FFWD"))
    _status, data = mac.receive()
    assert data[:-4] == second


def test_soft_reset(mac):
    mac.enable()
    mac.deliver(ping_to_board())
    mac.write("HW_CFG", mac.mask("HW_CFG", "SRST"))
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0
    assert mac.mac_read("MAC_CR") == mac.mac_map["MAC_CR"].reset
    mac.deliver(ping_to_board())
    assert mac.get("RX_FIFO_INF", "RXSUSED") == 0            # RX is off again


def test_undecoded_offset_is_a_bus_error(mac):
    with pytest.raises(BusError) as exc:
        mac.dev.read(0x60, 4)
    assert str(exc.value).endswith("eth0 has no register at offset 0x60")
