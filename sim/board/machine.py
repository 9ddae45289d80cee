"""The run loop: runs the CPU between events and gives the architecture what Unicorn
does not: exceptions, semihosting, sleep, faults, limits. Fault escalation is in
fault_escalation.py; what a run ends with (RunResult, Stop) in results.py."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .board import Board
from .bus import BusError
from ..engine.cpu import ExitKind, RunExit
from .elf import Firmware, FirmwareError
from ..architecture.exceptions import InvalidReturn, StackingError, VectorTableError
from ..architecture.fault_escalation import CFSR, FaultEscalation
from ..architecture.fpu import CFSR_NOCP
from ..engine.native import StopReason
from ..architecture.nvic import Exc, exception_name
from .peripherals.rtc import check_rtc_epoch
from .results import RunResult, Stop
from ..architecture.scb import scs_masks
from .semihosting import SEMIHOSTING_BKPT, Semihosting

# Fault status and sleep bits, from the SCS register map (CFSR: fault_escalation.py).
_HFSR = scs_masks("HFSR")
HFSR_VECTTBL, HFSR_FORCED, HFSR_DEBUGEVT = _HFSR["VECTTBL"], _HFSR["FORCED"], _HFSR["DEBUGEVT"]
SCR_SLEEPONEXIT = scs_masks("SCR")["SLEEPONEXIT"]
EXC_RETURN_PREFIX = 0xFFFFFFF0
DEFAULT_HEARTBEAT_CYCLES = 4_000_000


@dataclass
class RunOptions:
    max_cycles: int | None = None
    timeout_s: float | None = None
    # "firmware": faults are taken by the firmware's handlers, as on hardware, and the run
    # stops with a report on lockup, when the firmware exits inside a fault handler, or
    # when a fault handler has not returned within fault_handler_budget_cycles.
    # "stop": stop with a report at the first fault.
    fault_policy: str = "firmware"
    fault_handler_budget_cycles: int = 25_000_000
    timing: str = "cortex-m4"
    seed: int = 0
    rtc_epoch: int | None = None     # the RTC's time at start, seconds since 1970 (None: the host's)
    heartbeat_cycles: int = DEFAULT_HEARTBEAT_CYCLES
    progress: Callable[[dict], None] | None = None


class Simulation:
    def __init__(self, board_desc, firmware: Firmware, options: RunOptions | None = None,
                 uart_sink: Callable[[str, bytes], None] | None = None,
                 semihosting_sink: Callable[[str, bytes], None] | None = None):
        self.options = options or RunOptions()
        self.firmware = firmware
        self.uart = bytearray()
        self.semihosting_out = bytearray()
        self.warnings: list[str] = []
        self._undefined_at: set[int] = set()   # where the engine raised UNDEFINSTR
        self._uart_sink = uart_sink
        self._semi_sink = semihosting_sink
        self._returned = False          # an exception return just happened (tail-chaining)
        if self.options.fault_policy not in ("firmware", "stop"):
            raise ValueError(f"fault_policy must be 'firmware' or 'stop', not {self.options.fault_policy!r}")
        self._wall_start = 0.0
        self._next_heartbeat = 2**63
        firmware.check_fits(board_desc)
        check_rtc_epoch(self.options.rtc_epoch)
        self.board = Board(board_desc, timing=self.options.timing, seed=self.options.seed,
                           rtc_epoch=self.options.rtc_epoch,
                           uart_sink=self._on_uart, warn=self._warn)
        self.core = self.board.core
        self.cpu = self.core.cpu
        self.acct = self.core.accounting
        self.semihosting = Semihosting(self.cpu, self._on_semihosting, self._warn)
        self.faults = FaultEscalation(self.core, firmware, self.options, self._where)
        self.handled_faults = self.faults.handled
        self.core.scheduler.on_change = self._arm_deadline
        self.core.nvic.on_change = self.acct.request_stop
        for seg in firmware.segments:
            self.cpu.write_memory(seg.address, seg.data)
        self._pc = self._reset()

    # -- sinks -----------------------------------------------------------------------------

    def _on_uart(self, name: str, data: bytes) -> None:
        if name == "uart0":
            self.uart += data
        if self._uart_sink:
            self._uart_sink(name, data)

    def _on_semihosting(self, stream: str, data: bytes) -> None:
        self.semihosting_out += data
        if self._semi_sink:
            self._semi_sink(stream, data)

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- reset -------------------------------------------------------------------------------

    def _reset(self) -> int:
        core, cpu = self.core, self.cpu
        vtor = core.scb.vtor
        if not self.board.is_ram(vtor, 8) and self.board.desc.memory_at(vtor, 8) is None:
            raise FirmwareError(f"no memory holds the vector table at {vtor:#010x}")
        sp, reset = cpu.read_u32(vtor), cpu.read_u32(vtor + 4)
        if self.board.desc.memory_at(reset & ~1) is None or not reset & 1:
            raise FirmwareError(
                f"{self.firmware.path}: reset vector {reset:#010x} at {vtor + 4:#010x} is not a "
                "Thumb address in the board's memory (is the vector table at the start of code memory?)")
        if self.board.desc.memory_at(sp - 4, 4) is None:
            raise FirmwareError(f"{self.firmware.path}: initial stack pointer {sp:#010x} is not in RAM")
        cpu.set_reg("control", 0)
        cpu.set_reg("ipsr", 0)
        cpu.set_reg("msp", sp)
        cpu.set_reg("psp", 0)
        cpu.set_reg("primask", 0)
        cpu.set_reg("basepri", 0)
        cpu.set_reg("faultmask", 0)
        cpu.set_reg("lr", 0xFFFFFFFF)
        cpu.set_reg("xpsr", 1 << 24)
        return reset & ~1

    def _system_reset(self) -> None:
        core = self.core
        core.reset_requested = False
        core.nvic.reset()
        core.scb.reset()
        core.fpu.reset()
        core.systick.reset()
        self.board.reset_devices()
        self.acct.forget_pending_branch()
        self._pc = self._reset()

    # -- the loop ------------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the board (devices, RTL back ends, host links, the CPU engine)."""
        self.board.close()

    def __enter__(self) -> "Simulation":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def run(self) -> RunResult:
        start = time.perf_counter()
        self._wall_start = start
        self._next_heartbeat = self.acct.block_cycles + self.options.heartbeat_cycles
        try:
            while True:
                self._step()
        except Stop as stop:
            outcome = stop
        return self._result(outcome, time.perf_counter() - start)

    def _step(self) -> None:
        self.acct.shared.stop_request = 0
        self.acct.shared.stop_reason = StopReason.NONE
        self._arm_deadline()
        if not self.cpu.reg("xpsr") >> 24 & 1:
            # A branch cleared EPSR.T just before the CPU stopped: the next instruction
            # faults instead of running (Unicorn would resume it in Thumb state).
            self._fault(Exc.USAGEFAULT, CFSR["INVSTATE"],
                        f"branch to {self._pc:#010x} with bit 0 clear (ARM state is not supported)", self._pc)
            return
        exit_ = self.cpu.run(self._pc)
        self._pc = self.cpu.reg("pc")
        self._handle_exit(exit_)
        if self.core.reset_requested:
            self._system_reset()
        now = self.acct.block_cycles
        self.core.scheduler.fire_due(now)
        self._poll_host(now)
        self._check_limits()
        self._take_pending_exception()

    def _arm_deadline(self) -> None:
        candidates = [self._next_heartbeat]
        nxt = self.core.scheduler.next_cycle()
        if nxt is not None:
            candidates.append(nxt)
        if self.options.max_cycles is not None:
            candidates.append(self.options.max_cycles)
        self.acct.set_deadline(min(candidates))

    def _check_limits(self) -> None:
        now = self.acct.block_cycles
        opts = self.options
        if opts.max_cycles is not None and now >= opts.max_cycles:
            raise Stop("cycle-limit", f"stopped at the cycle limit ({opts.max_cycles}) {self._where()}")
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + opts.heartbeat_cycles
            wall = time.perf_counter() - self._wall_start
            if opts.timeout_s is not None and wall > opts.timeout_s:
                raise Stop("time-limit", f"stopped at the time limit ({opts.timeout_s} s) {self._where()}")
            if opts.progress:
                opts.progress({"cycles": now, "instructions": self.acct.instructions, "wall_s": wall,
                               "simulated_s": now / self.board.desc.clock_hz})

    def _poll_host(self, now: int) -> None:
        """Host I/O: carry out what host threads posted (frames for a MAC, ...); a stop the
        host asked for (a host command exited, a test called stop) ends the run."""
        request = self.board.host.poll(now)
        if request is not None:
            raise Stop(request.reason, request.message, exit_code=request.exit_code)

    def _where(self) -> str:
        pc = self.cpu.reg("pc")
        return f"at pc={pc:#010x} ({self.firmware.symbols.describe(pc)})"

    # -- exits ------------------------------------------------------------------------------------

    def _handle_exit(self, ex: RunExit) -> None:
        kind = ex.kind
        if kind is ExitKind.STOPPED:
            reason = self.acct.shared.stop_reason
            if reason == StopReason.NONE:
                # Not the hook: only a WFI halts Unicorn without an error or interrupt.
                self._sleep(self.cpu.sleep_instruction_before(ex.pc))
            elif reason == StopReason.RETRANSLATE:
                self.acct.install_sites()
            elif reason == StopReason.FP_TRAP:
                self._fp_trap(ex.pc)
            elif reason == StopReason.UNALIGNED:
                self.acct.rollback_to(ex.pc)
                cause = self.acct.alignment_fault(ex.pc) or f"unaligned access at {ex.pc:#010x}"
                self._fault(Exc.USAGEFAULT, CFSR["UNALIGNED"], cause, ex.pc)
            elif reason == StopReason.DECODE_ERROR:
                # A gap of the simulator's, not the firmware's: never delivered as a fault.
                raise Stop("error", f"simulator error: the cycle model failed on the block at {ex.pc:#010x}: "
                           f"{self.acct.decode_error or 'undecodable code'} {self._where()}")
            return
        if kind is ExitKind.BKPT:
            self._breakpoint(ex.pc)
        elif kind is ExitKind.SVC:
            self._svc(ex.pc)
        elif kind is ExitKind.EXCEPTION_RETURN and self.core.exceptions.current_exception() == 0:
            # In Thread mode an EXC_RETURN value is an ordinary branch target (B1.5.8):
            # the fetch from it faults (Unicorn reports an exception return regardless).
            self._fetch_fault(ex.pc & ~1)
        elif kind is ExitKind.EXCEPTION_RETURN:
            self._exception_return(ex.pc | 1)
        elif kind is ExitKind.SLEEP:
            self._sleep(ex.detail)
        elif kind is ExitKind.FETCH_UNMAPPED and ex.pc >= EXC_RETURN_PREFIX and self.core.exceptions.current_exception():
            self._exception_return(ex.pc | 1)
        elif kind in (ExitKind.READ_UNMAPPED, ExitKind.WRITE_UNMAPPED, ExitKind.WRITE_PROTECTED):
            self.acct.rollback_to(ex.pc)
            verb = "write to" if kind is not ExitKind.READ_UNMAPPED else "read from"
            what = "read-only memory" if kind is ExitKind.WRITE_PROTECTED else "unmapped address"
            self._fault(Exc.BUSFAULT, CFSR["PRECISERR"] | CFSR["BFARVALID"],
                        f"precise data bus error: {verb} {what} {ex.address:#010x}", ex.pc, address=ex.address)
        elif kind in (ExitKind.FETCH_UNMAPPED, ExitKind.FETCH_PROTECTED, ExitKind.PREFETCH_ABORT):
            self._fetch_fault(ex.pc & ~1)
        elif kind is ExitKind.UNDEFINED and (size := self.cpu.nop_hint_at(ex.pc)) is not None:
            # YIELD/SEV: hints with no effect here, which Unicorn takes for undefined. The
            # block was counted whole: keep the hint, take back what follows it.
            self.acct.rollback_to(ex.pc + size)
            self._pc = ex.pc + size
        elif kind is ExitKind.UNDEFINED:
            self._undefined_at.add(ex.pc)
            self.acct.rollback_to(ex.pc)
            self._fault(Exc.USAGEFAULT, CFSR["UNDEFINSTR"], f"undefined instruction at {ex.pc:#010x}", ex.pc)
        elif kind is ExitKind.INVALID_STATE:
            self._fault(Exc.USAGEFAULT, CFSR["INVSTATE"], f"branch to {ex.pc:#010x} with bit 0 clear (ARM state is not supported)", ex.pc)
        elif kind is ExitKind.CALLBACK_ERROR:
            self._device_error(ex)
        else:
            raise Stop("error", f"the CPU stopped unexpectedly ({ex.detail or kind.value}) {self._where()}")

    def _fp_trap(self, pc: int) -> None:
        """The CPU stopped before a block holding an FP instruction (sim/architecture/fpu.py). When that
        instruction may not run, the instructions before it in the block run first, then
        it raises UsageFault NOCP."""
        fpu = self.core.fpu
        address = fpu.on_trap(pc)
        if address is None:
            return
        block = self.acct.fp_trapped_block()
        # Translated code is reused whatever `until` says: drop it before and after, so
        # that the block is translated up to `address` here, and whole again later.
        self.cpu.flush_code(block.address, block.address + block.size)
        while address != pc:
            self.acct.shared.stop_reason = StopReason.NONE
            exit_ = self.cpu.run(pc, until=address)
            pc = self._pc = self.cpu.reg("pc")
            reason = self.acct.shared.stop_reason
            if exit_.kind is ExitKind.STOPPED and reason == StopReason.RETRANSLATE:
                self.acct.install_sites()
                continue
            if exit_.kind is not ExitKind.STOPPED or reason != StopReason.NONE:
                self._handle_exit(exit_)   # something else happened on the way (a fault, a deadline)
            break
        self.cpu.flush_code(block.address, block.address + block.size)
        if pc == address:
            self._fault(Exc.USAGEFAULT, CFSR_NOCP, str(fpu.nocp(address)), address)

    def _fetch_fault(self, pc: int) -> None:
        self.faults.fetch_fault(pc)
        self._pc = self.cpu.reg("pc")

    def _device_error(self, ex: RunExit) -> None:
        if isinstance(ex.error, BusError):
            err = ex.error
            # The PC is not updated inside device callbacks: find the accessing instruction.
            pc = self.acct.instruction_address(self.acct.locate(err.address)) or ex.pc
            self.acct.rollback_to(pc)
            self._fault(Exc.BUSFAULT, CFSR["PRECISERR"] | CFSR["BFARVALID"],
                        f"precise data bus error: {err}", pc, address=err.address)
            return
        raise Stop("error", f"simulator error in a device model: {type(ex.error).__name__}: {ex.error} {self._where()}")

    def _breakpoint(self, pc: int) -> None:
        halfword = int.from_bytes(self.cpu.read_memory(pc, 2), "little")
        if halfword & 0xFF == SEMIHOSTING_BKPT:
            request = self.semihosting.call()
            self._pc = pc + 2
            if request is not None:
                self._exit(request.code)
            return
        self.core.scb.hfsr |= HFSR_DEBUGEVT
        self._hardfault(f"BKPT #{halfword & 0xFF} with no debugger attached", pc, escalated_from=None)

    def _exit(self, code: int) -> None:
        innermost = self.faults.innermost_open()
        if innermost is not None:
            exc, report = innermost
            raise Stop("fault", f"firmware exited with code {code} inside the {exception_name(exc)} "
                       f"handler, after:\n{report.format()}", exit_code=code, fault=report)
        raise Stop("exit", f"firmware exited with code {code}", exit_code=code)

    def _svc(self, return_address: int) -> None:
        nvic = self.core.nvic
        if nvic.group_priority(Exc.SVCALL) >= self.core.exceptions.execution_priority():
            self.core.scb.hfsr |= HFSR_FORCED
            self._hardfault("SVC executed where SVCall cannot preempt", return_address - 2, escalated_from="SVCall",
                            return_address=return_address)
            return
        nvic.set_pending(Exc.SVCALL)
        self._pc = return_address

    def _exception_return(self, exc_return: int) -> None:
        try:
            returned = self.core.return_from_exception(exc_return)
        except InvalidReturn as exc:
            self._fault(Exc.USAGEFAULT, CFSR["INVPC"], f"invalid exception return: {exc}", exc_return)
            return
        except StackingError as exc:
            self._fault(Exc.BUSFAULT, CFSR["UNSTKERR"], str(exc), exc_return)
            return
        self.faults.recovered(returned)
        self._pc = self.cpu.reg("pc")
        self._returned = True
        if self.core.scb.scr & SCR_SLEEPONEXIT and self.core.exceptions.current_exception() == 0:
            self._sleep("wfi")

    def _sleep(self, instruction: str | None) -> None:
        """WFI: sleep until an interrupt would preempt (PRIMASK does not block the wake-up).
        WFE is treated as a hint that returns at once (a permitted spurious wake-up)."""
        if instruction == "wfe":
            return
        core, cpu, nvic = self.core, self.cpu, self.core.nvic
        while True:
            prio = nvic.execution_priority(0, cpu.reg("faultmask"), cpu.reg("basepri"))
            if nvic.preempting(prio) is not None:
                return
            nxt = core.scheduler.next_cycle()
            limit = self.options.max_cycles
            host = self.board.host
            if nxt is None and limit is None and not host.is_open:
                report = (self.faults.innermost_open() or (None, None))[1]
                raise Stop("fault" if report else "deadlock",
                           f"WFI with no interrupt pending or scheduled: the firmware would sleep forever {self._where()}"
                           + (f", after:\n{report.format()}" if report else ""), fault=report)
            target = nxt if limit is None else min(nxt if nxt is not None else limit, limit)
            if host.is_open:
                # Host I/O (sim/board/net/hostio.py): with a host link open the board waits for
                # the host (in wall time, paced) and wakes early when input arrives.
                target = host.wait(self.acct.block_cycles, target)
            core.sleep_until(target)
            core.scheduler.fire_due(target)
            self._poll_host(target)
            self._check_limits()

    # -- exceptions --------------------------------------------------------------------------------

    def _take_pending_exception(self) -> None:
        exceptions, nvic = self.core.exceptions, self.core.nvic
        tail_chain = self._returned
        self._returned = False
        prio = exceptions.execution_priority()
        exc = nvic.preempting(prio)
        if exc is None:
            pending = nvic.highest_pending()
            if pending is not None and self._masked_only_by_registers(pending):
                # Masked for now: the native hook stops as soon as the masks allow it.
                self.acct.watch_interrupt(nvic.group_priority(pending), nvic.basepri_group_mask)
            else:
                self.acct.watch_interrupt(None)
            return
        try:
            vector = exceptions.vector(exc)
        except VectorTableError as err:
            self.core.scb.hfsr |= HFSR_VECTTBL
            self._hardfault(f"cannot take {exception_name(exc)}: {err}", self._pc, escalated_from=None)
            return
        if not vector & 1:
            self.core.scb.hfsr |= HFSR_VECTTBL
            self._hardfault(f"vector of {exception_name(exc)} ({vector:#010x}) is not a Thumb address", self._pc, escalated_from=None)
            return
        if tail_chain:
            self.core.undo_return_cycles_for_tail_chain()
        try:
            self.core.take_exception(exc, self._pc, tail_chained=tail_chain)
        except StackingError as err:
            self._fault(Exc.BUSFAULT, CFSR["STKERR"], f"{err} on entry to {exception_name(exc)}", self._pc)
            return
        self._pc = self.cpu.reg("pc")

    def _masked_only_by_registers(self, pending: int) -> bool:
        """True when the active exceptions alone would let `pending` preempt: then only
        PRIMASK/BASEPRI/FAULTMASK hold it back and the native hook can watch them."""
        nvic = self.core.nvic
        return nvic.group_priority(pending) < nvic.execution_priority(0, 0, 0)

    # -- faults (fault_escalation.py) ----------------------------------------------------------

    def _fault(self, exc: Exc, cfsr_bits: int, cause: str, pc: int, address: int | None = None) -> None:
        self.faults.fault(exc, cfsr_bits, cause, pc, address)
        self._pc = self.cpu.reg("pc")      # the handler's first instruction

    def _hardfault(self, cause: str, pc: int, escalated_from: str | None,
                   return_address: int | None = None) -> None:
        self.faults.hardfault(cause, pc, escalated_from, return_address)
        self._pc = self.cpu.reg("pc")

    # -- result ------------------------------------------------------------------------------------------

    def _result(self, stop: Stop, wall: float) -> RunResult:
        self.board.settle_devices()
        for address, text in self.acct.undecoded_executed().items():
            if address not in self._undefined_at:
                self._warn(f"simulator gap: the cycle model could not decode the instruction at {address:#010x} "
                           f"({self.firmware.symbols.describe(address)}, {text.split()[-1]}) that the CPU "
                           "executed; it was counted as one cycle")
        for address, count in self.acct.untrapped_misaligned().items():
            self._warn(f"simulator limitation: the conditional (IT-block) instruction at {address:#010x} "
                       f"({self.firmware.symbols.describe(address)}) accessed a misaligned address {count} "
                       "time(s) without the UsageFault (UNALIGNED) the architecture raises: Unicorn cannot "
                       "stop inside an IT block")
        totals = self.acct.event_counts()
        counters = {"exception_cycles": self.core.exception_cycles, "sleep_cycles": self.core.sleep_cycles,
                    "cpi": totals["cpi"], "lsu": totals["lsu"], "fold": totals["fold"]}
        return RunResult(exit_code=stop.exit_code, stop_reason=stop.reason, message=stop.message,
                         instructions=totals["instructions"], cycles=self.acct.block_cycles,
                         wall_s=wall, clock_hz=self.board.desc.clock_hz,
                         uart_output=bytes(self.uart), semihosting_output=bytes(self.semihosting_out),
                         fault=stop.fault, handled_faults=self.handled_faults, counters=counters,
                         warnings=self.warnings)
