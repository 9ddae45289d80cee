"""SysTick (peripherals/systick.py) through its SCS registers on a real board
(ARMv7-M B3.3): a 24-bit down-counter on the core clock. Enabled with CVR = 0 it loads
RVR on the first cycle, reaches 0 every RVR+1 cycles, sets COUNTFLAG (cleared by reading
SYST_CSR or writing SYST_CVR) and, with TICKINT, pends SysTick each time."""

from __future__ import annotations

import pytest

from tlscosim.sim.architecture.nvic import Exc

from simtest import BoardClock

RELOAD = 99          # period RELOAD + 1 = 100 cycles
MASK24 = 0xFFFFFF


@pytest.fixture
def clock(board):
    return BoardClock(board)


def start(scs, *fields):
    scs.write("SYST_RVR", RELOAD)
    scs.write("SYST_CVR", 0)
    scs.write("SYST_CSR", scs.mask("SYST_CSR", "ENABLE", "CLKSOURCE", *fields))


def countflag(scs) -> int:
    return scs.get("SYST_CSR", "COUNTFLAG")


def test_reset_state_and_calibration(scs, board_desc):
    for reg in ("SYST_CSR", "SYST_RVR", "SYST_CVR"):
        assert scs.read(reg) == 0, reg
    assert scs.get("SYST_CALIB", "NOREF") == 1
    assert scs.get("SYST_CALIB", "TENMS") == board_desc.clock_hz // 100 - 1, "reload for 10 ms"


def test_reload_is_24_bits_and_any_cvr_write_clears(scs, clock):
    scs.write("SYST_RVR", 0xFFFFFFFF)
    assert scs.read("SYST_RVR") == MASK24
    scs.write("SYST_CSR", scs.mask("SYST_CSR", "ENABLE"))
    clock.advance(10)
    assert scs.read("SYST_CVR") == MASK24 + 1 - 10
    scs.write("SYST_CVR", 0x1234)
    assert scs.read("SYST_CVR") == 0


def test_counts_with_period_reload_plus_one(scs, clock):
    start(scs)
    t0 = clock.now()
    expected = {0: 0, 1: RELOAD, 2: RELOAD - 1, RELOAD: 1, RELOAD + 1: 0, RELOAD + 2: RELOAD,
                2 * (RELOAD + 1): 0, 2 * (RELOAD + 1) + 1: RELOAD}
    for k, value in expected.items():
        clock.advance(t0 + k - clock.now())
        assert scs.read("SYST_CVR") == value, f"{k} cycles after enable"


def test_countflag_set_at_zero_and_cleared_by_reading(scs, clock):
    start(scs)
    clock.advance(RELOAD)
    assert countflag(scs) == 0
    clock.advance(1)
    assert countflag(scs) == 1
    assert countflag(scs) == 0, "reading SYST_CSR clears COUNTFLAG"
    clock.advance(RELOAD + 1)
    scs.write("SYST_CVR", 0)
    assert countflag(scs) == 0, "writing SYST_CVR clears COUNTFLAG"


@pytest.mark.parametrize("write", ["disable", "new_reload"])
def test_countflag_survives_other_register_writes(scs, clock, write):
    # B3.3.3: COUNTFLAG is cleared only by a read of SYST_CSR or a write of SYST_CVR.
    start(scs)
    clock.advance(RELOAD + 1)
    if write == "disable":
        scs.write("SYST_CSR", scs.mask("SYST_CSR", "CLKSOURCE"))
    else:
        scs.write("SYST_RVR", RELOAD // 2)
    assert countflag(scs) == 1


def test_tickint_pends_systick_every_period(board, scs, clock):
    nvic = board.core.nvic
    start(scs, "TICKINT")
    t0 = clock.now()
    assert board.core.scheduler.next_cycle() == t0 + RELOAD + 1
    clock.advance(RELOAD)
    assert not nvic.pending[Exc.SYSTICK]
    clock.advance(1)
    assert nvic.pending[Exc.SYSTICK]
    assert scs.get("ICSR", "PENDSTSET") == 1
    scs.write("ICSR", scs.mask("ICSR", "PENDSTCLR"))
    assert not nvic.pending[Exc.SYSTICK]
    assert board.core.scheduler.next_cycle() == t0 + 2 * (RELOAD + 1)
    clock.advance(RELOAD + 1)
    assert nvic.pending[Exc.SYSTICK]


def test_without_tickint_no_exception_but_countflag(board, scs, clock):
    start(scs)
    clock.advance(3 * (RELOAD + 1))
    assert not board.core.nvic.pending[Exc.SYSTICK]
    assert board.core.scheduler.next_cycle() is None
    assert countflag(scs) == 1


def test_disable_freezes_the_count(scs, clock):
    start(scs)
    clock.advance(30)
    scs.write("SYST_CSR", 0)
    clock.advance(500)
    assert scs.read("SYST_CVR") == RELOAD + 1 - 30
    scs.write("SYST_CSR", scs.mask("SYST_CSR", "ENABLE"))
    clock.advance(5)
    assert scs.read("SYST_CVR") == RELOAD + 1 - 35


def test_new_reload_takes_effect_at_the_next_wrap(scs, clock):
    start(scs)
    t0 = clock.now()
    clock.advance(10)
    scs.write("SYST_RVR", 9)
    assert scs.read("SYST_CVR") == RELOAD + 1 - 10, "the current count is not disturbed"
    clock.advance(t0 + RELOAD + 1 - clock.now())
    assert scs.read("SYST_CVR") == 0
    clock.advance(1)
    assert scs.read("SYST_CVR") == 9
