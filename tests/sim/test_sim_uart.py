"""CMSDK UART model (peripherals/cmsdk_uart.py) through its bus interface: transmit to the
host, receive from it, status, interrupts and their NVIC lines."""

from __future__ import annotations

import pytest

from tlscosim.sim.board.bus import BusError
from tlscosim.sim.architecture.nvic import Exc



PERIPHERAL = "uart0"


@pytest.fixture
def uart(regs):
    return regs.device


def test_registers_reset_to_their_map_values(regs):
    for reg in regs.map:
        assert regs.read(reg.name) == reg.reset, reg.name


def test_transmit_reaches_the_host_only_with_tx_enabled(bench, regs, spec):
    regs.write("DATA", ord("x"))
    assert bench.sent == []
    assert any(spec.name in w and "TX_EN" in w for w in bench.warnings)

    regs.write("CTRL", regs.mask("CTRL", "TX_EN"))
    for ch in b"ok\n":
        regs.write("DATA", ch)
    assert b"".join(data for name, data in bench.sent if name == spec.name) == b"ok\n"
    assert regs.get("STATE", "TX_FULL") == 0     # transmission is immediate


def test_transmit_interrupt_sets_status_and_line_until_cleared(bench, regs, spec):
    tx_exc = Exc.IRQ0 + spec.irqs["tx"]
    regs.write("CTRL", regs.mask("CTRL", "TX_EN"))
    regs.write("DATA", ord("a"))
    assert regs.get("INTSTATUS", "TX") == 0 and not bench.nvic.pending[tx_exc]

    regs.write("CTRL", regs.mask("CTRL", "TX_EN", "TX_INTEN"))
    regs.write("DATA", ord("b"))
    assert regs.get("INTSTATUS", "TX") == 1
    assert bench.nvic.pending[tx_exc] and bench.nvic.line_level[spec.irqs["tx"]]

    regs.write("INTSTATUS", regs.mask("INTSTATUS", "TX"))     # write 1 to clear
    assert regs.get("INTSTATUS", "TX") == 0
    assert not bench.nvic.line_level[spec.irqs["tx"]]


def test_receive_queue_status_and_data(uart, regs):
    uart.feed(b"hi")
    assert regs.get("STATE", "RX_FULL") == 0          # RX disabled: nothing reported
    regs.write("CTRL", regs.mask("CTRL", "RX_EN"))
    assert regs.get("STATE", "RX_FULL") == 1
    assert regs.get("DATA", "DATA") == ord("h")
    assert regs.get("STATE", "RX_FULL") == 1
    assert regs.get("DATA", "DATA") == ord("i")
    assert regs.get("STATE", "RX_FULL") == 0
    assert regs.read("DATA") == 0                      # empty queue reads 0


def test_receive_interrupt_follows_the_queue(bench, uart, regs, spec):
    rx_line = spec.irqs["rx"]
    regs.write("CTRL", regs.mask("CTRL", "RX_EN", "RX_INTEN"))
    uart.feed(b"ab")
    assert regs.get("INTSTATUS", "RX") == 1
    assert bench.nvic.pending[Exc.IRQ0 + rx_line] and bench.nvic.line_level[rx_line]

    regs.write("INTSTATUS", regs.mask("INTSTATUS", "RX"))
    assert regs.get("INTSTATUS", "RX") == 1, "data still queued: the interrupt stays asserted"
    regs.read("DATA")
    regs.read("DATA")
    regs.write("INTSTATUS", regs.mask("INTSTATUS", "RX"))
    assert regs.get("INTSTATUS", "RX") == 0
    assert not bench.nvic.line_level[rx_line]


def test_plain_registers_read_back_and_byte_lanes_merge(regs):
    div = regs.field("BAUDDIV", "DIV")
    regs.write("BAUDDIV", div.insert(0, 217))
    assert regs.get("BAUDDIV", "DIV") == 217
    regs.write("CTRL", regs.mask("CTRL", "TX_EN"))
    regs.write("BAUDDIV", 0x01, size=1, byte=1)        # one byte lane only
    assert regs.read("BAUDDIV") == (217 & 0xFF) | 0x100
    assert regs.get("CTRL", "TX_EN") == 1


def test_undecoded_offset_is_a_bus_error(regs):
    with pytest.raises(BusError, match="no register at offset"):
        regs.device.read(regs.undecoded_offset(), 4)
    with pytest.raises(BusError):
        regs.device.write(regs.undecoded_offset(), 4, 1)
