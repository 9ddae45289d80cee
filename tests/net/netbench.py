"""Helpers of the network tests: a LAN9118 on a bench of its own (clock, NVIC, host I/O)
driven by register names, with MAC and PHY registers reached the way a driver reaches
them (MAC_CSR_CMD, MII_ACC)."""

from __future__ import annotations

from tlscosim.boarddesc import BoardDescription, load_register_map
from tlscosim.sim.board.context import DeviceContext
from tlscosim.sim.architecture.nvic import Nvic
from tlscosim.sim.board.peripherals import device_class
from tlscosim.sim.board.scheduler import Scheduler

ETH = "eth0"


class BenchClock:
    def __init__(self, hz: int):
        self.cycle = 0
        self.hz = hz

    def now(self) -> int:
        return self.cycle


class MacBench:
    """eth0 of the default board with its registers by name; frames it sends are kept
    in `sent` (with their cycle), frames for it go through `deliver` + `poll`."""

    def __init__(self):
        desc = BoardDescription.load()
        self.spec = desc.peripheral(ETH)
        self.map = self.spec.regmap
        self.mac_map = load_register_map("lan9118_mac")
        self.phy_map = load_register_map("lan9118_phy")
        self.scheduler = Scheduler()
        self.nvic = Nvic(desc.cpu.nvic_irq_lines, desc.cpu.nvic_priority_bits)
        self.clock = BenchClock(desc.clock_hz)
        self.warnings: list[str] = []
        self.ctx = DeviceContext(clock=self.clock, scheduler=self.scheduler, nvic=self.nvic,
                                 warn=self.warnings.append)
        self.dev = device_class(self.spec.model)(self.spec, self.ctx)
        self.port = self.ctx.host.ports[ETH]
        self.sent: list[tuple[int, bytes]] = []
        self.port.attach(self)

    # the link side of the port
    def to_host(self, frame: bytes, cycle: int) -> None:
        self.sent.append((cycle, frame))

    def deliver(self, frame: bytes) -> None:
        self.port.deliver(frame)
        self.ctx.host.poll(self.clock.now())
        self._arrive()

    def _arrive(self) -> None:
        """Moves the bench clock past every frame still on the incoming wire."""
        while (nxt := self.scheduler.next_cycle()) is not None:
            self.clock.cycle = max(self.clock.cycle, nxt)
            self.scheduler.fire_due(nxt)

    # registers
    def read(self, reg: str, index: int = 0) -> int:
        return self.dev.read(self.map.offset(reg, index), 4)

    def write(self, reg: str, value: int, index: int = 0) -> None:
        self.dev.write(self.map.offset(reg, index), 4, value)

    def mask(self, reg: str, *names: str, regmap=None) -> int:
        regmap = regmap or self.map
        value = 0
        for name in names:
            value |= regmap[reg].field(name).mask
        return value

    def get(self, reg: str, name: str) -> int:
        return self.map[reg].field(name).extract(self.read(reg))

    def _mac_cmd(self, reg: str, read: bool) -> None:
        cmd = self.map["MAC_CSR_CMD"]
        value = cmd.field("BUSY").mask | cmd.field("ADDRESS").insert(0, self.mac_map.offset(reg) // 4)
        self.write("MAC_CSR_CMD", value | (cmd.field("READ").mask if read else 0))

    def mac_read(self, reg: str) -> int:
        self._mac_cmd(reg, True)
        return self.read("MAC_CSR_DATA")

    def mac_write(self, reg: str, value: int) -> None:
        self.write("MAC_CSR_DATA", value)
        self._mac_cmd(reg, False)

    def phy_read(self, reg: str) -> int:
        acc = self.mac_map["MII_ACC"]
        self.mac_write("MII_ACC", acc.field("MIIRINDA").insert(0, self.phy_map.offset(reg) // 2)
                       | acc.field("PHYADDR").insert(0, 1) | acc.field("MIIBZY").mask)
        return self.mac_read("MII_DATA")

    def phy_write(self, reg: str, value: int) -> None:
        acc = self.mac_map["MII_ACC"]
        self.mac_write("MII_DATA", value)
        self.mac_write("MII_ACC", acc.field("MIIRINDA").insert(0, self.phy_map.offset(reg) // 2)
                       | acc.field("PHYADDR").insert(0, 1) | acc.field("MIIWNR").mask | acc.field("MIIBZY").mask)

    # a driver's steps
    def enable(self, *mac_cr_fields: str) -> None:
        self.mac_write("MAC_CR", self.mask("MAC_CR", "RXEN", "TXEN", *mac_cr_fields, regmap=self.mac_map))

    def irq_active_high(self) -> None:
        self.write("IRQ_CFG", self.mask("IRQ_CFG", "IRQ_EN", "IRQ_POL", "IRQ_TYPE"))

    def send(self, frame: bytes, tag: int = 0x1234) -> None:
        """TX command A (first and last segment, no offset), command B (tag, length), data."""
        self.write("TX_DATA_FIFO", (1 << 13) | (1 << 12) | len(frame))
        self.write("TX_DATA_FIFO", (tag << 16) | len(frame))
        padded = frame + bytes(-len(frame) % 4)
        for i in range(0, len(padded), 4):
            self.write("TX_DATA_FIFO", int.from_bytes(padded[i:i + 4], "little"))

    def receive(self) -> tuple[int, bytes]:
        """Pops one RX status and reads the frame's words: (status, frame including FCS)."""
        status = self.read("RX_STATUS_FIFO")
        length = self.map["RX_STATUS_FIFO"].field("PKT_LEN").extract(status)
        data = b"".join(self.read("RX_DATA_FIFO").to_bytes(4, "little") for _ in range((length + 3) // 4))
        return status, data[:length]

    @property
    def irq_level(self) -> bool:
        return self.nvic.line_level[self.spec.irq]
