"""What every accelerator has around its core: the bus bridge and the common registers.

ID, VERSION, CTRL (START, AUTOSTART, CLEAR), STATUS (BUSY, DONE, WERR, INPUT_READY,
OUTPUT_VALID), IRQ_ENABLE and the BLOCKS counter behave the same in every core and are
built here from the register map; a subclass attaches its core and its data registers
in `attach_core`.

Registered start. A START (or, with CTRL.AUTOSTART, a write to the last word of the
input buffer) only sets a pending flag; the core sees the flag from the next cycle on
and reads its operands from registers. No bus input reaches the datapath in the cycle
it is presented, so the clock period is not stretched by the bus.

Streaming. The input buffer (`INPUT_BUFFER`) is copied by the core when it begins a
block, so the next block can be written while one runs; its START is queued and the
core begins it in the cycle it is free. The buffer and CTRL are locked (writes
discarded, STATUS.WERR set) only while a START is pending; registers the running core
keeps reading (`LOCKED_WHILE_BUSY`) are locked while it runs. A core whose result
register would be overwritten by a queued block (`HOLDS_OUTPUT`) waits before writing it
while OUTPUT_VALID says the previous result has not been released (by START or by
writing 1 to STATUS.OUTPUT_VALID).

Zeroization. CLEAR, registered like START, resets the core (which then wipes its
memories, BUSY meanwhile) and the data registers here. What survives it is not secret:
IRQ_ENABLE and BLOCKS.
"""

from dataclasses import dataclass, field

from amaranth.hdl import Const, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from tlscosim.regmap import RegisterMap

from .bus import DATA_WIDTH, BusSignature, RegisterBridge, field_bits, masked, store_bytes, written_bits


@dataclass
class CoreLink:
    """The signals between the common registers and a core's glue."""

    start: Signal      # a START is pending and the core is free: begin now
    clear: Signal      # one cycle (registered CLEAR): reset the core and wipe
    ctrl: Signal       # the stored CTRL
    hold: Signal       # the output holds an unreleased result: do not overwrite it yet
    pending: Signal    # a START waits for the core
    locked: Signal     # pending, running or clearing: operands of the core are locked
    # Driven by the glue:
    busy: Signal = field(default_factory=Signal)     # the core cannot begin (running, wiping)
    taken: Signal = field(default_factory=Signal)    # the core copies the input buffer now
    done: Signal = field(default_factory=Signal)     # the core finishes an operation now
    stalled: Signal = field(default_factory=Signal)  # the core waits on `hold`, state frozen
    wiping: Signal = field(default_factory=Signal)   # the core wipes its memories (operands free)
    output_done: Value | None = None   # a result is written to the output now (default: done;
                                       # a core with operations that write none sets it)
    status: dict[str, Value] = field(default_factory=dict)   # extra read-only STATUS fields

    def __post_init__(self):
        if self.output_done is None:
            self.output_done = self.done

    def accepts(self, elem) -> Value:
        """A write to a register the running core reads takes effect only while idle."""
        return elem.w_stb & ~self.locked

    def buffer_accepts(self, elem) -> Value:
        """A write to the input buffer takes effect unless a START still needs its contents."""
        return elem.w_stb & ~self.pending & ~self.clear


