"""Exception entry and return as firmware sees it (tests/sim/firmware/exceptions): the
stacked frame, EXC_RETURN, 8-byte realignment, the process stack, nesting by priority,
subpriorities, tail-chaining, PRIMASK/BASEPRI masking, PendSV, SVC, NMI and VTOR. The app
runs once; each test judges what it printed against ARMv7-M (ARM DDI 0403 B1.5)."""

from __future__ import annotations

import pytest

from tlscosim.sim.architecture.nvic import Exc

from simtest import (CONTROL_SPSEL, ENTRY_CYCLES, EXC_RETURN_HANDLER_MSP, EXC_RETURN_THREAD_MSP,
                     EXC_RETURN_THREAD_PSP, FRAME_BYTES, IPSR_MASK, RETURN_CYCLES, TAIL_CHAIN_CYCLES, XPSR_STACK_ALIGN,
                     XPSR_T, Regs, group, reports, run)

FRAME_REGS = ("r0", "r1", "r2", "r3", "r12", "lr")
SVC_NUMBER = 0x42            # exc_probe's and the handlers' "svc #0x42"
WORD = 0xFFFFFFFF
PROBES = {  # name -> (on the process stack, SP misaligned, raised by an interrupt)
    "svc_msp": (False, False, False),
    "svc_misaligned": (False, True, False),
    "svc_psp": (True, False, False),
    "svc_psp_misaligned": (True, True, False),
    "irq_msp": (False, False, True),
    "irq_psp": (True, False, True),
}
# Where a pended exception is taken at the latest (a label right after an ISB) and how
# many bytes of barriers precede it: it may be taken after the instruction that pends or
# unmasks it, after each barrier, and no later than the label.
PROMPT = {
    "exc_probe_irq_return": 8,   # STR (pend); DSB; ISB
    "store_sync_return": 8,      # STR (pend); DSB; ISB
    "primask_resume": 4,         # CPSIE I; ISB
    "basepri_resume": 4,         # MSR BASEPRI; ISB
}


@pytest.fixture(scope="module")
def app(test_elfs):
    sim, result = run(test_elfs["exceptions"], max_cycles=50_000_000)
    return sim, result, reports(result.uart_output)


@pytest.fixture(scope="module")
def seen(app):
    return app[2]


@pytest.fixture(scope="module")
def symbols(app):
    return app[0].firmware.symbols


@pytest.fixture(scope="module")
def line(seen):
    return {"a": seen["line_a.exception"], "b": seen["line_b.exception"]}


@pytest.fixture(scope="module")
def fields(board_desc):
    return Regs(None, board_desc.peripheral("scs").regmap)


def assert_taken_promptly(pc, symbols, label):
    latest = symbols.address_of(label)
    assert latest - PROMPT[label] <= pc <= latest, f"taken at {pc:#x}, {label} is at {latest:#x}"


def test_app_ran_to_its_end(app, seen):
    _sim, result, _ = app
    assert (result.stop_reason, result.exit_code) == ("exit", 0), result.message
    assert seen["thread.ipsr"] == 0 and seen["thread.control"] == 0
    assert [f.fault for f in result.handled_faults] == ["HardFault", "HardFault"]
    assert all("SVC" in f.cause for f in result.handled_faults)


# -- one exception: frame, EXC_RETURN, alignment, stacks -------------------------------------


@pytest.mark.parametrize("probe", PROBES)
def test_frame_holds_the_interrupted_registers(seen, probe):
    p = group(seen, probe)
    assert p["count"] == 1
    for reg in FRAME_REGS:
        assert p[reg] == p[f"in_{reg}"], reg


@pytest.mark.parametrize("probe", PROBES)
def test_stacked_return_address(seen, symbols, probe):
    p = group(seen, probe)
    by_irq = PROBES[probe][2]
    if by_irq:
        assert_taken_promptly(p["pc"], symbols, "exc_probe_irq_return")
    else:
        assert p["pc"] == symbols.address_of("exc_probe_svc_return"), "the instruction after SVC"
        assert p["svc_number"] == SVC_NUMBER


@pytest.mark.parametrize("probe", PROBES)
def test_stacked_xpsr_is_thread_mode_thumb(seen, probe):
    xpsr = group(seen, probe)["xpsr"]
    assert xpsr & XPSR_T
    assert xpsr & IPSR_MASK == 0


