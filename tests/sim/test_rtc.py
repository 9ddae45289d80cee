"""RTC model (sim/board/peripherals/rtc.py, platform/peripherals/rtc.toml): the time is the
epoch set at start plus simulated time (cycles / clock_hz); reading SECONDS_LO latches
SECONDS_HI and MILLIS of the same instant; firmware sets it (HI staged, LO applies); a
reset keeps it; the epoch option is checked with pinned messages."""

from __future__ import annotations

import json
import time

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.sim.board.peripherals.rtc import RTC_EPOCH_MAX, check_rtc_epoch

from simtest import DeviceBench, Regs, tlscosim

PERIPHERAL = "rtc"
EPOCH = 1_700_000_000          # 2023-11-14T22:13:20Z


def rtc(board_desc, spec, epoch=EPOCH):
    bench = DeviceBench(board_desc)
    bench.ctx.rtc_epoch = epoch
    return bench, Regs(bench.build(spec), spec.regmap)


def read_time(regs) -> tuple[int, int]:
    """(seconds, milliseconds) the way the driver reads them: LO, then HI and MILLIS."""
    low = regs.read("SECONDS_LO")
    return (regs.read("SECONDS_HI") << 32) | low, regs.get("MILLIS", "MS")


def test_id_is_nonzero_and_the_window_reads_zero_under_qemu(board_desc, spec):
    _bench, regs = rtc(board_desc, spec)
    assert regs.read("ID") == regs.reset_value("ID") == int.from_bytes(b"RTC0", "little")
    # Inside the region QEMU's mps2-an386 leaves unimplemented (reads 0): firmware sees no RTC there.
    reserved = board_desc.peripheral("reserved4")
    assert reserved.base <= spec.base and spec.end <= reserved.end
    assert reserved.model == "unimplemented"


@pytest.mark.parametrize("board", ["mps2-an386", "mps2-an386-fpu", "stm32f4-like"])
def test_boards_with_the_tlscosim_devices_have_the_rtc(board):
    desc = BoardDescription.load(board)
    rtc_spec = desc.peripheral("rtc")
    assert rtc_spec.model == "rtc" and rtc_spec.regmap.name == "rtc"
    others = [p for p in desc.peripherals if p.model not in ("unimplemented",) and p.name != "rtc"]
    assert all(p.end <= rtc_spec.base or rtc_spec.end <= p.base for p in others)


def test_time_at_start_is_the_epoch(board_desc, spec):
    _bench, regs = rtc(board_desc, spec)
    assert read_time(regs) == (EPOCH, 0)


