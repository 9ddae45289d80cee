"""Hostile-probe corpus (issue 8): small firmware doing what broken or malicious firmware
does (firmware/hostile, one scenario each), run under tlscosim and QEMU mps2-an386.
Where the architecture defines the outcome, UART output and exit status must be QEMU's;
where QEMU locks up or hangs, tlscosim must stop with a clear report instead."""

from __future__ import annotations

import re

from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu
from tlscosim.paths import BUILD_DIR

from simtest import run, with_scenario

FIRMWARE_DIR = Path(__file__).parent / "firmware"

MAX_CYCLES = 20_000_000
QEMU_LOCKUP_EXIT = -6     # QEMU aborts ("qemu: fatal: Lockup: ...")
UNMAPPED_VTOR = 0xA0000000  # firmware/hostile: UNMAPPED_ADDR
SVCALL, HARDFAULT = 11, 3

# Same output and exit status as QEMU: hints are NOPs, fetches from execute-never
# addresses are MemManage faults escalated to HardFault (CFSR.IACCVIOL), a Thread-mode
# BX to an EXC_RETURN value is such a fetch, code memory is RAM on this board, writes to
# read-only SCS registers are ignored, unaligned LDR works, unaligned LDM faults (UNALIGNED),
# bytes no decoder knows are an undefined instruction (UNDEFINSTR).
SAME_AS_QEMU = ["hints", "blx-fffffff0", "bx-fffffff1", "bx-fffffff9", "write-code", "scs-garbage", "unaligned-ldm",
                "unaligned-ldrd-skipped", "garbage",
                "unaligned-device", "unaligned-ldr"]


@pytest.fixture(scope="module")
def elf():
    return build_firmware(["hostile"], apps_dir=FIRMWARE_DIR,
                          out_dir=BUILD_DIR / "test-sim" / "hostile").elfs["hostile"]


def _qemu(elf, scenario, tmp_path):
    return run_qemu(with_scenario(elf, scenario, tmp_path / f"{scenario}.elf"), timeout_s=5)


@pytest.mark.parametrize("scenario", SAME_AS_QEMU)
def test_outcome_is_qemus(elf, scenario, tmp_path):
    qemu = _qemu(elf, scenario, tmp_path)
    assert not qemu.timed_out
    _sim, result = run(elf, scenario, max_cycles=MAX_CYCLES)
    assert result.uart_output == qemu.output
    assert result.exit_code == qemu.exit_code


def test_fetch_from_execute_never_reports_memmanage(elf):
    _sim, result = run(elf, "blx-fffffff0", max_cycles=MAX_CYCLES)
    (fault,) = result.handled_faults
    assert (fault.fault, fault.escalated_from) == ("HardFault", "MemManage")
    assert fault.cause == "instruction fetch from 0xfffffff0, in an execute-never region"


def test_unreadable_vector_table_is_a_lockup_as_under_qemu(elf, tmp_path):
    qemu = _qemu(elf, "vtor-unmapped-svc", tmp_path)
    assert qemu.exit_code == QEMU_LOCKUP_EXIT and b"Lockup" in qemu.stderr
    _sim, result = run(elf, "vtor-unmapped-svc", max_cycles=MAX_CYCLES)
    assert result.stop_reason == "lockup"
    svc_vector, hardfault_vector = UNMAPPED_VTOR + 4 * SVCALL, UNMAPPED_VTOR + 4 * HARDFAULT
    assert result.fault.cause == (
        f"its vector table entry at {hardfault_vector:#010x} is not readable memory while entering HardFault, "
        f"after: cannot take SVCall: its vector table entry at {svc_vector:#010x} is not readable memory")