@pytest.mark.parametrize("probe", PROBES)
def test_exc_return_names_the_stack_of_the_thread(seen, probe):
    on_psp = PROBES[probe][0]
    assert group(seen, probe)["exc_return"] == (EXC_RETURN_THREAD_PSP if on_psp else EXC_RETURN_THREAD_MSP)


@pytest.mark.parametrize("probe", PROBES)
def test_frame_is_8_byte_aligned_with_xpsr_bit_9(seen, probe):
    p = group(seen, probe)
    misaligned = PROBES[probe][1]
    assert p["sp_before"] % 8 == (4 if misaligned else 0), "the probe set SP up as intended"
    assert p["frame_addr"] % 8 == 0
    assert p["frame_addr"] == p["sp_before"] - FRAME_BYTES - (4 if misaligned else 0)
    assert bool(p["xpsr"] & XPSR_STACK_ALIGN) == misaligned


@pytest.mark.parametrize("probe", PROBES)
def test_handler_runs_on_the_main_stack(seen, line, probe):
    p = group(seen, probe)
    on_psp, _misaligned, by_irq = PROBES[probe]
    assert p["icsr"] & IPSR_MASK == (line["a"] if by_irq else Exc.SVCALL)
    assert p["control"] & CONTROL_SPSEL == 0, "B1.5.6: exception entry clears CONTROL.SPSEL"
    if on_psp:
        assert p["psp"] == p["frame_addr"], "frame pushed on the process stack"
        assert p["msp"] == p["thread_msp"], "the main stack is untouched by the entry"
    else:
        assert p["msp"] == p["frame_addr"]


@pytest.mark.parametrize("probe", PROBES)
def test_return_restores_registers_stack_and_mode(seen, probe):
    p = group(seen, probe)
    on_psp = PROBES[probe][0]
    assert p["out_r0"] == ~p["in_r0"] & WORD, "the handler's change to the stacked r0 is returned"
    for reg in FRAME_REGS[1:]:
        assert p[f"out_{reg}"] == p[f"in_{reg}"], f"{reg} restored from the frame"
    assert p["sp_after"] == p["sp_before"], "SP restored, realignment undone"
    assert p["control_after"] & CONTROL_SPSEL == (CONTROL_SPSEL if on_psp else 0)


# -- priorities and preemption --------------------------------------------------------------


def test_higher_priority_interrupt_preempts_a_handler(seen, symbols, line, fields):
    a, b = group(seen, "nested.a"), group(seen, "nested.b")
    assert seen["nested.events"] == "ABba"
    assert a["exc_return"] == EXC_RETURN_THREAD_MSP
    assert b["exc_return"] == EXC_RETURN_HANDLER_MSP
    assert b["xpsr"] & IPSR_MASK == line["a"], "B's frame was pushed in A's handler"
    assert_taken_promptly(b["pc"], symbols, "store_sync_return")
    assert b["frame_addr"] < a["frame_addr"]
    assert b["iabr"] == (1 << (line["a"] - Exc.IRQ0)) | (1 << (line["b"] - Exc.IRQ0)), "both active"
    assert fields.extract("ICSR", "VECTACTIVE", b["icsr"]) == line["b"]
    assert fields.extract("ICSR", "RETTOBASE", b["icsr"]) == 0


def test_lower_priority_interrupt_waits_for_the_handler(seen):
    assert seen["lower.events"] == "BbAa"
    assert seen["lower.a.exc_return"] == EXC_RETURN_THREAD_MSP


def test_equal_priority_does_not_preempt(seen):
    assert seen["equal.events"] == "AaBb"


def test_subpriority_orders_but_does_not_preempt(seen):
    assert seen["subprio.no_preemption"] == "AaBb"
    assert seen["subprio.order"] == "BbAa", "lower subpriority first, despite the higher number"


def test_tail_chaining_costs_one_entry_one_chain_one_return(seen):
    assert seen["tail.events"] == "BbAa"
    assert seen["tail.exccnt"] == ENTRY_CYCLES + TAIL_CHAIN_CYCLES + RETURN_CYCLES
    assert seen["single.exccnt"] == ENTRY_CYCLES + RETURN_CYCLES
    assert seen["tail.a.exc_return"] == EXC_RETURN_THREAD_MSP


