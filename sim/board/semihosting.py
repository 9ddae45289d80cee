"""ARM semihosting (BKPT 0xAB; operation in r0, argument block address in r1, result in r0)
per ARM's "Semihosting for AArch32 and AArch64": console, host files confined to the run's
semihosting root, command line, clocks, heap information and exit.

Where the specification leaves room, tlscosim does what QEMU's `target=native` does, so
that one ELF behaves the same under both: handles are the lowest free number from 1,
failures return -1 and leave the host errno for SYS_ERRNO, and a pointer to memory that is
not mapped makes the call fail with EFAULT instead of stopping the run. Deliberate
differences: SYS_SYSTEM is refused (ENOSYS), paths that resolve outside the root are
refused (EACCES), the clocks count simulated cycles (SYS_TICKFREQ is the board's clock),
and SYS_HEAPINFO reports the firmware's own heap and stack symbols."""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .semihosting_files import HostError, HostFiles

SEMIHOSTING_BKPT = 0xAB
SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE = 0x01, 0x02, 0x03, 0x04, 0x05
SYS_READ, SYS_READC, SYS_ISERROR, SYS_ISTTY, SYS_SEEK = 0x06, 0x07, 0x08, 0x09, 0x0A
SYS_FLEN, SYS_TMPNAM, SYS_REMOVE, SYS_RENAME = 0x0C, 0x0D, 0x0E, 0x0F
SYS_CLOCK, SYS_TIME, SYS_SYSTEM, SYS_ERRNO = 0x10, 0x11, 0x12, 0x13
SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x16, 0x18, 0x20
SYS_ELAPSED, SYS_TICKFREQ = 0x30, 0x31
ADP_STOPPED_APPLICATION_EXIT = 0x20026
MAX_STRING = 1 << 20
MAX_TRANSFER = 1 << 24      # one SYS_READ/SYS_WRITE; more is reported as not transferred
FAILED = 0xFFFFFFFF         # -1 in r0
CORRUPTED = 0xDEADBEEF      # r0 after SYS_WRITEC/SYS_WRITE0, "corrupted" per the spec (QEMU's value)
# Firmware symbols reported by SYS_HEAPINFO (sw/board/link.ld).
HEAP_SYMBOLS = ("_heap_start", "_heap_end", "_stack_top", "_stack_limit")


@dataclass
class ExitRequest:
    code: int
    reason: int


class _GuestFault(Exception):
    """The call named memory that is not mapped."""