def test_stack_overflow_out_of_ram_is_a_lockup_as_under_qemu(elf, tmp_path):
    qemu = _qemu(elf, "stack-overflow", tmp_path)
    assert qemu.exit_code == QEMU_LOCKUP_EXIT and b"Lockup" in qemu.stderr
    _sim, result = run(elf, "stack-overflow", max_cycles=MAX_CYCLES)
    assert result.stop_reason == "lockup"
    assert re.fullmatch(r"stacking at 0x1fff[0-9a-f]{4} outside writable memory while entering HardFault, "
                        r"after: precise data bus error: write to unmapped address 0x1fff[0-9a-f]{4}",
                        result.fault.cause), result.fault.cause
    assert result.fault.location.startswith("recurse")


def test_wfi_with_interrupts_masked_is_a_deadlock(elf, tmp_path):
    assert _qemu(elf, "wfi-masked", tmp_path).timed_out   # QEMU sleeps forever
    sim, result = run(elf, "wfi-masked")
    assert result.stop_reason == "deadlock"
    pc = sim.cpu.reg("pc")
    assert result.message == ("WFI with no interrupt pending or scheduled: the firmware would sleep forever "
                              f"at pc={pc:#010x} ({sim.firmware.symbols.describe(pc)})")


@pytest.mark.parametrize("limit,reason,text", [
    ({"max_cycles": 1_000_000}, "cycle-limit", "stopped at the cycle limit (1000000)"),
    ({"timeout_s": 0.5}, "time-limit", "stopped at the time limit (0.5 s)"),
])
def test_spin_with_interrupts_masked_stops_at_each_limit(elf, limit, reason, text):
    sim, result = run(elf, "spin-masked", **limit)
    assert result.stop_reason == reason
    pc = sim.cpu.reg("pc")
    assert result.message == f"{text} at pc={pc:#010x} ({sim.firmware.symbols.describe(pc)})"
    assert sim.firmware.symbols.describe(pc).startswith("main")


def test_conditional_misaligned_ldrd_is_reported_as_a_limitation(elf):
    """QEMU raises UNALIGNED for it; Unicorn cannot stop inside an IT block, so tlscosim
    lets it run and says so (docs/simulator.md)."""
    sim, result = run(elf, "unaligned-ldrd", max_cycles=MAX_CYCLES)
    (warning,) = [w for w in result.warnings if w.startswith("simulator limitation")]
    address = next(a for a in sim.acct.untrapped_misaligned())
    assert warning == (f"simulator limitation: the conditional (IT-block) instruction at {address:#010x} "
                       f"({sim.firmware.symbols.describe(address)}) accessed a misaligned address 1 time(s) "
                       "without the UsageFault (UNALIGNED) the architecture raises: Unicorn cannot stop "
                       "inside an IT block")


def test_a_decoder_gap_is_a_warning_not_a_firmware_fault(elf, monkeypatch):
    """An instruction the cycle model cannot decode but the CPU runs is the simulator's
    gap: the firmware runs on as on QEMU, and the run says which instruction it was."""
    from tlscosim.sim.engine import decode

    real = decode.decode_one

    def decoder_without_nop(address, size, mnemonic, op_str):
        if mnemonic.startswith("nop"):
            raise decode.DecodeError("this test's decoder lacks NOP")
        return real(address, size, mnemonic, op_str)

    monkeypatch.setattr(decode, "decode_one", decoder_without_nop)
    sim, result = run(elf, "hints", max_cycles=MAX_CYCLES)
    assert (result.stop_reason, result.exit_code) == ("exit", 0)
    assert b"hints: still running" in result.uart_output
    gaps = [w for w in result.warnings if w.startswith("simulator gap")]
    assert gaps and all(re.fullmatch(r"simulator gap: the cycle model could not decode the instruction at "
                                     r"0x[0-9a-f]{8} \(\S+, [0-9a-f]+\) that the CPU executed; it was "
                                     r"counted as one cycle", w) for w in gaps), gaps
    assert any("00bf)" in w for w in gaps) and any("aff30080)" in w for w in gaps)   # nop, nop.w (bytes)
