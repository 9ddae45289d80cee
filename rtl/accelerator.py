"""What every accelerator has around its core: the bus bridge and the common registers.

ID, VERSION, CTRL (with its START strobe), STATUS (BUSY/DONE/WERR), IRQ_ENABLE and the
BLOCKS counter behave the same in every core and are built here from the register map;
a subclass attaches its core and its data registers in `attach_core`.

Busy writes: a write to CTRL or to a register named in `LOCKED_WHILE_BUSY` while the
core is busy is discarded and sets STATUS.WERR, so a running operation always sees the
inputs it started with. Subclasses store such registers only through `accepts()`.
"""

from dataclasses import dataclass, field

from amaranth.hdl import Const, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from tlscosim.regmap import RegisterMap

from .bus import DATA_WIDTH, BusSignature, RegisterBridge, field_bits, masked, written_bits


@dataclass
class CoreLink:
    """The signals between the common registers and a core's glue."""

    start: Signal                        # one cycle: CTRL written with START=1 while idle
    ctrl: Signal                         # CTRL in force this cycle (the written value in the write cycle)
    busy: Signal                         # driven by the glue
    done: Signal                         # driven by the glue: high in the last cycle of a block
    status: dict[str, Value] = field(default_factory=dict)   # extra read-only STATUS fields

    def accepts(self, elem) -> Value:
        """A write to a locked register takes effect only while idle."""
        return elem.w_stb & ~self.busy


class Accelerator(wiring.Component):
    LOCKED_WHILE_BUSY: tuple[str, ...] = ()

    def __init__(self, regmap: RegisterMap):
        self.regmap = regmap
        super().__init__({
            "bus": In(BusSignature((regmap.size - 1).bit_length())),
            "irq": Out(1),                # level: STATUS.DONE and IRQ_ENABLE.DONE
            "busy": Out(1),               # STATUS.BUSY, for the simulator's idle fast-forward
        })

    def attach_core(self, m: Module, regs: RegisterBridge, link: CoreLink) -> None:
        raise NotImplementedError

    def elaborate(self, platform):
        m = Module()
        regs = m.submodules.bridge = RegisterBridge(self.regmap)
        wiring.connect(m, wiring.flipped(self.bus), regs.bus)
        link = CoreLink(start=Signal(), ctrl=Signal(DATA_WIDTH), busy=Signal(), done=Signal())
        self.attach_core(m, regs, link)

        for name in ("ID", "VERSION"):
            m.d.comb += regs.elements(name)[0].r_data.eq(self.regmap[name].reset)
        self._control(m, regs, link)
        self._status(m, regs, link)

        blocks, = regs.elements("BLOCKS")
        counter = Signal(DATA_WIDTH)
        with m.If(link.done):
            m.d.sync += counter.eq(counter + 1)
        m.d.comb += [blocks.r_data.eq(counter), self.busy.eq(link.busy)]
        return m

    def _control(self, m, regs, link):
        ctrl_reg = self.regmap["CTRL"]
        start_field = ctrl_reg.field("START")
        kept = sum(f.mask for f in ctrl_reg.fields if f is not start_field)  # START reads 0
        ctrl, = regs.elements("CTRL")
        stored = Signal(DATA_WIDTH)
        written = masked(stored, regs) & kept
        accepted = link.accepts(ctrl)
        with m.If(accepted):
            m.d.sync += stored.eq(written)
        m.d.comb += [ctrl.r_data.eq(stored), link.ctrl.eq(stored)]
        with m.If(accepted):
            m.d.comb += link.ctrl.eq(written)
        m.d.comb += link.start.eq(accepted & field_bits(written_bits(regs), start_field).any())

    def _status(self, m, regs, link):
        status_reg = self.regmap["STATUS"]
        status, = regs.elements("STATUS")
        irq_enable, = regs.elements("IRQ_ENABLE")
        done, werr, irq_en = Signal(), Signal(), Signal()
        cleared = written_bits(regs)
        clear_done = status.w_stb & field_bits(cleared, status_reg.field("DONE")).any()
        clear_werr = status.w_stb & field_bits(cleared, status_reg.field("WERR")).any()

        with m.If(link.done):                          # a completion is never lost to a clear
            m.d.sync += done.eq(1)
        with m.Elif(clear_done | link.start):
            m.d.sync += done.eq(0)

        locked = [elem for name in ("CTRL",) + self.LOCKED_WHILE_BUSY for elem in regs.elements(name)]
        discarded = Signal()
        m.d.comb += discarded.eq(link.busy & _any(elem.w_stb for elem in locked))
        with m.If(discarded):
            m.d.sync += werr.eq(1)
        with m.Elif(clear_werr):
            m.d.sync += werr.eq(0)

        values = {"BUSY": link.busy, "DONE": done, "WERR": werr, **link.status}
        read = Const(0, DATA_WIDTH)
        for fld in status_reg.fields:
            read = read | (values[fld.name] << fld.lsb)
        m.d.comb += status.r_data.eq(read)

        enable_field = self.regmap["IRQ_ENABLE"].field("DONE")
        with m.If(irq_enable.w_stb):
            m.d.sync += irq_en.eq(field_bits(masked(irq_en << enable_field.lsb, regs), enable_field))
        m.d.comb += [irq_enable.r_data.eq(irq_en << enable_field.lsb), self.irq.eq(done & irq_en)]


def _any(values) -> Value:
    result = Const(0, 1)
    for value in values:
        result = result | value
    return result
