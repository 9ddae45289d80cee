"""`tlscosim run` as a user runs it (a subprocess): UART0 on stdout, the firmware's exit
status passed through, 124 at a cycle or time limit, 125 on a fault, lockup or deadlock
(with the report), 2 on bad input; never a traceback; `--json` holds the run's figures."""

from __future__ import annotations

import json

import pytest

from simtest import EXIT_BAD_INPUT, EXIT_FAULT, EXIT_LIMIT, reports, tlscosim, with_scenario
from test_sim_elf import REFUSED, host_executable


def assert_no_traceback(proc):
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def test_exit_status_zero_and_uart_on_stdout(test_elfs):
    proc = tlscosim("run", test_elfs["timing"])
    assert proc.returncode == 0, proc.stderr
    assert "systick.period" in reports(proc.stdout.encode())
    assert "tlscosim: exit (code 0)" in proc.stderr
    assert_no_traceback(proc)


def test_exit_status_of_the_firmware_is_passed_through(test_elfs):
    proc = tlscosim("run", test_elfs["exit3"])
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""


def test_recovered_fault_is_noted_and_the_run_goes_on(test_elfs):
    proc = tlscosim("run", test_elfs["faults"])
    assert proc.returncode == 0, proc.stderr
    assert "was taken by the firmware" in proc.stderr and "fault_read" in proc.stderr


@pytest.mark.parametrize("limit, reason", [
    (("--max-cycles", "1000000"), "cycle-limit"),
    (("--timeout-s", "0.3"), "time-limit"),
])
def test_limits_exit_124_saying_where_the_firmware_was(test_elfs, limit, reason):
    proc = tlscosim("run", test_elfs["spin"], *limit)
    assert proc.returncode == EXIT_LIMIT, proc.stderr
    assert f"tlscosim: {reason}: stopped at the" in proc.stderr
    assert "(spin_forever" in proc.stderr and "pc=0x" in proc.stderr
    assert_no_traceback(proc)


def test_fault_with_stop_policy_exits_125_with_the_report(test_elfs):
    proc = tlscosim("run", test_elfs["faults"], "--fault-policy", "stop")
    assert proc.returncode == EXIT_FAULT, proc.stderr
    for part in ("tlscosim: fault:", "precise data bus error", "fault_read", "r0=0x", "xpsr=0x", "CFSR=0x",
                 "last blocks"):
        assert part in proc.stderr, part
    assert_no_traceback(proc)


def test_lockup_exits_125_with_the_report(test_elfs, tmp_path):
    elf = with_scenario(test_elfs["faults"], "lockup", tmp_path / "lockup.elf")
    proc = tlscosim("run", elf)
    assert proc.returncode == EXIT_FAULT, proc.stderr
    assert "tlscosim: lockup: Lockup:" in proc.stderr and "fault_entry" in proc.stderr
    assert_no_traceback(proc)


def test_exit_inside_a_fault_handler_keeps_the_firmware_status(test_elfs, tmp_path):
    elf = with_scenario(test_elfs["faults"], "exit_in_handler", tmp_path / "exit.elf")
    proc = tlscosim("run", elf)
    assert proc.returncode == reports(proc.stdout.encode())["exit.code"], proc.stderr
    assert "tlscosim: fault: firmware exited with code" in proc.stderr
    assert "fault_udf_with_registers" in proc.stderr
    assert_no_traceback(proc)


def test_deadlock_exits_125(test_elfs):
    proc = tlscosim("run", test_elfs["sleeper"])
    assert proc.returncode == EXIT_FAULT, proc.stderr
    assert "tlscosim: deadlock:" in proc.stderr and "sleep_forever" in proc.stderr
    assert_no_traceback(proc)


def test_quiet_prints_no_summary(test_elfs):
    proc = tlscosim("run", "--quiet", test_elfs["exit3"])
    assert proc.returncode == 3
    assert proc.stderr == ""


def test_json_report_holds_the_figures_and_is_deterministic(test_elfs, tmp_path):
    runs = []
    for i in range(2):
        out = tmp_path / f"run{i}.json"
        proc = tlscosim("run", "--quiet", "--json", out, test_elfs["timing"])
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(out.read_text()))
    data = runs[0]
    assert data["exit_code"] == 0 and data["stop_reason"] == "exit"
    assert isinstance(data["instructions"], int) and data["instructions"] > 0
    assert isinstance(data["cycles"], int) and data["cycles"] >= data["instructions"] - data["counters"]["fold"]
    assert data["wall_s"] > 0 and data["mips"] > 0
    assert data["mips"] == pytest.approx(data["instructions"] / data["wall_s"] / 1e6, rel=0.01)
    same = ("instructions", "cycles", "counters", "exit_code", "stop_reason")
    assert {k: runs[1][k] for k in same} == {k: data[k] for k in same}


def test_json_report_of_a_limit(test_elfs, tmp_path):
    out = tmp_path / "limit.json"
    proc = tlscosim("run", "--quiet", "--max-cycles", "500000", "--json", out, test_elfs["spin"])
    assert proc.returncode == EXIT_LIMIT
    data = json.loads(out.read_text())
    assert data["exit_code"] is None and data["stop_reason"] == "cycle-limit"
    assert data["cycles"] >= 500_000


@pytest.mark.parametrize("image", REFUSED)
def test_bad_firmware_is_a_clear_error_with_status_2(raw_images, image):
    proc = tlscosim("run", raw_images[image])
    assert proc.returncode == EXIT_BAD_INPUT, proc.stderr
    assert proc.stderr.startswith("tlscosim: error: ")
    assert REFUSED[image] in proc.stderr
    assert_no_traceback(proc)


def test_elf_of_another_machine_is_a_clear_error():
    proc = tlscosim("run", host_executable())
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr.startswith("tlscosim: error: ") and "not ARM" in proc.stderr
    assert_no_traceback(proc)


def test_unknown_board_is_a_clear_error(test_elfs):
    proc = tlscosim("run", "--board", "no-such-board", test_elfs["exit3"])
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr.startswith("tlscosim: error: unknown board 'no-such-board'")
    assert_no_traceback(proc)
