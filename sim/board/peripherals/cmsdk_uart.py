"""ARM CMSDK APB UART (ARM DDI 0479 4.3): transmit to a host stream, receive from a host
queue. Transmission is immediate (no baud-rate timing): TX is never full and the TX
interrupt fires on each byte sent, as in QEMU's model."""

from __future__ import annotations

from collections import deque

from .base import RegisterDevice


class CmsdkUart(RegisterDevice):
    def __init__(self, spec, ctx):
        self._rx: deque[int] = deque()
        super().__init__(spec.name, spec.regmap, ctx)
        self._tx_irq = ctx.irq_line(spec.irqs.get("tx"))
        self._rx_irq = ctx.irq_line(spec.irqs.get("rx"))
        self.transmitted = bytearray()

    def reset(self) -> None:
        super().reset()
        self._rx.clear()

    # -- host side -------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Bytes arriving on the RX line."""
        self._rx.extend(data)
        self._update_rx()

    # -- registers -------------------------------------------------------------------

    def _ctrl(self, name: str) -> bool:
        return bool(self.field("CTRL", name).extract(self.get("CTRL")))

    def _set_status(self, reg: str, name: str, on: bool) -> None:
        f = self.field(reg, name)
        self.put(reg, f.insert(self.get(reg), int(on)))

    def read_DATA(self, index: int) -> int:
        if not self._rx:
            return 0
        byte = self._rx.popleft()
        self._update_rx()
        return byte

    def write_DATA(self, value: int, index: int, mask: int) -> None:
        byte = value & 0xFF
        if not self._ctrl("TX_EN"):
            self.ctx.warn_once(f"{self.name}.txen", f"{self.name}: byte written with CTRL.TX_EN clear (dropped, as QEMU does)")
            return
        self.transmitted.append(byte)
        self.ctx.uart_sink(self.name, bytes([byte]))
        if self._ctrl("TX_INTEN"):
            self._set_status("INTSTATUS", "TX", True)
            self._update_irqs()

    def read_STATE(self, index: int) -> int:
        state = self.get("STATE")
        state = self.field("STATE", "TX_FULL").insert(state, 0)
        return self.field("STATE", "RX_FULL").insert(state, int(bool(self._rx) and self._ctrl("RX_EN")))

    def write_STATE(self, value: int, index: int, mask: int) -> None:
        # Overrun flags are cleared by writing 1.
        overrun = self.field("STATE", "TX_OVERRUN").mask | self.field("STATE", "RX_OVERRUN").mask
        self.put("STATE", self.get("STATE") & ~(value & overrun))

    def write_CTRL(self, value: int, index: int, mask: int) -> None:
        self.put("CTRL", (self.get("CTRL") & ~mask) | value)
        self._update_rx()

    def write_INTSTATUS(self, value: int, index: int, mask: int) -> None:
        self.put("INTSTATUS", self.get("INTSTATUS") & ~value)
        self._update_rx()

    def _update_rx(self) -> None:
        pending = bool(self._rx) and self._ctrl("RX_EN") and self._ctrl("RX_INTEN")
        if pending:
            self._set_status("INTSTATUS", "RX", True)
        self._update_irqs()

    def _update_irqs(self) -> None:
        status = self.get("INTSTATUS")
        if self._tx_irq:
            self._tx_irq.set(bool(self.field("INTSTATUS", "TX").extract(status)))
        if self._rx_irq:
            self._rx_irq.set(bool(self.field("INTSTATUS", "RX").extract(status)))