class Semihosting:
    """Handles one BKPT 0xAB call. `output(stream, data)` receives console bytes."""

    def __init__(self, cpu, output: Callable[[str, bytes], None], warn: Callable[[str], None]):
        self._cpu = cpu
        self._output = output
        self._warn = warn
        self._warned: set[int] = set()
        self._errno = 0
        self.files = HostFiles(Path.cwd())
        self._cmdline = b""
        self._cycles: Callable[[], int] = lambda: 0
        self._clock_hz = 1
        self._heap = (0, 0, 0, 0)
        self._handlers = {
            SYS_OPEN: self._open, SYS_CLOSE: self._close, SYS_WRITEC: self._writec,
            SYS_WRITE0: self._write0, SYS_WRITE: self._write, SYS_READ: self._read_op,
            SYS_READC: self._readc, SYS_ISERROR: self._iserror, SYS_ISTTY: self._istty,
            SYS_SEEK: self._seek, SYS_FLEN: self._flen, SYS_TMPNAM: self._tmpnam,
            SYS_REMOVE: self._remove, SYS_RENAME: self._rename, SYS_CLOCK: self._clock,
            SYS_TIME: self._time, SYS_SYSTEM: self._system, SYS_ERRNO: self._get_errno,
            SYS_GET_CMDLINE: self._get_cmdline, SYS_HEAPINFO: self._heapinfo,
            SYS_ELAPSED: self._elapsed, SYS_TICKFREQ: self._tickfreq,
        }

    def configure(self, *, root: str | Path | None = None, cwd: str | Path | None = None,
                  args: list[str] | None = None, stdin: bytes = b"", cycles: Callable[[], int] | None = None,
                  clock_hz: int | None = None, heap: tuple[int, int, int, int] | None = None) -> None:
        """root: the folder host files are confined to (default: the current directory);
        cwd: where relative names start, inside root; args: the command line (argv[0] first)."""
        if root is not None or cwd is not None or stdin:
            self.files.close_all()
            self.files = HostFiles(Path(root) if root is not None else Path.cwd(),
                                   Path(cwd) if cwd is not None else None, stdin)
        if args is not None:
            self._cmdline = " ".join(args).encode()
        if cycles is not None:
            self._cycles = cycles
        if clock_hz is not None:
            self._clock_hz = clock_hz
        if heap is not None:
            self._heap = heap

    def close(self) -> None:
        self.files.close_all()

    # -- dispatch ----------------------------------------------------------------------------

    def call(self) -> ExitRequest | None:
        cpu = self._cpu
        op, arg = cpu.reg("r0"), cpu.reg("r1")
        if op == SYS_EXIT:
            # AArch32: r1 is the reason itself; only ApplicationExit means success.
            return ExitRequest(0 if arg == ADP_STOPPED_APPLICATION_EXIT else 1, arg)
        if op == SYS_EXIT_EXTENDED:
            try:
                reason, subcode = self._word(arg, 0), self._word(arg, 1)
            except _GuestFault:
                return self._fail(errno.EFAULT)
            return ExitRequest(subcode if reason == ADP_STOPPED_APPLICATION_EXIT else 1, reason)
        handler = self._handlers.get(op)
        if handler is None:
            if op not in self._warned:
                self._warned.add(op)
                self._warn(f"semihosting operation {op:#x} is not supported (returns -1)")
            return self._fail(errno.ENOSYS)
        try:
            result = handler(arg)
        except _GuestFault:
            return self._fail(errno.EFAULT)
        except HostError as exc:
            return self._fail(exc.errno)
        cpu.set_reg("r0", result & 0xFFFFFFFF)
        return None

    def _fail(self, err: int) -> None:
        self._errno = err
        self._cpu.set_reg("r0", FAILED)
        return None

    # -- guest memory, every access checked ------------------------------------------------

    def _guest_read(self, address: int, length: int) -> bytes:
        if length and not self._cpu.is_mapped(address, length):
            raise _GuestFault
        return self._cpu.read_memory(address, length) if length else b""

    def _write_guest(self, address: int, data: bytes) -> None:
        if data and not self._cpu.is_mapped(address, len(data)):
            raise _GuestFault
        self._cpu.write_memory(address, data)

    def _word(self, block: int, index: int) -> int:
        return int.from_bytes(self._guest_read(block + 4 * index, 4), "little")

    def _args(self, block: int, count: int) -> list[int]:
        return [self._word(block, i) for i in range(count)]

    def _string(self, address: int) -> bytes:
        out = bytearray()
        while len(out) < MAX_STRING:
            step = 64 - (address + len(out)) % 64   # never cross into an unmapped page early
            chunk = self._guest_read(address + len(out), step)
            end = chunk.find(0)
            if end >= 0:
                return bytes(out + chunk[:end])
            out += chunk
        return bytes(out)

    # -- console -----------------------------------------------------------------------------

    def _writec(self, arg: int) -> int:
        try:
            self._output("console", self._guest_read(arg, 1))
        except _GuestFault:
            pass                   # nothing to print; QEMU leaves errno alone too
        return CORRUPTED

    def _write0(self, arg: int) -> int:
        try:
            self._output("console", self._string(arg))
        except _GuestFault:
            pass                   # nothing to print; QEMU leaves errno alone too
        return CORRUPTED

    def _readc(self, _arg: int) -> int:
        data = self.files.read_console(1)
        return data[0] if data else FAILED

    # -- files -------------------------------------------------------------------------------

    def _open(self, arg: int) -> int:
        name_ptr, mode, _length = self._args(arg, 3)
        return self.files.open(self._string(name_ptr), mode)

    def _close(self, arg: int) -> int:
        self.files.close(self._word(arg, 0))
        return 0

    def _write(self, arg: int) -> int:
        handle, ptr, length = self._args(arg, 3)
        try:
            stream = self.files.console_stream(handle)
            data = self._guest_read(ptr, min(length, MAX_TRANSFER))
            if stream is not None:
                self._output(stream, data)
                written = len(data)
            else:
                written = self.files.write(handle, data)
        except _GuestFault:
            return self._transfer_failed(errno.EFAULT, length)
        except HostError as exc:
            return self._transfer_failed(exc.errno, length)
        return length - written          # bytes not written

    def _transfer_failed(self, err: int, length: int) -> int:
        """A failed SYS_READ/SYS_WRITE reports nothing transferred (as QEMU does), not -1."""
        self._errno = err
        return length

    def _read_op(self, arg: int) -> int:
        handle, ptr, length = self._args(arg, 3)
        try:
            if length and not self._cpu.is_mapped(ptr, min(length, MAX_TRANSFER)):
                raise _GuestFault
            data = self.files.read(handle, min(length, MAX_TRANSFER))
            self._write_guest(ptr, data)
        except _GuestFault:
            return self._transfer_failed(errno.EFAULT, length)
        except HostError as exc:
            return self._transfer_failed(exc.errno, length)
        return length - len(data)        # bytes not read: `length` means end of file

    def _iserror(self, arg: int) -> int:
        status = self._word(arg, 0)
        return 1 if status & 0x80000000 else 0

    def _istty(self, arg: int) -> int:
        return 1 if self.files.is_tty(self._word(arg, 0)) else 0

    def _seek(self, arg: int) -> int:
        handle, position = self._args(arg, 2)
        self.files.seek(handle, position)
        return 0

    def _flen(self, arg: int) -> int:
        return self.files.length(self._word(arg, 0))

    def _tmpnam(self, arg: int) -> int:
        ptr, identifier, length = self._args(arg, 3)
        name = f"tlscosim-tmp-{identifier & 0xFF:02x}".encode() + b"\0"
        if len(name) > length:
            raise HostError(errno.E2BIG)
        self._write_guest(ptr, name)
        return 0

    def _remove(self, arg: int) -> int:
        name_ptr, _length = self._args(arg, 2)
        self.files.remove(self._string(name_ptr))
        return 0

    def _rename(self, arg: int) -> int:
        old_ptr, _old_length, new_ptr, _new_length = self._args(arg, 4)
        self.files.rename(self._string(old_ptr), self._string(new_ptr))
        return 0

    # -- system ------------------------------------------------------------------------------

    def _system(self, arg: int) -> int:
        self._args(arg, 2)   # still a fault when the block itself is unmapped
        if SYS_SYSTEM not in self._warned:
            self._warned.add(SYS_SYSTEM)
            self._warn("semihosting SYS_SYSTEM refused: firmware does not run host commands")
        raise HostError(errno.ENOSYS)

    def _get_errno(self, _arg: int) -> int:
        return self._errno

    def _get_cmdline(self, arg: int) -> int:
        ptr, size = self._args(arg, 2)
        text = self._cmdline + b"\0"
        if len(text) > size:
            raise HostError(errno.E2BIG)
        self._write_guest(arg + 4, (len(text) - 1).to_bytes(4, "little"))
        self._write_guest(ptr, text)
        return 0

    def _heapinfo(self, arg: int) -> int:
        block = self._word(arg, 0)
        self._write_guest(block, b"".join(v.to_bytes(4, "little") for v in self._heap))
        return 0

    def _clock(self, _arg: int) -> int:
        return self._cycles() * 100 // self._clock_hz   # centiseconds of simulated time

    def _time(self, _arg: int) -> int:
        return int(time.time())

    def _elapsed(self, arg: int) -> int:
        self._write_guest(arg, (self._cycles() & (2**64 - 1)).to_bytes(8, "little"))
        return 0

    def _tickfreq(self, _arg: int) -> int:
        return self._clock_hz


