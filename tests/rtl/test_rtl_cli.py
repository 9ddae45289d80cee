"""`tlscosim rtl ...` end to end: help, regs, verilog + lint, sim with waveforms, report."""

import json
import subprocess
import sys
import uuid

import pytest
from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from tlscosim.cli import main
from tlscosim.paths import BUILD_DIR
from tlscosim.regmap import RegisterMap
from tlscosim.rtl.cli import WAVES_DIR
from tlscosim.rtl.regmaps import CORES, register_map


def test_help_lists_the_subcommands():
    result = subprocess.run([sys.executable, "-m", "tlscosim.cli", "rtl", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    for sub in ("verilog", "regs", "report", "sim"):
        assert sub in result.stdout


def test_regs_writes_json_and_headers(tmp_path):
    assert main(["rtl", "regs", str(tmp_path)]) == 0
    for core in CORES:
        assert RegisterMap.load(tmp_path / f"{core}.json") == register_map(core)
        header = (tmp_path / f"{core}_regs.h").read_text()
        assert "do not edit" in header and "_ID_OFFSET 0x000u" in header


def test_verilog_is_lint_clean(tmp_path, capsys):
    assert main(["rtl", "verilog", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for core in CORES:
        assert (tmp_path / f"{core}_accel.v").read_text().count(f"module {core}_accel(") == 1
        assert f"{core}_accel.v: clean" in out
    assert "lint_off -rule" in (tmp_path / "lint_waivers.vlt").read_text()


# The GCM core (the largest, its lint alone ~40 s) by default; all of them under `slow`.
@pytest.mark.parametrize("core", [c if c == "gcm" else pytest.param(c, marks=pytest.mark.slow) for c in CORES])
def test_every_lint_finding_is_waived_one_by_one(tmp_path, core):
    """Each finding is waived for its own signal, operator or line, and only when it is of
    a known generator pattern: nothing is left over on the core, no rule is off."""
    from tlscosim.rtl.verilog import LINT_WAIVERS, waiver_lines, write_verilog
    waived, left = waiver_lines(write_verilog(core, tmp_path))
    assert waived and not left, left[:5]
    assert all(line.split()[2] in LINT_WAIVERS for line in waived)
    assert all(("-lines " in line) != ("-match " in line) for line in waived)


class Truncating(wiring.Component):
    """A named signal whose carry is dropped: what the waivers must never hide."""

    a: In(32)
    b: In(32)
    total: Out(32)

    def elaborate(self, platform):
        m = Module()
        wide = Signal(33, name="wide")
        m.d.comb += [wide.eq(self.a + self.b), self.total.eq(wide[:32])]
        return m


def test_a_real_truncation_is_not_waived(tmp_path):
    from amaranth.back import verilog

    from tlscosim.rtl.verilog import Finding, waiver_lines
    source = tmp_path / "truncating_accel.v"
    source.write_text(verilog.convert(Truncating(), name="truncating_accel", emit_src=False))
    _waived, left = waiver_lines(source)
    assert Finding("UNUSEDSIGNAL", left[0].line, "Bits of signal are not used: 'wide'[32]") in left


def test_sim_writes_waveforms_under_build(capsys):
    name = f"test-{uuid.uuid4().hex[:8]}.vcd"
    try:
        assert main(["rtl", "sim", "sha256", "--vcd", name]) == 0
        assert (WAVES_DIR / name).stat().st_size > 0
    finally:
        (WAVES_DIR / name).unlink(missing_ok=True)
    assert "passed: 0 failure(s)" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["/tmp/outside.vcd", "../escape.vcd"])
def test_sim_refuses_waveforms_outside_build(where, capsys):
    assert main(["rtl", "sim", "aes", "--vcd", where]) == 2
    assert "tlscosim: error: --vcd" in capsys.readouterr().err


def test_report_without_synthesis(tmp_path):
    out = tmp_path / "report.json"
    assert main(["rtl", "report", "--no-synth", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["aes"]["cycles_per_block"] == {"128": 12, "192": 14, "256": 16}
    assert report["aes"]["first_block_with_key_expansion"] == {"128": 57, "192": 67, "256": 77}
    assert report["aes"]["sustained_cycles_per_block"] == {"128": 11, "192": 13, "256": 15}
    assert report["sha256"]["cycles_per_block"] == 66
    assert set(report["sha256"]["cycles_by_mode"].values()) == {66}
    assert report["sha256"]["sustained_cycles_per_block"] == 65
    assert report["gcm"]["cycles_by_op"]["ENCRYPT"] == 30
    assert report["gcm"]["cycles_per_byte"] < 2
    assert str(BUILD_DIR) not in out.read_text()


def test_bench_measures_every_load():
    from tlscosim.rtl.bench import bench
    rates = bench("sha256", "pysim", operations=8)
    assert all(rate > 0 for rate in rates.values())
    assert rates["idle_cycles_per_s"] > 1000 * rates["busy_cycles_per_s"]   # skipped, not simulated


def test_docs_register_tables_match_the_declarations():
    from tlscosim.paths import ROOT
    from tlscosim.rtl.regdoc import markdown_table
    docs = (ROOT / "docs" / "rtl.md").read_text()
    for core in CORES:
        assert markdown_table(register_map(core)) in docs, f"regenerate the {core} table"
