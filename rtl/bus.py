"""The generic bus bridge: one 32-bit memory-mapped port decoded from a RegisterMap.

The bus is what the board simulator issues: a byte address inside the peripheral's
window, write data, byte enables, and read or write. An access takes one cycle: a write
is committed at the clock edge that ends the cycle it is presented in; read data is a
combinational function of the registers, so a read returns the state left by the
previous edge. Reads have no side effects.

The bridge only decodes. For every register element it offers a small port (`w_stb`,
`r_data`), plus the write data and byte mask shared by all (one access per cycle), and
the core behind it decides what a write does
(storage, write-1-to-clear, strobes, discarding while busy). Access kinds are applied
here: writes to "ro" registers and reads of "wo" registers never reach the core.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from tlscosim.regmap import Field, Register, RegisterMap

DATA_WIDTH = 32
BYTE_LANES = DATA_WIDTH // 8


class BusSignature(wiring.Signature):
    """Seen from the initiator (the CPU side); a peripheral takes `In(BusSignature(...))`."""

    def __init__(self, addr_width: int = 12):
        super().__init__({
            "addr": Out(addr_width),        # byte address inside the window; bits 1:0 ignored
            "stb": Out(1),                  # an access is presented this cycle
            "we": Out(1),                   # 1: write, 0: read
            "be": Out(BYTE_LANES),          # byte enables of a write
            "wdata": Out(DATA_WIDTH),
            "rdata": In(DATA_WIDTH),
        })


class ElementSignature(wiring.Signature):
    """One 32-bit register as the core behind the bridge sees it (bridge side is Out)."""

    def __init__(self):
        super().__init__({
            "w_stb": Out(1),                # a write hits this register this cycle
            "r_data": In(DATA_WIDTH),       # what a read returns (ignored for "wo")
        })


def element_name(register: Register) -> str:
    return register.name.lower()


def bridge_signature(regmap: RegisterMap) -> wiring.Signature:
    members = {
        "bus": In(BusSignature((regmap.size - 1).bit_length())),
        "w_data": Out(DATA_WIDTH),          # the data of this cycle's write, for every element
        "w_mask": Out(DATA_WIDTH),          # its byte enables, one bit per data bit
    }
    for reg in regmap:
        if reg.width != DATA_WIDTH:
            raise ValueError(f"{regmap.name}.{reg.name}: the bridge serves 32-bit registers only")
        member = Out(ElementSignature())
        members[element_name(reg)] = member.array(reg.count) if reg.count > 1 else member
    return wiring.Signature(members)


class RegisterBridge(wiring.Component):
    """Decodes the bus into one element port per register (arrays become lists)."""

    def __init__(self, regmap: RegisterMap):
        self.regmap = regmap
        super().__init__(bridge_signature(regmap))

    def elements(self, name: str) -> list:
        """The element ports of register `name`, one per array index."""
        reg = self.regmap[name]
        port = getattr(self, element_name(reg))
        return list(port) if reg.count > 1 else [port]

    def elaborate(self, platform):
        m = Module()
        bus = self.bus
        word = bus.addr[2:]
        m.d.comb += [self.w_data.eq(bus.wdata),
                     self.w_mask.eq(Cat(*(lane.replicate(8) for lane in bus.be)))]
        for reg in self.regmap:
            for index, elem in enumerate(self.elements(reg.name)):
                if reg.access != "ro":
                    hit = bus.stb & bus.we & (word == reg.offset_of(index) >> 2)
                    m.d.comb += elem.w_stb.eq(hit)
        # Read data does not depend on the strobe: reads have no side effects.
        with m.Switch(word):
            for reg in self.regmap:
                if reg.access == "wo":
                    continue
                for index, elem in enumerate(self.elements(reg.name)):
                    with m.Case(reg.offset_of(index) >> 2):
                        m.d.comb += bus.rdata.eq(elem.r_data)
        return m


# -- helpers for the cores behind the bridge ----------------------------------------------

def field_bits(value: Value, fld: Field) -> Value:
    """The bits of field `fld` in a register value (positions come from the register map)."""
    return value[fld.lsb:fld.lsb + fld.width]


def masked(old: Value, bridge: RegisterBridge) -> Value:
    """`old` with the bytes enabled by this cycle's write replaced."""
    return (old & ~bridge.w_mask) | (bridge.w_data & bridge.w_mask)


def store_bytes(m: Module, storage: Value, data: Value, mask: Value) -> None:
    """Write the enabled bytes of `data` into `storage` at the clock edge. Written as one
    enable per byte lane rather than a read-modify-write mux: the lanes become the
    flip-flops' clock enables, which costs no LUTs on iCE40."""
    for lane in range(len(storage) // 8):
        with m.If(mask[8 * lane]):
            m.d.sync += storage[8 * lane:8 * lane + 8].eq(data[8 * lane:8 * lane + 8])


def written_bits(bridge: RegisterBridge) -> Value:
    """This cycle's write data with disabled bytes as 0 (for strobe and clear bits)."""
    return bridge.w_data & bridge.w_mask


def byte_swapped(value: Value) -> Value:
    """A 32-bit word with its bytes reversed (bus byte image <-> big-endian word value)."""
    return Cat(*(value[8 * i:8 * i + 8] for i in reversed(range(BYTE_LANES))))
