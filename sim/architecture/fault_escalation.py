"""Fault escalation (ARMv7-M ARM B1.5.4): a synchronous fault is taken by its own handler
when that is enabled and may preempt, else it escalates to HardFault, and a fault at
HardFault or NMI priority is a lockup. A handler the firmware enters is then watched: it
must return (the firmware recovered) within a cycle budget, or the run ends with the
fault's report. The run loop (machine.py) calls in here; the architecture's state lives
in the core (core.py, scb.py, nvic.py)."""

from __future__ import annotations

from typing import Callable

from .exceptions import StackingError, VectorTableError
from .faults import FaultReport
from .nvic import Exc, exception_name
from ..board.results import Stop
from .scb import scs_masks

# Fault status bits, from the SCS register map.
CFSR = scs_masks("CFSR")
HFSR_FORCED = scs_masks("HFSR")["FORCED"]
# Execute-never regions of the ARMv7-M default memory map (ARMv7-M ARM B3.1, table
# B3-1): Peripheral, Device and System. A fetch there is a MemManage fault (IACCVIOL)
# whether or not anything is mapped; elsewhere an unmapped fetch is a BusFault (IBUSERR).
EXECUTE_NEVER_REGIONS = ((0x40000000, 0x60000000), (0xA0000000, 0x1_0000_0000))


class FaultEscalation:
    """Raises faults on a core. Every method either enters a handler (the CPU's PC is then
    the handler's first instruction) or raises Stop (lockup, or fault_policy "stop")."""

    def __init__(self, core, firmware, options, where: Callable[[], str]):
        self._core = core
        self._cpu = core.cpu
        self._acct = core.accounting
        self._symbols = firmware.symbols
        self._options = options
        self._where = where
        self.handled: list[FaultReport] = []          # taken by the firmware, in order
        self._open: dict[int, FaultReport] = {}        # fault handlers running now

    # -- the firmware's handlers -----------------------------------------------------------

    def innermost_open(self) -> tuple[int, FaultReport] | None:
        """The fault handler entered last that has not returned yet."""
        return next(reversed(self._open.items()), None)

    def recovered(self, exc: int) -> None:
        """The firmware returned from exception `exc`: a fault it handled is over."""
        self._open.pop(exc, None)

    # -- raising faults --------------------------------------------------------------------

    def fault(self, exc: Exc, cfsr_bits: int, cause: str, pc: int, address: int | None = None) -> None:
        """A synchronous fault at `pc`: taken by its own handler when enabled and allowed
        by the execution priority, else escalated to HardFault (B1.5.4)."""
        scb, nvic = self._core.scb, self._core.nvic
        scb.cfsr |= cfsr_bits
        if address is not None and exc == Exc.BUSFAULT:
            scb.bfar = address
        prio = self._core.exceptions.execution_priority()
        if nvic.is_enabled(exc) and nvic.group_priority(exc) < prio:
            report = self.report(exception_name(exc), cause, pc)
            if self._options.fault_policy == "stop":
                raise Stop("fault", report.format(), fault=report)
            self._deliver(exc, report, pc)
            return
        scb.hfsr |= HFSR_FORCED
        self.hardfault(cause, pc, escalated_from=exception_name(exc))

    def fetch_fault(self, pc: int) -> None:
        """An instruction fetch from `pc` failed: MemManage in an execute-never region,
        BusFault elsewhere (what QEMU's mps2-an386 reports too)."""
        if any(begin <= pc < end for begin, end in EXECUTE_NEVER_REGIONS):
            self.fault(Exc.MEMMANAGE, CFSR["IACCVIOL"],
                       f"instruction fetch from {pc:#010x}, in an execute-never region", pc)
        else:
            self.fault(Exc.BUSFAULT, CFSR["IBUSERR"],
                       f"instruction fetch from {pc:#010x}, which is not executable memory", pc)

    def hardfault(self, cause: str, pc: int, escalated_from: str | None,
                  return_address: int | None = None) -> None:
        """HardFault for a problem at `pc`; the handler returns to `return_address`
        (default `pc`: the faulting instruction is retried, as for synchronous faults)."""
        prio = self._core.exceptions.execution_priority()
        if prio <= -1:
            report = self.report("Lockup", f"{cause} while at priority {prio} (in HardFault or NMI)", pc)
            raise Stop("lockup", report.format(), fault=report)
        report = self.report("HardFault", cause, pc, escalated_from)
        if self._options.fault_policy == "stop":
            raise Stop("fault", report.format(), fault=report)
        self._deliver(Exc.HARDFAULT, report, pc if return_address is None else return_address)

    def _deliver(self, exc: Exc, report: FaultReport, return_address: int) -> None:
        """Enters the firmware's fault handler and watches it: it must return (the
        firmware recovered) or the run ends with the report."""
        self.handled.append(report)
        self._core.nvic.set_pending(exc)
        try:
            self._core.take_exception(exc, return_address)
        except (StackingError, VectorTableError) as err:
            lock = self.report("Lockup", f"{err} while entering {exception_name(exc)}, after: {report.cause}",
                               return_address)
            raise Stop("lockup", lock.format(), fault=lock) from None
        self._open[exc] = report
        budget = self._options.fault_handler_budget_cycles
        self._core.scheduler.at(self._acct.block_cycles + budget,
                                lambda _cycle: self._overdue(exc, report, budget),
                                f"{exception_name(exc)} handler budget")

    def _overdue(self, exc: int, report: FaultReport, budget: int) -> None:
        if self._open.get(exc) is report:
            raise Stop("fault", f"the {exception_name(exc)} handler has not returned within {budget} cycles "
                       f"(now {self._where()}), after:\n{report.format()}", fault=report)

    # -- reports ---------------------------------------------------------------------------

    def report(self, fault: str, cause: str, pc: int, escalated_from: str | None = None) -> FaultReport:
        scb, nvic, cpu = self._core.scb, self._core.nvic, self._cpu
        regs = cpu.registers()
        regs["pc"] = pc
        regs.update({n: cpu.reg(n) for n in ("msp", "psp", "control", "primask", "basepri", "faultmask")})
        active = [exception_name(e) for e in range(1, nvic.count) if nvic.active[e]]
        return FaultReport(
            fault=fault, cause=cause, pc=pc, location=self._symbols.describe(pc), registers=regs,
            status={"CFSR": scb.cfsr, "HFSR": scb.hfsr, "BFAR": scb.bfar},
            recent_blocks=[f"{a:#010x} {self._symbols.describe(a)}" for a in self._acct.recent_blocks()],
            active_exceptions=active, escalated_from=escalated_from)
