"""The CPU core on the Unicorn engine. This is the only module that imports unicorn.

Unicorn runs Thumb code for an M-profile core but has no NVIC, no exception entry and
no timing; those live in nvic.py, exceptions.py and timing.py. This module offers the
engine's primitives (memory, registers, run, hooks) in the simulator's own terms, so the
rest of the simulator does not depend on the engine (HALucinator-style backend split).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from enum import Enum
from typing import Callable

import unicorn
from unicorn import arm_const as A
from unicorn.unicorn_py3 import unicorn as _ucmod

from . import native

CPU_MODELS = {"cortex-m4": A.UC_CPU_ARM_CORTEX_M4, "cortex-m3": A.UC_CPU_ARM_CORTEX_M3,
              "cortex-m7": A.UC_CPU_ARM_CORTEX_M7}

# Register names as the simulator and its reports use them.
REGISTERS = {
    **{f"r{i}": getattr(A, f"UC_ARM_REG_R{i}") for i in range(13)},
    "sp": A.UC_ARM_REG_SP, "lr": A.UC_ARM_REG_LR, "pc": A.UC_ARM_REG_PC,
    "xpsr": A.UC_ARM_REG_XPSR, "ipsr": A.UC_ARM_REG_IPSR, "apsr": A.UC_ARM_REG_APSR,
    "msp": A.UC_ARM_REG_MSP, "psp": A.UC_ARM_REG_PSP, "control": A.UC_ARM_REG_CONTROL,
    "primask": A.UC_ARM_REG_PRIMASK, "basepri": A.UC_ARM_REG_BASEPRI,
    "faultmask": A.UC_ARM_REG_FAULTMASK,
    # The FP extension's registers (sim/architecture/fpu.py stacks them).
    **{f"s{i}": getattr(A, f"UC_ARM_REG_S{i}") for i in range(32)}, "fpscr": A.UC_ARM_REG_FPSCR,
}
CORE_REGISTERS = tuple(f"r{i}" for i in range(13)) + ("sp", "lr", "pc", "xpsr")

# QEMU's exception numbers as Unicorn reports them to interrupt hooks.
_EXCP_UDEF, _EXCP_SWI, _EXCP_PREFETCH_ABORT, _EXCP_BKPT, _EXCP_EXCEPTION_EXIT = 1, 2, 3, 7, 8


class ExitKind(Enum):
    """Why one call of Cpu.run() returned."""

    STOPPED = "stopped"              # a hook stopped it before a block, or WFI halted it
    SVC = "svc"                      # PC is past the SVC instruction
    BKPT = "bkpt"                    # PC is at the BKPT instruction
    EXCEPTION_RETURN = "exc-return"  # PC holds the EXC_RETURN value
    SLEEP = "sleep"                  # WFE reported as invalid by Unicorn; PC is past it
    READ_UNMAPPED = "read-unmapped"
    WRITE_UNMAPPED = "write-unmapped"
    FETCH_UNMAPPED = "fetch-unmapped"
    WRITE_PROTECTED = "write-protected"
    FETCH_PROTECTED = "fetch-protected"
    PREFETCH_ABORT = "prefetch-abort"  # the engine refused to fetch from PC (an execute-never address)
    UNDEFINED = "undefined-instruction"
    INVALID_STATE = "invalid-state"  # execution with EPSR.T = 0
    CALLBACK_ERROR = "callback-error"  # a Python peripheral raised
    OTHER = "other"


@dataclass
class RunExit:
    kind: ExitKind
    pc: int
    address: int | None = None    # faulting data address
    size: int | None = None
    detail: str = ""
    error: BaseException | None = None


_UNMAPPED_KINDS = {
    unicorn.UC_MEM_READ_UNMAPPED: ExitKind.READ_UNMAPPED,
    unicorn.UC_MEM_WRITE_UNMAPPED: ExitKind.WRITE_UNMAPPED,
    unicorn.UC_MEM_FETCH_UNMAPPED: ExitKind.FETCH_UNMAPPED,
    unicorn.UC_MEM_WRITE_PROT: ExitKind.WRITE_PROTECTED,
    unicorn.UC_MEM_FETCH_PROT: ExitKind.FETCH_PROTECTED,
}

_PERMS = {"r": unicorn.UC_PROT_READ, "w": unicorn.UC_PROT_WRITE, "x": unicorn.UC_PROT_EXEC}

# WFI and WFE encodings (16- and 32-bit) to recognise a sleep stop from the PC after it.
_WFI16, _WFE16 = 0xBF30, 0xBF20
_WFI32, _WFE32 = (0xF3AF, 0x8003), (0xF3AF, 0x8002)
# Hints Unicorn takes for undefined instructions although the architecture makes them
# NOPs here (ARMv7-M A7.7.263 YIELD, A7.7.129 SEV: no multiprocessor, no event to send).
_NOP_HINTS16 = {0xBF10: "yield", 0xBF40: "sev"}
_NOP_HINTS32 = {(0xF3AF, 0x8001): "yield.w", (0xF3AF, 0x8004): "sev.w"}


class Cpu:
    """A Cortex-M core. Memory-mapped devices are attached with map_mmio()."""

    def __init__(self, model: str = "cortex-m4"):
        if model not in CPU_MODELS:
            raise ValueError(f"unsupported CPU model {model!r}; known: {sorted(CPU_MODELS)}")
        self.model = model
        self._uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB | unicorn.UC_MODE_MCLASS)
        self._uc.ctl_set_cpu_model(CPU_MODELS[model])
        self._pending_exit: RunExit | None = None
        self._mmio_keepalive: list = []
        self._uc.hook_add(unicorn.UC_HOOK_INTR, self._on_interrupt)
        self._uc.hook_add(unicorn.UC_HOOK_MEM_INVALID, self._on_invalid_memory)
        self._accounting = None

    # -- memory --------------------------------------------------------------------

    def map_ram(self, base: int, size: int, access: str = "rwx") -> None:
        perms = 0
        for ch in access:
            perms |= _PERMS[ch]
        self._uc.mem_map(base, size, perms)

    def map_mmio(self, base: int, size: int,
                 read: Callable[[int, int], int], write: Callable[[int, int, int], None]) -> None:
        """read(offset, size) -> value and write(offset, size, value), offsets from base.
        An exception from either stops the CPU; run() returns it as CALLBACK_ERROR (a read
        that raised yields 0 to the instruction, which does not complete anyway)."""
        on_read, on_write = self.guarded(read), self.guarded(write)
        self._uc.mmio_map(base, size, lambda _uc, offset, size_, _ud: on_read(offset, size_), None,
                          lambda _uc, offset, size_, value, _ud: on_write(offset, size_, value), None)
        self._mmio_keepalive.append((on_read, on_write))

    def guarded(self, callback: Callable) -> Callable:
        """`callback` for the engine to call from inside emulation: an exception it raises
        stops the CPU and run() returns it as CALLBACK_ERROR (the call returns 0)."""
        def call(*args):
            try:
                return callback(*args)
            except Exception as exc:   # noqa: BLE001 - handed to the run loop
                self._callback_failed(self._uc, exc)
                return 0
        return call

    @property
    def engine_handle(self) -> int:
        """The engine's own handle, for native code that maps or reads through it."""
        return self._uc._uch

    def read_memory(self, address: int, length: int) -> bytes:
        return bytes(self._uc.mem_read(address, length))

    def write_memory(self, address: int, data: bytes) -> None:
        self._uc.mem_write(address, bytes(data))

    def read_u32(self, address: int) -> int:
        return int.from_bytes(self._uc.mem_read(address, 4), "little")

    def try_read_memory(self, address: int, length: int) -> bytes | None:
        """The bytes, or None when part of the range is not mapped (a guest pointer that
        must not take the simulator down)."""
        try:
            return bytes(self._uc.mem_read(address, length))
        except unicorn.UcError:
            return None

    def try_read_u32(self, address: int) -> int | None:
        data = self.try_read_memory(address, 4)
        return None if data is None else int.from_bytes(data, "little")

    def write_u32(self, address: int, value: int) -> None:
        self._uc.mem_write(address, (value & 0xFFFFFFFF).to_bytes(4, "little"))

    def is_mapped(self, address: int, length: int = 1) -> bool:
        for begin, end, _perms in self._uc.mem_regions():
            if begin <= address and address + length - 1 <= end:
                return True
        return False

    # -- registers -----------------------------------------------------------------

    def reg(self, name: str) -> int:
        return self._uc.reg_read(REGISTERS[name]) & 0xFFFFFFFF

    def set_reg(self, name: str, value: int) -> None:
        if name == "pc":
            # Unicorn takes bit 0 of a PC write as the Thumb bit; an M-profile core
            # only has Thumb state, so a PC written here never leaves it.
            value |= 1
        self._uc.reg_write(REGISTERS[name], value & 0xFFFFFFFF)

    def registers(self, names=CORE_REGISTERS) -> dict[str, int]:
        return {n: self.reg(n) for n in names}

    # -- accounting ----------------------------------------------------------------

    def attach_accounting(self, on_miss: Callable[[int, int], int], refills: bool = True):
        """Registers the native block hook; returns (library, state pointer, counters).
        Without `refills` the leaner instruction-counting hook is used."""
        lib = native.load_library()
        callback = native.MISS_CALLBACK(on_miss)
        handle = self._uc._uch
        state = lib.tcs_new(handle, callback)
        if not state:
            raise MemoryError("native hook state allocation failed")
        hook = _ucmod.uc_hook_h()
        err = _ucmod.uclib.uc_hook_add(handle, ctypes.byref(hook), unicorn.UC_HOOK_BLOCK,
                                       ctypes.c_void_p(native.block_hook_address(refills)),
                                       ctypes.c_void_p(state), ctypes.c_uint64(1), ctypes.c_uint64(0))
        if err != unicorn.UC_ERR_OK:
            lib.tcs_free(state)
            raise unicorn.UcError(err)
        self._accounting = (callback, state)   # keep the callback object alive
        return lib, state, lib.tcs_shared_of(state).contents

    def register_id(self, name: str) -> int:
        """The engine's id of a register, for native hooks that read it."""
        return REGISTERS[name]

    def add_instruction_hook(self, address: int, function_pointer: int, user_data: int) -> None:
        """A native hook called before the instruction at `address` runs. Code already
        translated does not see it until flush_code() drops that translation."""
        hook = _ucmod.uc_hook_h()
        err = _ucmod.uclib.uc_hook_add(self._uc._uch, ctypes.byref(hook), unicorn.UC_HOOK_CODE,
                                       ctypes.c_void_p(function_pointer), ctypes.c_void_p(user_data),
                                       ctypes.c_uint64(address), ctypes.c_uint64(address))
        if err != unicorn.UC_ERR_OK:
            raise unicorn.UcError(err)

    def add_data_access_hook(self, begin: int, end: int, function_pointer: int, user_data: int) -> None:
        """A native hook called on each data read or write in [begin, end)."""
        hook = _ucmod.uc_hook_h()
        err = _ucmod.uclib.uc_hook_add(self._uc._uch, ctypes.byref(hook),
                                       unicorn.UC_HOOK_MEM_READ | unicorn.UC_HOOK_MEM_WRITE,
                                       ctypes.c_void_p(function_pointer), ctypes.c_void_p(user_data),
                                       ctypes.c_uint64(begin), ctypes.c_uint64(end - 1))
        if err != unicorn.UC_ERR_OK:
            raise unicorn.UcError(err)

    def flush_code(self, begin: int, end: int) -> None:
        """Drops translated code for [begin, end) so it is translated again."""
        self._uc.ctl_remove_cache(begin, end)

    def close(self) -> None:
        if self._accounting is not None:
            _callback, state = self._accounting
            self._uc.emu_stop()
            self._uc = None
            native.load_library().tcs_free(state)
            self._accounting = None

    # -- running -------------------------------------------------------------------

    def run(self, pc: int, until: int | None = None) -> RunExit:
        """Runs from pc until something needs the simulator's attention (or, with `until`,
        until the PC reaches it: translation stops before that instruction)."""
        self._pending_exit = None
        try:
            # Without `until`, stops come from hooks.
            self._uc.emu_start(pc | 1, 0xFFFFFFFF if until is None else until & ~1)
        except unicorn.UcError as exc:
            return self._classify_error(exc)
        if self._pending_exit is not None:
            return self._pending_exit
        return RunExit(ExitKind.STOPPED, self.reg("pc"))

    def sleep_instruction_before(self, pc: int) -> str | None:
        """"wfi" or "wfe" when the instruction ending at `pc` is one, else None. Only
        meaningful where the CPU is known to have stopped on a sleep instruction: the
        bytes alone may also be the tail of another 32-bit instruction."""
        try:
            hw = self._uc.mem_read(pc - 4, 4)
        except unicorn.UcError:
            return None
        pair = (int.from_bytes(hw[:2], "little"), int.from_bytes(hw[2:], "little"))
        names = {_WFI32: "wfi", _WFE32: "wfe", _WFI16: "wfi", _WFE16: "wfe"}
        return names.get(pair) or names.get(pair[1])

    def nop_hint_at(self, pc: int) -> int | None:
        """The size of the NOP-like hint at `pc` (YIELD, SEV), else None."""
        code = self.try_read_memory(pc, 4) or self.try_read_memory(pc, 2)
        if code is None:
            return None
        first = int.from_bytes(code[:2], "little")
        if first in _NOP_HINTS16:
            return 2
        if len(code) == 4 and (first, int.from_bytes(code[2:], "little")) in _NOP_HINTS32:
            return 4
        return None

    def _classify_error(self, exc: unicorn.UcError) -> RunExit:
        pc = self.reg("pc")
        if self._pending_exit is not None:
            return self._pending_exit
        if exc.errno == unicorn.UC_ERR_INSN_INVALID:
            if self.sleep_instruction_before(pc) == "wfe":
                return RunExit(ExitKind.SLEEP, pc, detail="wfe")   # Unicorn reports WFE as invalid
            if not (self.reg("xpsr") >> 24) & 1:
                return RunExit(ExitKind.INVALID_STATE, pc)
            return RunExit(ExitKind.UNDEFINED, pc)
        return RunExit(ExitKind.OTHER, pc, detail=str(exc))

    def _callback_failed(self, uc, exc: Exception) -> None:
        if self._pending_exit is None:
            self._pending_exit = RunExit(ExitKind.CALLBACK_ERROR, self.reg("pc"), detail=str(exc), error=exc)
        uc.emu_stop()

    def _on_interrupt(self, uc, intno, _ud):
        pc = self.reg("pc")
        kinds = {_EXCP_SWI: ExitKind.SVC, _EXCP_BKPT: ExitKind.BKPT,
                 _EXCP_EXCEPTION_EXIT: ExitKind.EXCEPTION_RETURN, _EXCP_UDEF: ExitKind.UNDEFINED,
                 _EXCP_PREFETCH_ABORT: ExitKind.PREFETCH_ABORT}
        kind = kinds.get(intno, ExitKind.OTHER)
        self._pending_exit = RunExit(kind, pc, detail=f"QEMU exception {intno}")
        uc.emu_stop()

    def _on_invalid_memory(self, uc, access, address, size, _value, _ud):
        kind = _UNMAPPED_KINDS.get(access, ExitKind.OTHER)
        self._pending_exit = RunExit(kind, self.reg("pc"), address=address, size=size)
        return False
