"""FPU instruction timing against the Cortex-M4 TRM (ARM DDI 0439, table 7-1 "FPU
instruction set" and its notes), measured with the DWT on the simulated board
(firmware/fpbench). The expected figures are the TRM's, written out here, not taken
from sim/engine/timing.py; the DWT columns check where the extra cycles are counted
(LSUCNT for loads and stores, CPICNT for the rest)."""

from __future__ import annotations

import pytest

from fpu_support import FPU_BOARD, build, run

# name -> (cycles, CPI cycles, LSU cycles) of the sequence, from the TRM:
TRM = {
    "vadd_independent": (4 * 1, 0, 0),             # VADD.F32 1
    "vadd_chain": (4 * 1 + 3, 3, 0),               # +1 when the next instruction consumes the result
    "vmul_then_vstr": (1 + 1 + 2, 1, 1),           # VMUL 1, its result stored: +1, VSTR 2
    "vmla": (2 * 3, 2 * 2, 0),                     # VMLA.F32 3
    "vfma": (2 * 3, 2 * 2, 0),                     # VFMA.F32 3
    "vdiv": (14, 13, 0),                           # VDIV.F32 14
    "vsqrt": (14, 13, 0),                          # VSQRT.F32 14
    "vldr_single": (4 * 2, 0, 4),                  # VLDR.32 2
    "vldr_double": (2 * 3, 0, 2 * 2),              # VLDR.64 3
    "vstr_single": (4 * 2, 0, 4),                  # VSTR.32 2
    "vldm8": (1 + 8, 0, 8),                        # VLDM.32 1+N
    "vstm8": (1 + 8, 0, 8),                        # VSTM.32 1+N
    "vpush_vpop_d4": (2 * (1 + 2 * 4), 0, 2 * 8),  # VPUSH.64/VPOP.64 1+2N
    "vmov_core_single": (4 * 1, 0, 0),             # VMOV one core register <-> one float 1
    "vmov_two_core": (4 * 2, 4, 0),                # two core registers <-> two floats / a double 2
    "vmov_imm": (2 * 1, 0, 0),                     # VMOV immediate / float register 1
    "vcvt": (4 * 1, 0, 0),                         # VCVT 1
    "vmrs_vmsr": (2 * 1, 0, 0),                    # VMRS 1, VMSR 1
    "vcmp_vmrs": (2 * 1, 0, 0),                    # VCMP.F32 1 (a compare is not arithmetic)
}


# Exception entry 12 and return 10 cycles (TRM, KA16366); an FP frame stacked or
# unstacked adds one cycle per word of S0-S15 and FPSCR (17, the model's choice stated in
# docs/timing.md); lazy stacking defers the stacking to the handler's first FP
# instruction (its cycles are LSUCNT's, not EXCCNT's) and skips it when there is none.
ENTRY, RETURN, FP_WORDS = 12, 10, 17
EXCEPTIONS = {
    "basic": ENTRY + RETURN,
    "fp_lazy_unused": ENTRY + RETURN,
    "fp_lazy_used": ENTRY + RETURN + FP_WORDS,          # the return unstacks what was saved
    "fp_eager_unused": ENTRY + FP_WORDS + RETURN + FP_WORDS,
    "fp_eager_used": ENTRY + FP_WORDS + RETURN + FP_WORDS,
}


@pytest.fixture(scope="module")
def output() -> list[str]:
    _sim, result = run(build("fpbench", FPU_BOARD), FPU_BOARD)
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    out = result.uart_output.decode().splitlines()
    assert out[-1] == "fb done"
    return out[:-1]


@pytest.fixture(scope="module")
def bench(output) -> dict[tuple[str, str], int]:
    values = {}
    for line in output:
        tag, name, counter, value = line.split()
        if tag == "fb":
            values[(name, counter)] = int(value)
    return values


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_exception_cycles_with_fp_context(output, name):
    measured = {line.split()[1]: int(line.split()[3]) for line in output if line.startswith("fe ")}
    assert measured[name] == EXCEPTIONS[name]


def cost(bench, name: str, counter: str) -> int:
    modulo = 2**32 if counter == "CYCCNT" else 256
    return (bench[(name, counter)] - bench[("empty", counter)]) % modulo


@pytest.mark.parametrize("name", sorted(TRM))
def test_fpu_instruction_cycles(bench, name):
    cycles, cpi, lsu = TRM[name]
    assert (cost(bench, name, "CYCCNT"), cost(bench, name, "CPICNT"), cost(bench, name, "LSUCNT")) \
        == (cycles, cpi, lsu)
