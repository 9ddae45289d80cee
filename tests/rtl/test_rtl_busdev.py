"""The bus driver the co-simulation uses: access rules, idle fast-forward and the two
simulation back ends, held to the same results cycle for cycle on random traffic."""

import time

import pytest

from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.regmaps import CORES, register_map

from rtl_traces import SHORT_GAPS, random_trace, replay

TRACE_LENGTH = 300


@pytest.fixture
def device():
    with RtlBusDevice("aes") as dev:
        yield dev


@pytest.mark.parametrize("size, offset", [(3, 0), (4, 2), (2, 1), (4, 0x1000), (1, -1)])
def test_bad_accesses_are_refused(device, size, offset):
    with pytest.raises(ValueError):
        device.read(0, offset, size)


def test_value_must_fit_the_size(device):
    with pytest.raises(ValueError, match="does not fit"):
        device.write(0, register_map("aes").offset("DIN"), 1, 0x100)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown back end"):
        RtlBusDevice("aes", backend="iverilog")


def test_an_access_takes_one_cycle_and_late_ones_run_now(device):
    regmap = device.regmap
    device.write(10, regmap.offset("DIN"), 4, 0x1234)
    assert device.cycle == 11
    assert device.read(5, regmap.offset("DIN")) == 0x1234     # asked for the past: runs at 11
    assert device.cycle == 12


def test_long_idle_stretches_are_skipped(device):
    regmap = device.regmap
    device.write(0, regmap.offset("DIN"), 4, 7)
    began = time.perf_counter()
    device.advance_to(10**12)
    assert time.perf_counter() - began < 1.0
    assert device.cycle == 10**12 and device.skipped > 10**12 - 100   # the power-on wipe runs
    assert device.read(device.cycle, regmap.offset("DIN")) == 7
    assert device.read(device.cycle, regmap.offset("ID")) == regmap["ID"].reset


@pytest.mark.parametrize("core", CORES)
def test_fast_forward_changes_nothing(core):
    trace = random_trace(register_map(core), seed=4, count=TRACE_LENGTH, gaps=SHORT_GAPS)
    with RtlBusDevice(core, fast_forward=False) as plain:   # pays for every cycle
        expected = replay(plain, trace)
        assert plain.skipped == 0
    with RtlBusDevice(core) as fast:
        assert replay(fast, trace) == expected
        assert fast.skipped > len(trace)


@pytest.mark.parametrize("core", CORES)
def test_verilator_and_pysim_agree_cycle_for_cycle(core):
    trace = random_trace(register_map(core), seed=11, count=TRACE_LENGTH)
    with RtlBusDevice(core) as pysim, RtlBusDevice(core, backend="verilator") as verilated:
        seen_pysim, seen_verilator = replay(pysim, trace), replay(verilated, trace)
    # The trace reaches the datapath: a share of its reads return data (GCM, with two
    # key slots and more write-only registers, returns fewer than the others).
    assert sum(1 for _, value, _, _ in seen_pysim if value) > TRACE_LENGTH // 20
    assert any(busy for *_, busy in seen_pysim), "the trace never started an operation"
    assert seen_verilator == seen_pysim


def test_vcd_is_written_where_asked(tmp_path):
    path = tmp_path / "waves" / "aes.vcd"
    with RtlBusDevice("aes", vcd=path) as dev:
        dev.write(3, dev.regmap.offset("CTRL"), 4, 1)
        dev.advance_to(100)
    text = path.read_text()
    assert "$enddefinitions" in text and "bus__addr" in text