def _heap_symbols(elf_path: Path) -> tuple[int, int, int, int]:
    """The linker script's heap and stack symbols (absolute, so not in the symbol table)."""
    from elftools.elf.elffile import ELFFile

    with open(elf_path, "rb") as f:
        table = ELFFile(f).get_section_by_name(".symtab")
        found = {s.name: s["st_value"] for s in table.iter_symbols()} if table is not None else {}
    return tuple(found.get(name, 0) for name in HEAP_SYMBOLS)


def attach(sim, *, root: str | Path | None = None, cwd: str | Path | None = None,
           args: list[str] | None = None, stdin: bytes = b"") -> Semihosting:
    """Connects a Simulation's semihosting to the run: file root and working directory,
    command line (argv[0] first), console input, the simulated clock, and the firmware's
    heap and stack symbols."""
    heap = _heap_symbols(sim.firmware.path)
    sim.semihosting.configure(root=root, cwd=cwd, args=args, stdin=stdin, cycles=lambda: sim.acct.block_cycles,
                              clock_hz=sim.board.desc.clock_hz,
                              heap=heap)
    return sim.semihosting


# -- `tlscosim run` options ----------------------------------------------------------------

def add_run_arguments(run) -> None:
    run.add_argument("--semihosting-root", metavar="DIR", default=".",
                     help="folder the firmware's semihosting file I/O is confined to (default: the current one)")
    run.add_argument("--semihosting-cwd", metavar="DIR",
                     help="where the firmware's relative file names start, inside the root (default: the root)")
    run.add_argument("firmware_args", nargs="*", metavar="ARG",
                     help="the firmware's command line after `--` (SYS_GET_CMDLINE; argv[0] is the ELF's name)")


def attach_from_args(sim, args) -> Semihosting:
    """attach() with the run's command-line options; bad folders are user errors."""
    from tlscosim.errors import UserError

    root = Path(args.semihosting_root)
    if not root.is_dir():
        raise UserError(f"--semihosting-root {args.semihosting_root}: not a folder")
    cwd = root / args.semihosting_cwd if args.semihosting_cwd else None
    if cwd is not None and not cwd.is_dir():
        raise UserError(f"--semihosting-cwd {args.semihosting_cwd}: not a folder inside {args.semihosting_root}")
    try:
        return attach(sim, root=root, cwd=cwd, args=[Path(args.elf).name, *args.firmware_args])
    except ValueError as exc:
        raise UserError(f"--semihosting-cwd {args.semihosting_cwd}: {exc}") from None
