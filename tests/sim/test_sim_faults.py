"""Faults (tests/sim/firmware/faults, one scenario per run): each fault reaches its own
handler when enabled, else HardFault with HFSR.FORCED, with the status and address
registers set as ARMv7-M says (B1.5, B3.2.15); the firmware recovers and reports. Then
the ends the simulator reports itself: lockup, exit inside a fault handler, a handler
that never returns, an invalid exception return, a stacking error, `fault_policy="stop"`,
and what the report says (fault type, PC, symbol+offset, registers, last blocks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tlscosim.sim.architecture.nvic import Exc

from simtest import Regs, reports, run

BUDGET = 100_000
INVALID_EXC_RETURN = 0xFFFFFFF5      # faults/main.c SVC_Handler: a reserved EXC_RETURN value


@dataclass(frozen=True)
class Recovered:
    exception: Exc
    cfsr: tuple[str, ...] = ()
    hfsr: tuple[str, ...] = ()
    pc: str | None = None             # symbol at the stacked PC; "unmapped" for the address
    escalated: bool = False


RECOVERED = {
    "busfault_read": Recovered(Exc.BUSFAULT, ("PRECISERR", "BFARVALID"), pc="fault_read"),
    "hardfault_read": Recovered(Exc.HARDFAULT, ("PRECISERR", "BFARVALID"), ("FORCED",), "fault_read", True),
    "usagefault_udf": Recovered(Exc.USAGEFAULT, ("UNDEFINSTR",), pc="fault_udf"),
    "hardfault_udf": Recovered(Exc.HARDFAULT, ("UNDEFINSTR",), ("FORCED",), "fault_udf", True),
    "busfault_fetch": Recovered(Exc.BUSFAULT, ("IBUSERR",), pc="unmapped"),
    "usagefault_invstate": Recovered(Exc.USAGEFAULT, ("INVSTATE",), pc="fault_udf"),
    "invstate_after_device_write": Recovered(Exc.USAGEFAULT, ("INVSTATE",), pc="fault_udf"),
    "hardfault_bkpt": Recovered(Exc.HARDFAULT, (), ("DEBUGEVT",), "fault_bkpt"),
    "hardfault_vecttbl": Recovered(Exc.HARDFAULT, (), ("VECTTBL",)),
}


@pytest.fixture(scope="module")
def fields(board_desc):
    return Regs(None, board_desc.peripheral("scs").regmap)


def run_scenario(test_elfs, scenario, **options):
    options.setdefault("max_cycles", 20_000_000)
    sim, result = run(test_elfs["faults"], scenario, **options)
    return sim, result, reports(result.uart_output)


# -- faults the firmware handles -------------------------------------------------------------


@pytest.mark.parametrize("scenario", RECOVERED)
def test_fault_reaches_its_handler_with_status(test_elfs, fields, scenario):
    want = RECOVERED[scenario]
    sim, result, seen = run_scenario(test_elfs, scenario)
    assert (result.stop_reason, result.exit_code) == ("exit", 0), result.message
    assert seen["fault.count"] == 1
    assert seen["fault.exception"] == want.exception
    assert seen["fault.cfsr"] == fields.mask("CFSR", *want.cfsr)
    assert seen["fault.hfsr"] == fields.mask("HFSR", *want.hfsr)
    if "BFARVALID" in want.cfsr:
        assert seen["fault.bfar"] == seen["unmapped.address"]
    if want.pc == "unmapped":
        assert seen["fault.pc"] == seen["unmapped.address"]
    elif want.pc:
        assert seen["fault.pc"] == sim.firmware.symbols.address_of(want.pc)
    assert seen["fault.cfsr_after"] == 0 and seen["fault.hfsr_after"] == 0, "cleared by writing 1s"


@pytest.mark.parametrize("scenario", RECOVERED)
def test_handled_fault_is_listed_with_its_location(test_elfs, scenario):
    want = RECOVERED[scenario]
    sim, result, seen = run_scenario(test_elfs, scenario)
    (report,) = result.handled_faults
    assert report.pc == seen["fault.pc"]
    if want.pc and want.pc != "unmapped":
        assert report.location == want.pc
    assert (report.escalated_from is not None) == want.escalated


def test_vector_without_thumb_bit_then_the_interrupt_is_taken(test_elfs):
    _sim, result, seen = run_scenario(test_elfs, "hardfault_vecttbl")
    assert seen["spare.taken"] == 1, "retaken through the restored table after the HardFault"
    assert "not a Thumb address" in result.handled_faults[0].cause


# -- faults that end the run ----------------------------------------------------------------


def test_fault_in_hardfault_is_a_lockup(test_elfs):
    sim, result, _seen = run_scenario(test_elfs, "lockup")
    assert (result.stop_reason, result.exit_code) == ("lockup", None)
    assert result.fault.fault == "Lockup"
    assert sim.firmware.symbols.lookup(result.fault.pc).name == "fault_entry", "the handler's own UDF"
    assert [name.upper() for name in result.fault.active_exceptions] == ["HARDFAULT"]
    (first,) = result.handled_faults
    assert first.location == "fault_udf"


def test_exit_inside_a_fault_handler_stops_with_the_report(test_elfs, fields):
    sim, result, seen = run_scenario(test_elfs, "exit_in_handler")
    assert result.stop_reason == "fault"
    assert result.exit_code == seen["exit.code"]
    report = result.fault
    site = sim.firmware.symbols.address_of("fault_udf_with_registers")
    assert report.fault == "HardFault" and report.escalated_from is not None
    assert report.pc == site and report.location == "fault_udf_with_registers"
    for reg in ("r0", "r1", "r2", "r3"):
        assert report.registers[reg] == seen[f"exit.{reg}"], reg
    assert report.registers["pc"] == site
    assert report.status["CFSR"] & fields.mask("CFSR", "UNDEFINSTR")
    assert report.status["HFSR"] & fields.mask("HFSR", "FORCED")
    assert report.recent_blocks and report.recent_blocks[-1].startswith(f"{site:#010x}")
    assert "fault_udf_with_registers" in report.recent_blocks[-1]
    text = result.message
    for part in ("HardFault", "fault_udf_with_registers", f"r0={seen['exit.r0']:#010x}", "CFSR=", "last blocks"):
        assert part in text, part


def test_fault_handler_that_never_returns_is_stopped_after_its_budget(test_elfs):
    _sim, result, _seen = run_scenario(test_elfs, "handler_spins", fault_handler_budget_cycles=BUDGET)
    assert (result.stop_reason, result.exit_code) == ("fault", None)
    assert f"has not returned within {BUDGET} cycles" in result.message
    assert "fault_entry" in result.message, "where the handler is now"
    assert result.fault.location == "fault_udf"
    assert BUDGET <= result.cycles < 2 * BUDGET


def test_invalid_exception_return_is_a_usage_fault(test_elfs, fields):
    _sim, result, seen = run_scenario(test_elfs, "invalid_exc_return")
    assert (result.stop_reason, result.exit_code) == ("fault", seen["exit.code"])
    report = result.fault
    assert "invalid exception return" in report.cause and f"{INVALID_EXC_RETURN:#010x}" in report.cause
    assert report.status["CFSR"] & fields.mask("CFSR", "INVPC")
    assert report.escalated_from is not None, "UsageFault is disabled: HardFault"


def test_location_far_from_every_symbol_is_the_bare_address(test_elfs):
    # The EXC_RETURN value is no code address: no symbol+offset can describe it.
    _sim, result, _seen = run_scenario(test_elfs, "invalid_exc_return")
    assert result.fault.pc == INVALID_EXC_RETURN
    assert result.fault.location == f"{INVALID_EXC_RETURN:#010x}"


def test_exception_frame_outside_ram_is_reported(test_elfs, board_desc):
    _sim, result, _seen = run_scenario(test_elfs, "stacking")
    assert result.stop_reason == "lockup"
    assert result.fault is not None and result.fault.location.startswith("svc_on_stack")
    frame = re.search(r"stacking at (0x[0-9a-f]+)", result.message)
    assert frame, result.message
    assert board_desc.memory_at(int(frame.group(1), 16)) is None


def test_stop_policy_stops_at_the_first_fault(test_elfs):
    sim, result, seen = run_scenario(test_elfs, "busfault_read", fault_policy="stop")
    assert (result.stop_reason, result.exit_code) == ("fault", None)
    assert result.fault.pc == sim.firmware.symbols.address_of("fault_read")
    assert result.fault.location == "fault_read"
    assert result.handled_faults == []
    assert "fault.count" not in seen, "the firmware did not run on"
    assert "precise data bus error" in result.message


@pytest.mark.parametrize("scenario, fault, escalated_from", [
    ("busfault_read", "BusFault", None),
    ("usagefault_udf", "UsageFault", None),
    ("hardfault_udf", "HardFault", "UsageFault"),
])
def test_fault_types_are_named_as_in_the_architecture(test_elfs, scenario, fault, escalated_from):
    # The report's fault type, as faults.FaultReport documents it ("HardFault", "BusFault", ...).
    _sim, result, _seen = run_scenario(test_elfs, scenario, fault_policy="stop")
    assert (result.fault.fault, result.fault.escalated_from) == (fault, escalated_from)
