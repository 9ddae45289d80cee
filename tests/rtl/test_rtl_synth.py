"""The synthesis flow (yosys synth_ice40 + nextpnr-ice40) and its parsing, on a small
design so that the suite stays fast; `tlscosim rtl report` runs it on the real cores."""

from amaranth.back import verilog
from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from tlscosim.rtl.synth import synthesize


class Accumulator(wiring.Component):
    """8 flip-flops, an adder, and a ROM that must become a block RAM."""

    addr: In(8)
    total: Out(8)

    def elaborate(self, platform):
        m = Module()
        m.submodules.rom = rom = Memory(shape=8, depth=256, init=[(i * 7) & 0xFF for i in range(256)])
        port = rom.read_port()
        acc = Signal(8)
        m.d.comb += [port.addr.eq(self.addr), self.total.eq(acc)]
        m.d.sync += acc.eq(acc + port.data)
        return m


def test_synthesis_reports_area_and_fmax(tmp_path):
    source = tmp_path / "accumulator.v"
    source.write_text(verilog.convert(Accumulator(), name="accumulator"))
    result = synthesize(source, "accumulator", tmp_path / "out")
    assert result.device == "iCE40HX8K-ct256"
    assert result.ram_blocks == 1 and result.ram_blocks_available == 32
    assert 8 <= result.flip_flops <= 16
    assert 0 < result.luts < 100 and 0 < result.logic_cells <= result.logic_cells_available
    assert result.fmax_mhz > 20
