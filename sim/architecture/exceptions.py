"""Exception entry and return on the CPU (ARMv7-M ARM B1.5.6 - B1.5.8).

Unicorn executes code but does not take exceptions: entry (stacking, EXC_RETURN in LR,
handler mode, vector fetch) and return (unstacking, mode and stack restore, integrity
checks) are done here between runs of the CPU. Unicorn reports an exception return when
handler-mode code loads an EXC_RETURN value into the PC.

Unicorn keeps the active stack pointer in SP and swaps banks only when CONTROL.SPSEL is
written in Thread mode, not when IPSR is written. Entry from a Thread mode on the process
stack therefore clears SPSEL (as ExceptionTaken() does) *before* entering Handler mode, and
a return to it sets SPSEL *after* returning to Thread mode (as ExceptionReturn() does).
"""

from __future__ import annotations

from dataclasses import dataclass

from .fpu import EXC_RETURN_BASIC_FRAME, EXTENDED_FRAME_BYTES
from .nvic import Nvic
from .scb import CCR_NONBASETHRDENA, CCR_STKALIGN, SystemControl

# Cortex-M4 exception timing (zero wait states), in cycles.
ENTRY_CYCLES = 12
RETURN_CYCLES = 10
TAIL_CHAIN_CYCLES = 6

FRAME_REGS = ("r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr")
FRAME_BYTES = 4 * len(FRAME_REGS)
XPSR_STACK_ALIGN = 1 << 9
XPSR_THUMB = 1 << 24
CONTROL_SPSEL = 1 << 1
CONTROL_FPCA = 1 << 2

EXC_RETURN_HANDLER_MSP = 0xFFFFFFF1
EXC_RETURN_THREAD_MSP = 0xFFFFFFF9
EXC_RETURN_THREAD_PSP = 0xFFFFFFFD
VALID_EXC_RETURN = (EXC_RETURN_HANDLER_MSP, EXC_RETURN_THREAD_MSP, EXC_RETURN_THREAD_PSP)


class StackingError(Exception):
    """The exception frame could not be written or read (a derived fault)."""

    def __init__(self, address: int, pushing: bool):
        what = "stacking" if pushing else "unstacking"
        super().__init__(f"{what} at {address:#010x} outside writable memory")
        self.address = address
        self.pushing = pushing


class VectorTableError(Exception):
    """The vector of an exception could not be read (HFSR.VECTTBL, ARMv7-M B1.5.14)."""

    def __init__(self, exc: int, address: int):
        super().__init__(f"its vector table entry at {address:#010x} is not readable memory")
        self.exception = exc
        self.address = address


class InvalidReturn(Exception):
    """An exception return that the architecture turns into an INVPC UsageFault."""


@dataclass
class EntryRecord:
    exception: int
    return_address: int
    frame_address: int
    exc_return: int


