"""ARM semihosting (BKPT 0xAB; operation in r0, argument in r1, result in r0): console
output and the program's exit, per "Semihosting for AArch32 and AArch64" (ARM)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

SEMIHOSTING_BKPT = 0xAB
SYS_OPEN, SYS_WRITEC, SYS_WRITE0, SYS_WRITE = 0x01, 0x03, 0x04, 0x05
SYS_ISTTY, SYS_ERRNO, SYS_HEAPINFO = 0x09, 0x13, 0x16
SYS_EXIT, SYS_EXIT_EXTENDED = 0x18, 0x20
ADP_STOPPED_APPLICATION_EXIT = 0x20026
STDOUT, STDERR = 1, 2
MAX_STRING = 1 << 20


@dataclass
class ExitRequest:
    code: int
    reason: int


class Semihosting:
    """Handles one BKPT 0xAB call. `output(stream, data)` receives console bytes."""

    def __init__(self, cpu, output: Callable[[str, bytes], None], warn: Callable[[str], None]):
        self._cpu = cpu
        self._output = output
        self._warn = warn
        self._warned: set[int] = set()

    def call(self) -> ExitRequest | None:
        cpu = self._cpu
        op, arg = cpu.reg("r0"), cpu.reg("r1")
        if op == SYS_WRITEC:
            self._output("stdout", cpu.read_memory(arg, 1))
            return None
        if op == SYS_WRITE0:
            self._output("stdout", self._string(arg))
            return None
        if op == SYS_WRITE:
            handle, ptr, length = (cpu.read_u32(arg + 4 * i) for i in range(3))
            stream = "stderr" if handle == STDERR else "stdout"
            self._output(stream, cpu.read_memory(ptr, length))
            cpu.set_reg("r0", 0)   # bytes not written
            return None
        if op == SYS_OPEN:
            name = self._string(cpu.read_u32(arg))
            mode = cpu.read_u32(arg + 4)
            # Only the console exists: ":tt" opened for reading is stdin, else stdout/stderr.
            handle = -1 if name != b":tt" else (0 if mode < 4 else STDOUT if mode < 8 else STDERR)
            cpu.set_reg("r0", handle)
            return None
        if op == SYS_ISTTY:
            cpu.set_reg("r0", 1)
            return None
        if op == SYS_EXIT:
            # AArch32: r1 is the reason itself; only ApplicationExit means success.
            return ExitRequest(0 if arg == ADP_STOPPED_APPLICATION_EXIT else 1, arg)
        if op == SYS_EXIT_EXTENDED:
            reason, subcode = cpu.read_u32(arg), cpu.read_u32(arg + 4)
            if reason == ADP_STOPPED_APPLICATION_EXIT:
                return ExitRequest(subcode, reason)
            return ExitRequest(1, reason)
        if op not in self._warned:
            self._warned.add(op)
            self._warn(f"semihosting operation {op:#x} is not supported (returns -1)")
        cpu.set_reg("r0", 0xFFFFFFFF)
        return None

    def _string(self, address: int) -> bytes:
        out = bytearray()
        while len(out) < MAX_STRING:
            chunk = self._cpu.read_memory(address + len(out), 64)
            end = chunk.find(0)
            if end >= 0:
                out += chunk[:end]
                return bytes(out)
            out += chunk
        return bytes(out)