def test_tail_chained_handler_sees_the_same_frame(seen):
    a, b = group(seen, "tail.a"), group(seen, "tail.b")
    assert a["frame_addr"] == b["frame_addr"]
    for reg in FRAME_REGS + ("pc", "xpsr"):
        assert a[reg] == b[reg], f"stacked {reg}: {a[reg]:#010x} after tail-chaining, {b[reg]:#010x} before"


# -- masking -------------------------------------------------------------------------------------


def test_primask_holds_an_interrupt_until_cpsie(seen, symbols, line, fields):
    assert seen["primask.ran_masked"] == 0 and seen["primask.pending_masked"] == 1
    icsr = seen["primask.icsr_masked"]
    assert fields.extract("ICSR", "VECTPENDING", icsr) == line["a"]
    assert fields.extract("ICSR", "ISRPENDING", icsr) == 1
    a = group(seen, "primask.a")
    assert a["count"] == 1
    assert_taken_promptly(a["pc"], symbols, "primask_resume")


def test_basepri_masks_by_priority_and_unmasking_takes_the_interrupt(seen, symbols):
    assert seen["basepri.a_ran_masked"] == 0
    assert seen["basepri.events"] == "BbAa", "B is above BASEPRI and runs at once; A waits"
    assert_taken_promptly(seen["basepri.b.pc"], symbols, "store_sync_return")
    assert_taken_promptly(seen["basepri.a.pc"], symbols, "basepri_resume")


# -- PendSV, SVC, NMI, VTOR ------------------------------------------------------------------


def test_pendsv_from_thread_is_taken_at_once(seen, symbols, fields):
    p = group(seen, "pendsv_thread.p")
    assert seen["pendsv_thread.events"] == "Pp"
    assert fields.extract("ICSR", "VECTACTIVE", p["icsr"]) == Exc.PENDSV
    assert p["exc_return"] == EXC_RETURN_THREAD_MSP
    assert_taken_promptly(p["pc"], symbols, "store_sync_return")


def test_pendsv_from_a_handler_runs_after_it(seen):
    assert seen["pendsv_irq.events"] == "BbPp"
    assert seen["pendsv_irq.p.exc_return"] == EXC_RETURN_THREAD_MSP


def test_svc_of_higher_priority_nests_in_a_handler(seen, symbols, line):
    s = group(seen, "svc_irq.s")
    assert seen["svc_irq.events"] == "BSsb"
    assert s["pc"] == symbols.address_of("call_svc_return")
    assert s["exc_return"] == EXC_RETURN_HANDLER_MSP
    assert s["xpsr"] & IPSR_MASK == line["b"]
    assert s["svc_number"] == SVC_NUMBER


@pytest.mark.parametrize("case, events, exc_return", [
    ("svc_escalation", "BHhb", EXC_RETURN_HANDLER_MSP),   # SVC below the running handler
    ("svc_primask", "Hh", EXC_RETURN_THREAD_MSP),         # SVC with PRIMASK set
])
def test_svc_that_cannot_be_taken_escalates_to_hardfault(seen, fields, case, events, exc_return):
    h = group(seen, f"{case}.h")
    assert seen[f"{case}.events"] == events
    assert fields.extract("ICSR", "VECTACTIVE", h["icsr"]) == Exc.HARDFAULT
    assert fields.extract("HFSR", "FORCED", h["hfsr"]) == 1
    assert h["exc_return"] == exc_return


@pytest.mark.parametrize("case", ["svc_escalation", "svc_primask"])
def test_escalated_svc_returns_after_the_svc(seen, symbols, case):
    # B1.5.6: the return address of SVCall is the next instruction; escalation to
    # HardFault changes the exception taken, not where it returns to (QEMU agrees).
    assert seen[f"{case}.h.pc"] == symbols.address_of("call_svc_return")


def test_nmi_is_taken_despite_primask(seen, fields):
    n = group(seen, "nmi.n")
    assert seen["nmi.events"] == "Nn"
    assert fields.extract("ICSR", "VECTACTIVE", n["icsr"]) == Exc.NMI
    assert n["exc_return"] == EXC_RETURN_THREAD_MSP


def test_relocated_vector_table_is_used(seen):
    assert seen["vtor.readback"] == seen["vtor.table"] != seen["vtor.original"]
    assert seen["vtor.events"] == "RBb", "relocated handler, then the original one after restoring VTOR"