class ExceptionEngine:
    def __init__(self, cpu, nvic: Nvic, scb: SystemControl, is_ram, fpu=None):
        self._cpu = cpu
        self._nvic = nvic
        self._scb = scb
        self._is_ram = is_ram   # is_ram(address, length) -> bool
        self._fpu = fpu         # sim/fpu.Fpu: FP context in the frame (None: no FP state)

    # -- state ----------------------------------------------------------------------------

    def current_exception(self) -> int:
        return self._cpu.reg("ipsr") & 0x1FF

    def execution_priority(self) -> int:
        cpu = self._cpu
        return self._nvic.execution_priority(cpu.reg("primask"), cpu.reg("faultmask"), cpu.reg("basepri"))

    # -- entry -----------------------------------------------------------------------------

    def enter(self, exc: int, return_address: int) -> EntryRecord:
        cpu = self._cpu
        vector = self.vector(exc)   # before any state changes: it may not be readable
        from_handler = self.current_exception() != 0
        control = cpu.reg("control")
        on_psp = not from_handler and bool(control & CONTROL_SPSEL)
        sp = cpu.reg("psp") if on_psp else cpu.reg("msp")
        # An interrupted FP context (CONTROL.FPCA) gets the extended frame, always 8-byte
        # aligned (ARMv7-M B1.5.7).
        extended = self._fpu is not None and self._fpu.extended_frame()
        frame_bytes = EXTENDED_FRAME_BYTES if extended else FRAME_BYTES
        frame = sp - frame_bytes
        xpsr = cpu.reg("xpsr")
        if (extended or self._scb.ccr & CCR_STKALIGN) and frame & 4:
            frame -= 4
            xpsr |= XPSR_STACK_ALIGN
        else:
            xpsr &= ~XPSR_STACK_ALIGN
        if not self._is_ram(frame, frame_bytes):
            raise StackingError(frame, pushing=True)
        values = [cpu.reg(r) for r in FRAME_REGS[:6]] + [return_address & ~1, xpsr]
        cpu.write_memory(frame, b"".join(v.to_bytes(4, "little") for v in values))
        if extended:
            self._fpu.stack(frame, to_thread_mode=not from_handler)
        if on_psp:
            cpu.set_reg("psp", frame)
            cpu.set_reg("control", control & ~(CONTROL_SPSEL | CONTROL_FPCA))   # now on MSP
        else:
            cpu.set_reg("msp", frame)
            cpu.set_reg("control", control & ~CONTROL_FPCA)
        exc_return = (EXC_RETURN_HANDLER_MSP if from_handler
                      else EXC_RETURN_THREAD_PSP if on_psp else EXC_RETURN_THREAD_MSP)
        if extended:
            exc_return &= ~EXC_RETURN_BASIC_FRAME
        self._nvic.acknowledge(exc)
        cpu.set_reg("lr", exc_return)
        # Handler mode, Thumb state, IT state cleared.
        cpu.set_reg("xpsr", (xpsr & 0xF8000000) | XPSR_THUMB | exc)
        cpu.set_reg("ipsr", exc)
        cpu.set_reg("pc", vector & ~1)
        return EntryRecord(exc, return_address, frame, exc_return)

    def vector(self, exc: int) -> int:
        """The vector of `exc`; VectorTableError when VTOR points at nothing readable."""
        address = (self._scb.vtor & ~0x7F) + 4 * exc
        value = self._cpu.try_read_u32(address)
        if value is None:
            raise VectorTableError(exc, address)
        return value

    # -- return ----------------------------------------------------------------------------

    def exception_return(self, exc_return: int) -> int:
        """Performs the return; gives the exception number returned from."""
        cpu = self._cpu
        returning = self.current_exception()
        fp_frame = self._fpu is not None and self._fpu.present and not exc_return & EXC_RETURN_BASIC_FRAME
        frame_bytes = EXTENDED_FRAME_BYTES if fp_frame else FRAME_BYTES
        if fp_frame:
            exc_return |= EXC_RETURN_BASIC_FRAME   # the same three return kinds, with FP state
        if exc_return not in VALID_EXC_RETURN:
            raise InvalidReturn(f"EXC_RETURN value {exc_return:#010x} is not valid without an FPU frame")
        if returning == 0 or not self._nvic.active[returning]:
            raise InvalidReturn(f"exception return from exception {returning}, which is not active")
        to_thread = exc_return != EXC_RETURN_HANDLER_MSP
        if to_thread and self._nvic.active_count() > 1 and not self._scb.ccr & CCR_NONBASETHRDENA:
            raise InvalidReturn("return to Thread mode with other exceptions still active")
        if not to_thread and self._nvic.active_count() < 2:
            raise InvalidReturn("return to Handler mode with no other exception active")
        to_psp = exc_return == EXC_RETURN_THREAD_PSP
        frame = cpu.reg("psp") if to_psp else cpu.reg("msp")
        if not self._is_ram(frame, frame_bytes):
            raise StackingError(frame, pushing=False)
        raw = cpu.read_memory(frame, FRAME_BYTES)
        values = dict(zip(FRAME_REGS, (int.from_bytes(raw[i:i + 4], "little")
                                       for i in range(0, FRAME_BYTES, 4))))
        self._nvic.deactivate(returning)
        xpsr = values["xpsr"]
        new_sp = frame + frame_bytes + (4 if xpsr & XPSR_STACK_ALIGN else 0)
        stacked_ipsr = xpsr & 0x1FF
        if to_thread and stacked_ipsr != 0 or not to_thread and stacked_ipsr == 0:
            # The architecture raises INVPC here too; the frame does not match the mode.
            raise InvalidReturn(f"stacked IPSR {stacked_ipsr} does not match the return mode")
        for name in ("r0", "r1", "r2", "r3", "r12", "lr"):
            cpu.set_reg(name, values[name])
        if fp_frame:
            self._fpu.unstack(frame)
        cpu.set_reg("xpsr", xpsr & ~XPSR_STACK_ALIGN)
        cpu.set_reg("ipsr", stacked_ipsr)
        if to_psp:
            cpu.set_reg("psp", new_sp)
            cpu.set_reg("control", cpu.reg("control") | CONTROL_SPSEL)   # back on PSP
        else:
            cpu.set_reg("msp", new_sp)
        if self._fpu is not None and self._fpu.present:
            # CONTROL.FPCA = NOT EXC_RETURN[4] (ExceptionReturn(), B1.5.8).
            control = cpu.reg("control") & ~CONTROL_FPCA
            cpu.set_reg("control", control | (CONTROL_FPCA if fp_frame else 0))
        cpu.set_reg("pc", values["pc"] & ~1)
        return returning
