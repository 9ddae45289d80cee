"""The FP extension against QEMU's mps2-an386 (whose Cortex-M4 has the FPU): NOCP with the
FPU disabled, FP context across exceptions with and without lazy stacking, an FPU-using
interrupt preempting an FPU-using handler, and FP results (firmware/fpucheck)."""

from __future__ import annotations

import pytest

from fpu_support import FPU_BOARD, NO_FPU_BOARD, run
from tlscosim.fw.qemu import run_qemu
from tlscosim.sim.board.elf import Firmware


def lines(output: bytes) -> list[str]:
    return output.decode().splitlines()


@pytest.fixture(scope="module")
def fpu_board_runs(fpucheck_elf):
    elf = fpucheck_elf(FPU_BOARD)
    _sim, result = run(elf, FPU_BOARD)
    return result, run_qemu(elf, board=FPU_BOARD)


def test_fpu_board_output_equals_qemu(fpu_board_runs):
    result, qemu = fpu_board_runs
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    assert qemu.exit_code == 0 and not qemu.timed_out
    assert lines(result.uart_output) == lines(qemu.output)
    assert lines(result.uart_output)[-1] == "fpucheck done"


def test_fp_context_cases_all_ran(fpu_board_runs):
    """Every context case (lazy on/off x handler using FP or not, and nesting) reports
    intact thread registers, both in tlscosim and in QEMU (compared above)."""
    result, _qemu = fpu_board_runs
    ctx = [line for line in lines(result.uart_output) if line.startswith("ctx ")]
    nested = [line for line in lines(result.uart_output) if line.startswith("nested ")]
    assert len(ctx) == 6 and all("intact=1" in line and "exc_return=ffffffe9" in line
                                 and "frame_bytes=104" in line for line in ctx)
    assert len(nested) == 2 and all("handler_intact=1 thread_intact=1" in line for line in nested)


def test_no_fpu_board_nocp_equals_qemu(fpucheck_elf):
    """Without an FPU (soft-float build) the FP instruction faults as under QEMU with
    CPACR = 0; QEMU's CPU has an FPU, so only the NOCP line is comparable."""
    elf = fpucheck_elf(NO_FPU_BOARD)
    _sim, result = run(elf, NO_FPU_BOARD)
    qemu = run_qemu(elf, board=NO_FPU_BOARD)
    ours = lines(result.uart_output)
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    assert ours == [lines(qemu.output)[0], "fpu absent"]
    assert ours[0] == "nocp faults=1 cfsr=00080000 at_insn=1 r0_at_fault=5 r0_after=6"


@pytest.mark.parametrize("board, why", [(NO_FPU_BOARD, "this SoC has no FPU"),
                                        (FPU_BOARD, "the FPU is disabled (CPACR.CP10/CP11)")])
def test_nocp_fault_report(fpucheck_elf, board, why):
    elf = fpucheck_elf(board)
    insn = Firmware.load(elf).symbols.address_of("nocp_probe_insn") & ~1
    _sim, result = run(elf, board, fault_policy="stop")
    assert result.stop_reason == "fault"
    assert result.fault.fault == "UsageFault"
    assert result.fault.cause == f"floating-point instruction at {insn:#010x}, but {why}"
    assert result.fault.pc == insn
    assert result.fault.registers["r0"] == 5, "the instruction before it in its block ran"
