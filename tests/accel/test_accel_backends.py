"""The same firmware on both RTL back ends: identical UART output and cycle counts (the
Verilator model is the Verilog Amaranth emits, so this also holds the two simulators
to the same cycle-by-cycle behaviour inside a real run)."""

from __future__ import annotations

import shutil

import pytest

from tlscosim.fw.build import build_firmware

from conftest import run_on_board

needs_verilator = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")


@needs_verilator
def test_amaranth_and_verilator_agree(accel_check_elf, accel_check_run):
    fast = run_on_board(accel_check_elf, backend="verilator")
    slow = accel_check_run
    assert fast.result.exit_code == slow.result.exit_code == 0
    assert fast.uart == slow.uart
    assert (fast.result.cycles, fast.result.instructions) == (slow.result.cycles, slow.result.instructions)
    # The AES and SHA-256 cores (a GCM core the firmware never uses is built by Verilator only).
    assert [fast.offload["blocks"][c] for c in ("aes", "sha256")] == [slow.offload["blocks"][c] for c in ("aes", "sha256")]
    assert fast.offload["verify_offload"] == slow.offload["verify_offload"]
    assert fast.offload["rtl_backend"] == "verilator" and slow.offload["rtl_backend"] == "amaranth"
    # The same RTL cycles were simulated (the rest skipped as idle) on both.
    for name in ("aes", "sha256"):
        assert fast.offload["rtl"][name]["rtl_cycles_simulated"] == slow.offload["rtl"][name]["rtl_cycles_simulated"]
        assert fast.offload["rtl"][name]["accesses"] == slow.offload["rtl"][name]["accesses"]


@needs_verilator
def test_the_wait_state_board_agrees_too():
    """stm32f4-like: other addresses, other IRQ numbers, flash wait states."""
    elf = build_firmware(["accel_check"], board="stm32f4-like").elfs["accel_check"]
    runs = [run_on_board(elf, board="stm32f4-like", backend=b) for b in ("amaranth", "verilator")]
    assert runs[0].result.exit_code == 0, runs[0].uart
    assert "passed: 0 failures" in runs[0].uart
    assert runs[0].uart == runs[1].uart
    assert runs[0].result.cycles == runs[1].result.cycles
    assert runs[0].offload["verify_offload"]["mismatches"] == 0