class Accelerator(wiring.Component):
    LOCKED_WHILE_BUSY: tuple[str, ...] = ()
    INPUT_BUFFER: str = ""
    HOLDS_OUTPUT = False

    def __init__(self, regmap: RegisterMap):
        self.regmap = regmap
        super().__init__({
            "bus": In(BusSignature((regmap.size - 1).bit_length())),
            "irq": Out(1),                # level: STATUS.DONE and IRQ_ENABLE.DONE
            "busy": Out(1),               # the design's state is changing (for the simulator)
        })

    def attach_core(self, m: Module, regs: RegisterBridge, link: CoreLink) -> None:
        raise NotImplementedError

    def stored_words(self, m: Module, regs: RegisterBridge, link: CoreLink, name: str,
                     accepts) -> list[Signal]:
        """Storage for register array `name`, written when `accepts(elem)`, wiped by CLEAR."""
        words = []
        for i, elem in enumerate(regs.elements(name)):
            word = Signal(DATA_WIDTH, name=f"{name.lower()}{i}")
            with m.If(link.clear):
                m.d.sync += word.eq(0)
            with m.Elif(accepts(elem)):
                store_bytes(m, word, regs.w_data, regs.w_mask)
            words.append(word)
        return words

    def elaborate(self, platform):
        m = Module()
        regs = m.submodules.bridge = RegisterBridge(self.regmap)
        wiring.connect(m, wiring.flipped(self.bus), regs.bus)
        link = CoreLink(start=Signal(name="start"), clear=Signal(name="clear"),
                        ctrl=Signal(DATA_WIDTH, name="ctrl"), hold=Signal(name="hold"),
                        pending=Signal(name="pending"), locked=Signal(name="locked"))
        self.attach_core(m, regs, link)

        for name in ("ID", "VERSION"):
            m.d.comb += regs.elements(name)[0].r_data.eq(self.regmap[name].reset)
        start_request, locked_writes = self._control(m, regs, link)
        self._status(m, regs, link, start_request, locked_writes)

        blocks, = regs.elements("BLOCKS")
        counter = Signal(DATA_WIDTH, name="blocks")
        with m.If(link.done):
            m.d.sync += counter.eq(counter + 1)
        advancing = (link.busy & ~link.stalled) | link.start | link.clear
        m.d.comb += [blocks.r_data.eq(counter), self.busy.eq(advancing)]
        return m

    def _control(self, m, regs, link):
        """CTRL storage, the pending START and the registered CLEAR. Returns the START
        request and the (write strobe, locked) pairs of the registers that can be locked."""
        ctrl_reg = self.regmap["CTRL"]
        start_field, clear_field = ctrl_reg.field("START"), ctrl_reg.field("CLEAR")
        kept = sum(f.mask for f in ctrl_reg.fields if f not in (start_field, clear_field))
        ctrl, = regs.elements("CTRL")
        stored = Signal(DATA_WIDTH, name="ctrl_stored")
        clear_request = ctrl.w_stb & field_bits(written_bits(regs), clear_field).any()
        accepted = ctrl.w_stb & ~clear_request & ~link.pending & ~link.clear
        m.d.sync += link.clear.eq(clear_request)
        with m.If(link.clear):
            m.d.sync += stored.eq(0)
        with m.Elif(accepted):
            m.d.sync += stored.eq(masked(stored, regs) & kept)
        m.d.comb += [ctrl.r_data.eq(stored), link.ctrl.eq(stored)]

        last_input = regs.elements(self.INPUT_BUFFER)[-1]
        autostart = field_bits(stored, ctrl_reg.field("AUTOSTART"))
        start_request = Signal()
        m.d.comb += start_request.eq(
            (accepted & field_bits(written_bits(regs), start_field).any())
            | (autostart & link.buffer_accepts(last_input)))
        with m.If(link.clear):
            m.d.sync += link.pending.eq(0)
        with m.Elif(start_request):
            m.d.sync += link.pending.eq(1)
        with m.Elif(link.taken):
            m.d.sync += link.pending.eq(0)
        m.d.comb += [link.start.eq(link.pending & ~link.busy & ~link.clear),
                     link.locked.eq(link.pending | (link.busy & ~link.wiping) | link.clear)]
        locked_writes = [
            (ctrl.w_stb & ~clear_request, link.pending | link.clear),
            (_any(e.w_stb for e in regs.elements(self.INPUT_BUFFER)), link.pending | link.clear),
            (_any(e.w_stb for n in self.LOCKED_WHILE_BUSY for e in regs.elements(n)), link.locked),
        ]
        return start_request, locked_writes

    def _status(self, m, regs, link, start_request, locked_writes):
        status_reg = self.regmap["STATUS"]
        status, = regs.elements("STATUS")
        irq_enable, = regs.elements("IRQ_ENABLE")
        done, werr = Signal(name="done"), Signal(name="werr")
        output_valid, irq_en = Signal(name="output_valid"), Signal(name="irq_enabled")
        cleared = written_bits(regs)

        def w1c(name):
            return status.w_stb & field_bits(cleared, status_reg.field(name)).any()

        # A completion is never lost to a clear written in the same cycle.
        for flag, released, finished in ((done, w1c("DONE"), link.done),
                                         (output_valid, w1c("OUTPUT_VALID"), link.output_done)):
            with m.If(finished):
                m.d.sync += flag.eq(1)
            with m.Elif(released | start_request | link.clear):
                m.d.sync += flag.eq(0)
        if self.HOLDS_OUTPUT:
            m.d.comb += link.hold.eq(output_valid)

        discarded = _any(written & locked for written, locked in locked_writes)
        with m.If(discarded):
            m.d.sync += werr.eq(1)
        with m.Elif(w1c("WERR") | link.clear):
            m.d.sync += werr.eq(0)

        values = {"BUSY": link.pending | link.busy | link.clear, "DONE": done, "WERR": werr,
                  "INPUT_READY": ~link.pending & ~link.clear, "OUTPUT_VALID": output_valid,
                  **link.status}
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
