"""SMSC LAN9118 Ethernet controller in 32-bit mode, behaving like QEMU's hw/net/lan9118.c
(mps2-an386) so that one driver runs on both: TX and RX data/status FIFOs, MAC CSRs
reached through MAC_CSR_CMD/DATA, the PHY over MII (link up, auto-negotiation done),
the MAC address from the EEPROM at reset, address filtering, the interrupt request
(INT_STS & INT_EN, gated by IRQ_CFG.IRQ_EN) on its NVIC line, and frames dropped and
counted when the RX FIFO is full.

Frames go to and come from the host through the board's host I/O port (sim/board/net/hostio).
Where QEMU stops (hw_error) or leaves a TODO, the model warns and goes on; unlike QEMU it
counts dropped frames in RX_DROP and flags INT_STS.RXDF, as the datasheet says.
"""

from __future__ import annotations

import zlib
from collections import deque

from tlscosim.boarddesc import load_register_map
from tlscosim.schema import optional

from .base import RegisterDevice

DEFAULT_MAC = "52:54:00:12:34:56"      # QEMU's default NIC address
FREE_RUN_HZ = 25_000_000
# FIFO sizes at reset (HW_CFG.TX_FIF_SZ = 5), in 32-bit words, as QEMU sets them.
TX_FIFO_WORDS = 4608
RX_FIFO_WORDS = 2640
RX_STATUS_ENTRIES = 176
TX_STATUS_ENTRIES = 512
MAX_FRAME = 2048                       # the largest frame the receiver takes (QEMU: < 2048)
MIN_FRAME = 14                         # an Ethernet header
FCS_BYTES = 4
TX_BUFFER = 2048                       # bytes of one frame being assembled for sending
EEPROM_MAGIC = 0xA5
# TX command words (datasheet 5.6.1 / 5.6.2).
CMD_A_BUFFER_SIZE = (0, 11)
CMD_A_DATA_OFFSET = (16, 5)
CMD_A_FIRST = 1 << 13
CMD_A_LAST = 1 << 12
CMD_A_IOC = 1 << 31
CMD_A_END_ALIGN = (24, 2)
CMD_A_KEEP = 0x831F37FF
CMD_B_TAG_MASK = 0xFFFF0000
IRQ_CFG_WRITABLE = ("IRQ_EN", "IRQ_POL", "IRQ_TYPE")
ACTIVE_HIGH = ("IRQ_TYPE", "IRQ_POL")


def _bits(value: int, where: tuple[int, int]) -> int:
    lsb, width = where
    return (value >> lsb) & ((1 << width) - 1)


def multicast_hash_index(address: bytes) -> int:
    """The hash filter's bit index: the top 6 bits of the address's CRC-32 computed most
    significant bit first over bits taken least significant first (QEMU's net_crc32)."""
    crc = 0xFFFFFFFF
    for byte in address:
        for bit in range(8):
            carry = (crc >> 31) ^ (byte >> bit & 1)
            crc = (crc << 1) & 0xFFFFFFFF
            if carry:
                crc = (crc ^ 0x04C11DB6) | 1
    return crc >> 26


def parse_mac(text: str) -> bytes:
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 for p in parts):
        raise ValueError(f"MAC address {text!r} is not six hex bytes separated by ':'")
    return bytes(int(p, 16) for p in parts)


def _mac_option(key: str, value: str) -> str | None:
    try:
        parse_mac(value)
    except ValueError:
        return f"{key} must be a MAC address such as {DEFAULT_MAC!r}, not {value!r}"
    return None


