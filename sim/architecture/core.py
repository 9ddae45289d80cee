"""The Cortex-M4 core as the simulator sees it: the CPU engine plus the architectural
state Unicorn lacks (NVIC, SCB, SysTick, exception engine) and its event counters."""

from __future__ import annotations

from ..engine.accounting import CycleAccounting
from ..board.context import Clock
from ..engine.cpu import Cpu
from .exceptions import ENTRY_CYCLES, RETURN_CYCLES, TAIL_CHAIN_CYCLES, ExceptionEngine
from .fpu import Fpu
from .nvic import Nvic
from ..board.peripherals.systick import SysTick, calibration
from .scb import SystemControl, scs_field
from ..board.scheduler import Scheduler


class CortexM4Core:
    def __init__(self, board_desc, timing_model, is_ram):
        cpu_desc = board_desc.cpu
        self.cpu = Cpu(cpu_desc.model)
        self.accounting = CycleAccounting(self.cpu, timing_model)
        self.clock = Clock(self.accounting, board_desc.clock_hz)
        self.scheduler = Scheduler()
        self.nvic = Nvic(cpu_desc.nvic_irq_lines, cpu_desc.nvic_priority_bits)
        self.scb = SystemControl(vtor_reset=cpu_desc.vtor_reset)
        self.systick = SysTick(self.clock, self.scheduler, self.nvic, calibration(board_desc.clock_hz))
        self._trcena = scs_field("DEMCR", "TRCENA").mask
        self.fpu = Fpu(cpu_desc.fpu, self.cpu, self.accounting, self.scb, self.spend_exception_cycles)
        self.exceptions = ExceptionEngine(self.cpu, self.nvic, self.scb, is_ram, fpu=self.fpu)
        self.exception_cycles = 0
        self.sleep_cycles = 0
        self.reset_requested = False
        self.dwt = None           # set by the board when it has a DWT
        # Told of exception entry and return (profilers): on_exception_entry(exc,
        # return_address) and on_exception_return(exc).
        self.observers: list = []

    # -- counters -------------------------------------------------------------------

    def trace_enabled(self) -> bool:
        return bool(self.scb.demcr & self._trcena)

    def event_counts(self) -> dict[str, int]:
        counts = self.clock.event_counts()
        counts["exc"] = self.exception_cycles
        counts["sleep"] = self.sleep_cycles
        return counts

    def on_trace_enable_change(self) -> None:
        if self.dwt is not None:
            self.dwt.on_trace_enable_change()

    def current_pc(self) -> int:
        return self.cpu.reg("pc")

    def request_reset(self) -> None:
        self.reset_requested = True
        self.accounting.request_stop()

    # -- time outside blocks ----------------------------------------------------------------

    def spend_exception_cycles(self, n: int) -> None:
        self.accounting.add_cycles(n)
        self.exception_cycles += n

    def sleep_until(self, cycle: int) -> None:
        gap = cycle - self.accounting.block_cycles
        if gap > 0:
            self.accounting.add_cycles(gap)
            self.sleep_cycles += gap

    # -- exceptions ------------------------------------------------------------------------

    def take_exception(self, exc: int, return_address: int, tail_chained: bool = False):
        record = self.exceptions.enter(exc, return_address)
        self.accounting.forget_pending_branch()
        self.spend_exception_cycles(TAIL_CHAIN_CYCLES if tail_chained else ENTRY_CYCLES)
        for observer in self.observers:
            observer.on_exception_entry(exc, return_address)
        return record

    def return_from_exception(self, exc_return: int) -> int:
        returned = self.exceptions.exception_return(exc_return)
        self.accounting.forget_pending_branch()
        self.spend_exception_cycles(RETURN_CYCLES)
        for observer in self.observers:
            observer.on_exception_return(returned)
        return returned

    def undo_return_cycles_for_tail_chain(self) -> None:
        """A tail-chain replaces return + entry by TAIL_CHAIN_CYCLES in all."""
        self.accounting.add_cycles(-RETURN_CYCLES)
        self.exception_cycles -= RETURN_CYCLES