def test_time_advances_with_simulated_cycles_only(board_desc, spec):
    bench, regs = rtc(board_desc, spec)
    hz = board_desc.clock_hz
    bench.clock.advance(hz * 3 // 2 - 1)            # one cycle short of 1.5 s
    assert read_time(regs) == (EPOCH + 1, 499)
    bench.clock.advance(1)
    assert read_time(regs) == (EPOCH + 1, 500)
    time.sleep(0.01)                                # wall time does not move it
    assert read_time(regs) == (EPOCH + 1, 500)
    bench.clock.advance(hz * 3600)
    assert read_time(regs) == (EPOCH + 3601, 500)


def test_low_word_read_latches_high_word_and_millis(board_desc, spec):
    epoch = (5 << 32) | 0xFFFFFFFF                  # the low word wraps one second later
    bench, regs = rtc(board_desc, spec, epoch)
    hz = board_desc.clock_hz
    bench.clock.advance(hz - 1)                     # 999.99996 ms
    assert regs.read("SECONDS_LO") == 0xFFFFFFFF
    bench.clock.advance(1)                          # the second turns over here...
    assert regs.read("SECONDS_HI") == 5             # ...but HI and MILLIS stay as latched
    assert regs.get("MILLIS", "MS") == 999
    assert read_time(regs) == ((6 << 32) | 0, 0)


def test_firmware_sets_the_time_high_word_staged_low_word_applies(board_desc, spec):
    bench, regs = rtc(board_desc, spec)
    hz = board_desc.clock_hz
    bench.clock.advance(hz // 4)
    regs.write("SECONDS_HI", 1)
    assert read_time(regs) == (EPOCH, 250)          # staged only
    regs.write("SECONDS_LO", 42)
    assert read_time(regs) == ((1 << 32) | 42, 0)
    bench.clock.advance(hz * 2 + hz // 10)
    assert read_time(regs) == ((1 << 32) | 44, 100)


def test_millis_is_read_only(board_desc, spec):
    bench, regs = rtc(board_desc, spec)
    regs.write("MILLIS", 123)
    assert read_time(regs) == (EPOCH, 0)
    assert any("read-only register MILLIS" in w for w in bench.warnings)


def test_reset_keeps_the_time_and_drops_the_staged_word(board_desc, spec):
    bench, regs = rtc(board_desc, spec)
    hz = board_desc.clock_hz
    regs.write("SECONDS_HI", 7)
    bench.clock.advance(hz)
    regs.device.reset()
    assert read_time(regs) == (EPOCH + 1, 0)
    regs.write("SECONDS_LO", 10)
    assert read_time(regs) == (10, 0)                # the staged 7 was dropped by the reset


def test_no_epoch_means_the_hosts_time_at_start(board_desc, spec):
    before = int(time.time())
    _bench, regs = rtc(board_desc, spec, epoch=None)
    after = int(time.time())
    seconds, _ms = read_time(regs)
    assert before <= seconds <= after


def test_epoch_values_checked():
    assert check_rtc_epoch(None) is None
    assert check_rtc_epoch(0) == 0
    assert check_rtc_epoch(RTC_EPOCH_MAX) == RTC_EPOCH_MAX
    for bad in (-1, RTC_EPOCH_MAX + 1, 1.5, "1700000000", True):
        with pytest.raises(ValueError) as exc:
            check_rtc_epoch(bad)
        assert str(exc.value) == ("rtc_epoch must be None (the host's time) or whole seconds since 1970 in "
                                  f"0..253402300799 (9999-12-31T23:59:59Z), not {bad!r}")


def test_run_option_reaches_the_board_and_is_checked(test_elfs):
    from tlscosim.sim.frontends.runner import load_simulation
    for epoch in (0, EPOCH, RTC_EPOCH_MAX):
        with load_simulation(test_elfs["exit3"], rtc_epoch=epoch) as sim:
            regs = Regs(sim.board.devices["rtc"], sim.board.desc.peripheral("rtc").regmap)
            assert read_time(regs) == (epoch, 0)
            assert sim.run().exit_code == 3
            assert read_time(regs)[0] == epoch       # a short run: well under a second
    with pytest.raises(ValueError, match=r"^rtc_epoch must be None .* not -5$"):
        load_simulation(test_elfs["exit3"], rtc_epoch=-5)


@pytest.mark.parametrize("value", ["-1", "253402300800", "1.5", "tomorrow", ""])
def test_cli_rejects_bad_epochs_with_a_clear_message(value):
    proc = tlscosim("run", "missing.elf", "--rtc-epoch", value)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        "tlscosim run: error: argument --rtc-epoch: must be 'now' or whole seconds since 1970 in "
        f"0..253402300799 (9999-12-31T23:59:59Z), not {value!r}")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("option", ["1700000000", "now"])
def test_json_records_the_epoch_the_run_started_at(test_elfs, tmp_path, option):
    out = tmp_path / "run.json"
    before = int(time.time())
    proc = tlscosim("run", test_elfs["exit3"], "-q", "--rtc-epoch", option, "--json", out)
    after = int(time.time())
    assert proc.returncode == 3, proc.stderr
    recorded = json.loads(out.read_text())["rtc_epoch"]
    if option == "now":
        assert before <= recorded <= after           # the host's time, kept so the run can be repeated
    else:
        assert recorded == int(option)