class Lan9118(RegisterDevice):
    OPTIONS = {"mac": optional(str, DEFAULT_MAC, _mac_option)}     # board-file keys

    def __init__(self, spec, ctx):
        self.mac_map = load_register_map("lan9118_mac")
        self.phy_map = load_register_map("lan9118_phy")
        self._mac_index = {reg.offset // 4: reg.name for reg in self.mac_map}
        self._phy_index = {reg.offset // 2: reg.name for reg in self.phy_map}
        self.factory_mac = parse_mac(str(spec.options.get("mac", DEFAULT_MAC)))
        self.eeprom = bytearray([EEPROM_MAGIC]) + bytearray(self.factory_mac) + bytearray(121)
        self.counters = {"rx_frames": 0, "rx_dropped_fifo_full": 0, "rx_dropped_size": 0,
                         "rx_filtered": 0, "rx_disabled": 0, "tx_frames": 0, "tx_errors": 0}
        self._tx_frame = bytearray()
        self._mask_cache: dict = {}
        # The data FIFOs are the hot path (one access per word of every frame): decoded
        # here, ahead of the generic register lookup.
        rx, tx = spec.regmap["RX_DATA_FIFO"], spec.regmap["TX_DATA_FIFO"]
        self._rx_fifo_span = (rx.offset, rx.offset + rx.span)
        self._tx_fifo_span = (tx.offset, tx.offset + tx.span)
        super().__init__(spec.name, spec.regmap, ctx)
        self._irq = ctx.irq_line(spec.irq)
        self.port = ctx.host.ethernet_port(spec.name, self.receive)
        self._update_irq()

    def read(self, offset: int, size: int) -> int:
        low, high = self._rx_fifo_span
        if low <= offset < high and size == 4:
            return self.read_RX_DATA_FIFO(0)
        return super().read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        low, high = self._tx_fifo_span
        if low <= offset < high and size == 4:
            self.write_TX_DATA_FIFO(value & 0xFFFFFFFF, 0, 0xFFFFFFFF)
            return
        super().write(offset, size, value)

    # -- reset ------------------------------------------------------------------------------

    def reset(self) -> None:
        keep_irq_cfg = self.values.get("IRQ_CFG", [0])[0] & self._irq_cfg_mask(*ACTIVE_HIGH) if self.values else 0
        super().reset()
        self.put("IRQ_CFG", keep_irq_cfg)
        self.mac = {reg.name: reg.reset for reg in self.mac_map}
        self.mac_address = bytearray(6)
        self._rx_status: deque[int] = deque()
        self._rx_data: deque[deque[int]] = deque()     # the words of each waiting frame
        self._rx_words = 0
        self._rx_current: deque[int] | None = None      # the frame being read out
        self._rx_pad = 0
        self._tx_status: deque[int] = deque()
        self._tx_reset_assembly()
        self._free_run_start = self.ctx.clock.now()
        self._phy_reset()
        self._reload_eeprom()
        if hasattr(self, "port"):
            self.port.set_receiving(False)
            self._update_irq()

    def _tx_reset_assembly(self) -> None:
        self._tx_state = "idle"
        self._tx_cmd_a = self._tx_cmd_b = 0xFFFFFFFF
        self._tx_words = 0
        self._tx_left = self._tx_offset = self._tx_pad = 0
        self._tx_frame = bytearray()

    def _phy_reset(self) -> None:
        self.phy = {reg.name: reg.reset for reg in self.phy_map}
        self.phy["IMR"] = 0
        # The cable is always plugged in: link up and auto-negotiation complete (QEMU).
        bsr = self.phy_map["BSR"]
        self.phy["BSR"] |= bsr.field("LINK_UP").mask | bsr.field("ANCOMPLETE").mask
        isr = self.phy_map["ISR"]
        self.phy["ISR"] = isr.field("ENERGYON").mask | isr.field("ANCOMPLETE").mask
        self._phy_update_irq()

    def _reload_eeprom(self) -> None:
        loaded = self.eeprom[0] == EEPROM_MAGIC
        if loaded:
            self.mac_address[:] = self.eeprom[1:7]
        # E2P_CMD bit 4 says "MAC address loaded" in QEMU's model.
        self.put("E2P_CMD", (self.get("E2P_CMD") & ~0x10) | (0x10 if loaded else 0))

    # -- interrupts -------------------------------------------------------------------------

    def _irq_cfg_mask(self, *names: str) -> int:
        key = ("IRQ_CFG",) + names
        mask = self._mask_cache.get(key)
        if mask is None:
            mask = 0
            for name in names:
                mask |= self.field("IRQ_CFG", name).mask
            self._mask_cache[key] = mask
        return mask

    def _int(self, name: str) -> int:
        mask = self._mask_cache.get(name)
        if mask is None:
            mask = self._mask_cache[name] = self.field("INT_STS", name).mask
        return mask

    def _raise(self, name: str) -> None:
        self.put("INT_STS", self.get("INT_STS") | self._int(name))

    def _update_irq(self) -> None:
        asserted = bool(self.get("INT_STS") & self.get("INT_EN"))
        irq_int = self._irq_cfg_mask("IRQ_INT")
        cfg = self.get("IRQ_CFG")
        self.put("IRQ_CFG", (cfg | irq_int) if asserted else (cfg & ~irq_int))
        enabled = bool(cfg & self._irq_cfg_mask("IRQ_EN"))
        level = asserted and enabled
        # The NVIC line carries the interrupt request itself. QEMU drives the pin's level
        # instead: with any polarity but push-pull active-high (IRQ_TYPE|IRQ_POL) its line
        # idles high. Drivers select active-high (ours does); one that does not is told.
        active_high = self._irq_cfg_mask(*ACTIVE_HIGH)
        if enabled and cfg & active_high != active_high:
            self.ctx.warn_once(f"{self.name}.irqpol", f"{self.name}: IRQ_CFG enables the interrupt without IRQ_TYPE|IRQ_POL "
                               "(active-high push-pull): QEMU's mps2-an386 would see the line inverted")
        if self._irq:
            self._irq.set(level)

    def _phy_update_irq(self) -> None:
        phy_int = self._int("PHY")
        status = self.get("INT_STS")
        pending = self.phy["ISR"] & self.phy["IMR"]
        self.put("INT_STS", (status | phy_int) if pending else (status & ~phy_int))

    # -- receive (simulation thread, from the host port) --------------------------------

    def _mac_bit(self, name: str) -> bool:
        return bool(self.mac["MAC_CR"] & self.mac_map["MAC_CR"].field(name).mask)

    def _accepts(self, dest: bytes) -> bool:
        """The MAC's address filter (datasheet 3.6), as QEMU implements it."""
        if self._mac_bit("PRMS"):
            return True
        if dest == b"\xff" * 6:
            return not self._mac_bit("BCAST")
        multicast = bool(dest[0] & 1)
        if multicast and self._mac_bit("MCPAS"):
            return True
        hashed = self._mac_bit("HPFILT") if multicast else self._mac_bit("HO")
        if not hashed:
            match = dest == bytes(self.mac_address)
            return match != self._mac_bit("INVFILT")
        index = multicast_hash_index(dest)
        table = self.mac["HASHH"] if index & 0x20 else self.mac["HASHL"]
        return bool(table >> (index & 0x1F) & 1)

    def receive(self, frame: bytes) -> None:
        counters = self.counters
        if not self._mac_bit("RXEN"):
            counters["rx_disabled"] += 1
            return
        if not MIN_FRAME <= len(frame) < MAX_FRAME:
            counters["rx_dropped_size"] += 1
            return
        accepted = self._accepts(frame[:6])
        if not accepted and not self._mac_bit("RXALL"):
            counters["rx_filtered"] += 1
            return
        data = frame + zlib.crc32(frame).to_bytes(FCS_BYTES, "little")   # the FCS is delivered too
        words = deque(int.from_bytes(data[i:i + 4].ljust(4, b"\0"), "little") for i in range(0, len(data), 4))
        if len(self._rx_status) >= RX_STATUS_ENTRIES or self._rx_words + len(words) > RX_FIFO_WORDS:
            counters["rx_dropped_fifo_full"] += 1
            self.put("RX_DROP", self.get("RX_DROP") + 1)
            self._raise("RXDF")
            self._update_irq()
            return
        counters["rx_frames"] += 1
        self._rx_data.append(words)
        self._rx_words += len(words)
        status = self.field("RX_STATUS_FIFO", "PKT_LEN").insert(0, len(data))
        if frame[:6] == b"\xff" * 6:
            status |= self.field("RX_STATUS_FIFO", "BROADCAST").mask
        elif frame[0] & 1:
            status |= self.field("RX_STATUS_FIFO", "MULTICAST").mask
        if not accepted:
            status |= self.field("RX_STATUS_FIFO", "FILTER_FAIL").mask
        self._rx_status.append(status)
        if len(self._rx_status) > self.field("FIFO_INT", "RX_STS_LEVEL").extract(self.get("FIFO_INT")):
            self._raise("RSFL")
        self._update_irq()

    # -- RX registers ---------------------------------------------------------------------------

    def read_RX_DATA_FIFO(self, index: int) -> int:
        if self._rx_current is None and self._rx_pad == 0 and self._rx_data:
            self._rx_current = self._rx_data.popleft()
            size = len(self._rx_current)
            end_align = self.field("RX_CFG", "RX_EA").extract(self.get("RX_CFG"))
            self._rx_pad = {1: -size & 3, 2: -size & 7}.get(end_align, 0)
            if self.field("RX_CFG", "RXDOFF").extract(self.get("RX_CFG")):
                self.ctx.warn_once(f"{self.name}.rxdoff", f"{self.name}: RX_CFG.RXDOFF is not modelled (ignored)")
        if self._rx_current:
            self._rx_words -= 1
            word = self._rx_current.popleft()
            if not self._rx_current:
                self._rx_current = None
            return word
        if self._rx_pad:
            self._rx_pad -= 1
            return 0
        self._raise("RXE")      # read past the data: RX error, as QEMU flags it
        self._update_irq()
        return 0

    def read_RX_STATUS_FIFO(self, index: int) -> int:
        return self._rx_status.popleft() if self._rx_status else 0

    def read_RX_STATUS_FIFO_PEEK(self, index: int) -> int:
        return self._rx_status[0] if self._rx_status else 0

    def read_RX_FIFO_INF(self, index: int) -> int:
        value = self.field("RX_FIFO_INF", "RXSUSED").insert(0, len(self._rx_status))
        return self.field("RX_FIFO_INF", "RXDUSED").insert(value, self._rx_words * 4)

    def write_RX_CFG(self, value: int, index: int, mask: int) -> None:
        if value & self.field("RX_CFG", "RX_DUMP").mask:
            self._rx_status.clear()
            self._rx_data.clear()
            self._rx_current, self._rx_words, self._rx_pad = None, 0, 0
        self.put("RX_CFG", value & 0xCFFF1FF0)

    def write_RX_DP_CTRL(self, value: int, index: int, mask: int) -> None:
        if value & self.field("RX_DP_CTRL", "RX_FFWD").mask:
            if self._rx_current is None and self._rx_data:
                self._rx_current = self._rx_data.popleft()
            if self._rx_current is not None:
                self._rx_words -= len(self._rx_current)
            self._rx_current, self._rx_pad = None, 0

    def read_RX_DROP(self, index: int) -> int:
        dropped = self.get("RX_DROP")
        self.put("RX_DROP", 0)        # cleared on read (datasheet 5.3.20)
        return dropped

    # -- transmit ------------------------------------------------------------------------------

    def write_TX_DATA_FIFO(self, value: int, index: int, mask: int) -> None:
        if self._tx_words >= TX_FIFO_WORDS:
            self._raise("TDFO")
        elif self._tx_state == "idle":
            self._tx_cmd_a = value & CMD_A_KEEP
            self._tx_words += 1
            self._tx_left = _bits(self._tx_cmd_a, CMD_A_BUFFER_SIZE)
            self._tx_offset = _bits(self._tx_cmd_a, CMD_A_DATA_OFFSET)
            self._tx_state = "cmd_b"
        elif self._tx_state == "cmd_b":
            if self._tx_cmd_a & CMD_A_FIRST:
                self._tx_cmd_b = value
                self._tx_words += 1
                self._tx_frame = bytearray()
            words = (self._tx_left + self._tx_offset + 3) >> 2
            self._tx_pad = {1: -words & 3, 2: -words & 7}.get(_bits(self._tx_cmd_a, CMD_A_END_ALIGN), 0)
            self._tx_state = "data"
            self._tx_buffer_done_if_empty()
        else:
            status = self.get("INT_STS")
            self._tx_data_word(value)
            if self.get("INT_STS") != status:
                self._update_irq()
            return
        self._update_irq()

    def _tx_data_word(self, value: int) -> None:
        if self._tx_left > 4 and not self._tx_offset:       # the common case: a whole word of data
            self._tx_frame += value.to_bytes(4, "little")
            self._tx_left -= 4
            self._tx_words += 1
            return
        if self._tx_offset >= 4:
            self._tx_offset -= 4
            return
        if self._tx_left <= 0 and self._tx_pad:
            self._tx_pad -= 1
        else:
            data = value.to_bytes(4, "little")[self._tx_offset:]
            take = min(len(data), self._tx_left)
            self._tx_offset = 0
            self._tx_frame += data[:take]
            self._tx_left -= take
            self._tx_words += 1
        self._tx_buffer_done_if_empty()

    def _tx_buffer_done_if_empty(self) -> None:
        if self._tx_state != "data" or self._tx_left > 0 or self._tx_pad:
            return
        if self._tx_cmd_a & CMD_A_LAST:
            self._send_frame()
        if self._tx_cmd_a & CMD_A_IOC:
            self._raise("TX_IOC")
        self._tx_state = "idle"

    def _send_frame(self) -> None:
        frame = bytes(self._tx_frame)
        self._tx_words = 0
        self._tx_frame = bytearray()
        if len(frame) > TX_BUFFER:
            self.counters["tx_errors"] += 1
            self._raise("TXE")
            self.ctx.warn_once(f"{self.name}.txlong", f"{self.name}: frame of {len(frame)} bytes not sent (longer than {TX_BUFFER})")
            return
        self.counters["tx_frames"] += 1
        if self.phy["BCR"] & self.phy_map["BCR"].field("LOOPBACK").mask:
            self.receive(frame)
        else:
            self.port.transmit(frame, self.ctx.clock.now())
        if len(self._tx_status) < TX_STATUS_ENTRIES:
            self._tx_status.append(self._tx_cmd_b & CMD_B_TAG_MASK)
            if len(self._tx_status) == TX_STATUS_ENTRIES:
                self._raise("TSFF")

    def read_TX_STATUS_FIFO(self, index: int) -> int:
        return self._tx_status.popleft() if self._tx_status else 0

    def read_TX_STATUS_FIFO_PEEK(self, index: int) -> int:
        return self._tx_status[0] if self._tx_status else 0

    def read_TX_FIFO_INF(self, index: int) -> int:
        value = self.field("TX_FIFO_INF", "TSUSED").insert(0, len(self._tx_status))
        return self.field("TX_FIFO_INF", "TDFREE").insert(value, TX_FIFO_WORDS - self._tx_words)

    def write_TX_CFG(self, value: int, index: int, mask: int) -> None:
        if value & self.field("TX_CFG", "TXS_DUMP").mask:
            self._tx_status.clear()
        if value & self.field("TX_CFG", "TXD_DUMP").mask:
            self._tx_reset_assembly()
        self.put("TX_CFG", value & (self.field("TX_CFG", "TX_ON").mask | self.field("TX_CFG", "TXSAO").mask))

    # -- control and interrupt registers ------------------------------------------------------

    def write_IRQ_CFG(self, value: int, index: int, mask: int) -> None:
        keep = self._irq_cfg_mask("IRQ_INT")
        self.put("IRQ_CFG", (self.get("IRQ_CFG") & keep) | (value & self._irq_cfg_mask(*IRQ_CFG_WRITABLE)))
        self._update_irq()

    def write_INT_STS(self, value: int, index: int, mask: int) -> None:
        self.put("INT_STS", self.get("INT_STS") & ~value)
        self._phy_update_irq()     # a PHY source still pending keeps its bit
        self._update_irq()

    def write_INT_EN(self, value: int, index: int, mask: int) -> None:
        self.put("INT_EN", value & ~0x7C001000)      # reserved bits read 0
        if value & self._int("SW"):
            self._raise("SW")
        self._update_irq()

    def write_HW_CFG(self, value: int, index: int, mask: int) -> None:
        if value & self.field("HW_CFG", "SRST").mask:
            self.reset()
        else:
            self.put("HW_CFG", (value & 0x003F300) | (self.get("HW_CFG") & self.field("HW_CFG", "BIT32").mask))

    def write_PMT_CTRL(self, value: int, index: int, mask: int) -> None:
        if value & self.field("PMT_CTRL", "PHY_RST").mask:
            self._phy_reset()
        self.put("PMT_CTRL", (self.get("PMT_CTRL") & ~0x34E) | (value & 0x34E))
        self._update_irq()

    def read_FREE_RUN(self, index: int) -> int:
        elapsed = self.ctx.clock.now() - self._free_run_start
        return (elapsed * FREE_RUN_HZ // self.ctx.clock.hz) & 0xFFFFFFFF

    # -- MAC CSRs, indirect ---------------------------------------------------------------------

    def write_MAC_CSR_CMD(self, value: int, index: int, mask: int) -> None:
        cmd = self.regmap["MAC_CSR_CMD"]
        reg_index = cmd.field("ADDRESS").extract(value)
        # BUSY reads back 0: the access completes at once. QEMU keeps the low 4 index bits.
        self.put("MAC_CSR_CMD", value & (cmd.field("READ").mask | 0xF))
        if not value & cmd.field("BUSY").mask:
            return
        name = self._mac_index.get(reg_index & 0xF)
        if name is None:
            self.ctx.warn_once(f"{self.name}.mac{reg_index}", f"{self.name}: MAC CSR index {reg_index} is not modelled")
            if value & cmd.field("READ").mask:
                self.put("MAC_CSR_DATA", 0)
            return
        if value & cmd.field("READ").mask:
            self.put("MAC_CSR_DATA", self._mac_read(name))
        else:
            self._mac_write(name, self.get("MAC_CSR_DATA"))
        self._update_irq()

    def _mac_read(self, name: str) -> int:
        if name == "ADDRH":
            return int.from_bytes(self.mac_address[4:6], "little")
        if name == "ADDRL":
            return int.from_bytes(self.mac_address[0:4], "little")
        return self.mac[name]

    def _mac_write(self, name: str, value: int) -> None:
        if name == "MAC_CR":
            rxen = self.mac_map["MAC_CR"].field("RXEN").mask
            if self.mac["MAC_CR"] & rxen and not value & rxen:
                self._raise("RXSTOP")
            self.mac["MAC_CR"] = value & ~0x7F404213
            self.port.set_receiving(bool(value & rxen))
        elif name == "ADDRH":
            self.mac_address[4:6] = (value & 0xFFFF).to_bytes(2, "little")
        elif name == "ADDRL":
            self.mac_address[0:4] = value.to_bytes(4, "little")
        elif name == "MII_ACC":
            self._mii_access(value)
        elif name == "MII_DATA":
            self.mac[name] = value & 0xFFFF
        elif name == "FLOW":
            self.mac[name] = value & 0xFFFF0000
        else:
            self.mac[name] = value

    def _mii_access(self, value: int) -> None:
        acc = self.mac_map["MII_ACC"]
        self.mac["MII_ACC"] = value & 0xFFC2
        reg = acc.field("MIIRINDA").extract(value)
        name = self._phy_index.get(reg)
        if acc.field("MIIWNR").extract(value):
            self._phy_write(name, reg, self.mac["MII_DATA"])
        else:
            self.mac["MII_DATA"] = self._phy_read(name, reg)

    def _phy_read(self, name: str | None, reg: int) -> int:
        if name is None:
            self.ctx.warn_once(f"{self.name}.phy{reg}", f"{self.name}: PHY register {reg} is not modelled (reads 0)")
            return 0
        value = self.phy[name]
        if name == "ISR":
            self.phy["ISR"] = 0       # cleared on read
            self._phy_update_irq()
        return value

    def _phy_write(self, name: str | None, reg: int, value: int) -> None:
        bcr = self.phy_map["BCR"]
        if name == "BCR":
            if value & bcr.field("RESET").mask:
                self._phy_reset()
                return
            self.phy["BCR"] = value & 0x7980
            if value & bcr.field("ANENABLE").mask:
                self.phy["BSR"] |= self.phy_map["BSR"].field("ANCOMPLETE").mask   # completes at once
        elif name == "ANAR":
            self.phy["ANAR"] = (value & 0x2D7F) | 0x80
        elif name == "IMR":
            self.phy["IMR"] = value & 0xFF
            self._phy_update_irq()
        else:
            self.ctx.warn_once(f"{self.name}.phyw{reg}", f"{self.name}: write to PHY register {reg} ignored")

    # -- EEPROM ------------------------------------------------------------------------------

    def write_E2P_CMD(self, value: int, index: int, mask: int) -> None:
        cmd = self.regmap["E2P_CMD"]
        op, address = cmd.field("CMD").extract(value), cmd.field("ADDRESS").extract(value)
        self.put("E2P_CMD", (self.get("E2P_CMD") & 0x10) | (op << cmd.field("CMD").lsb) | address)
        if op == 0:
            self.put("E2P_DATA", self.eeprom[address])
        elif op == 7:
            self._reload_eeprom()
        else:
            self.ctx.warn_once(f"{self.name}.e2p{op}", f"{self.name}: EEPROM command {op} is not modelled")

    def write_E2P_DATA(self, value: int, index: int, mask: int) -> None:
        self.put("E2P_DATA", value & 0xFF)
