"""One source for every register bit (issue 8, build item 4): the simulator's models of
the SCS, SysTick, DWT and SCB state no bit position or mask of their own; they take them
from the register maps in platform/peripherals/. Their behaviour against the ARMv7-M ARM
and QEMU is pinned in test_sim_scs.py, test_sim_systick.py, test_sim_dwt.py and
test_sim_qemu.py; this test keeps the constants from coming back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlscosim.sim.architecture import scb
from tlscosim.sim.board.peripherals.systick import calibration

SIM = Path(__file__).resolve().parents[2] / "sim"
MODELS = ("board/peripherals/scs.py", "board/peripherals/systick.py", "board/peripherals/dwt.py",
          "architecture/scb.py")
# A literal shift or mask: `1 << 9`, `0x16`, `0xF8000000`.
BIT_CONSTANT = re.compile(r"\b1\s*<<\s*\d+|\b0x[0-9A-Fa-f]+\b")
# Not register bits: the key a write to AIRCR must carry (a value, stated by the ARM ARM
# as 0x05FA), and a byte lane of the byte-wide priority registers.
ALLOWED = {"0x05FA", "0xFF"}


@pytest.mark.parametrize("model", MODELS)
def test_models_state_no_bit_constants(model):
    found = []
    for number, line in enumerate((SIM / model).read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        found += [f"{model}:{number}: {m}" for m in BIT_CONSTANT.findall(code) if m not in ALLOWED]
    assert found == []


def test_scb_masks_are_the_maps(board_desc):
    regmap = board_desc.peripheral("scs").regmap
    assert scb.scs_register_map() == regmap
    assert scb.CCR_STKALIGN == regmap["CCR"].field("STKALIGN").mask
    assert scb.scs_masks("CFSR") == {f.name: f.mask for f in regmap["CFSR"].fields}
    assert scb.SystemControl().ccr == regmap["CCR"].reset


# ARM DDI 0403 B3.3.6: SYST_CALIB.NOREF is bit 31, TENMS is bits [23:0].
CALIB_NOREF, CALIB_TENMS = 1 << 31, (1 << 24) - 1


def test_systick_calibration_matches_the_architecture(board_desc):
    assert calibration(board_desc.clock_hz) == CALIB_NOREF | (board_desc.clock_hz // 100 - 1)
    assert calibration(10**12) == CALIB_NOREF | CALIB_TENMS, "TENMS clips to its field"
