"""Firmware images: ELF validation, loading into the board's memories, and symbols.

Segments are loaded at their load (physical) addresses, as QEMU's -kernel does: the
startup code copies initialised data from there to its run address. The initial SP and
the reset handler come from the vector table at VTOR's reset value.
"""

from __future__ import annotations

import bisect
import io
import stat
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tlscosim.errors import UserError

EM_ARM = "EM_ARM"
ELF_MAGIC = b"\x7fELF"
ELF32_HEADER_BYTES = 52
SHF_ALLOC = 0x2      # section flag: occupies memory at run time
# An address further than this past a symbol is not described relative to it.
MAX_LABEL_DISTANCE = 0x10000


class FirmwareError(UserError):
    """The file is not firmware this board can run."""


@dataclass(frozen=True)
class Segment:
    """A PT_LOAD segment: `data` is loaded at `address` (its load address); the
    zero-initialised rest (.bss) exists only at run time, after `data` at `run_address`."""

    address: int
    data: bytes
    memsz: int
    run_address: int = 0
    zero_sections: tuple[str, ...] = ()

    @property
    def zero_fill(self) -> tuple[int, int]:
        """Run-time address and size of the zero-initialised part."""
        return self.run_address + len(self.data), self.memsz - len(self.data)


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int
    size: int


class SymbolTable:
    def __init__(self, symbols: list[Symbol]):
        self._symbols = sorted(symbols, key=lambda s: (s.address, -s.size))
        self._starts = [s.address for s in self._symbols]
        self._by_name = {s.name: s for s in self._symbols}

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def address_of(self, name: str) -> int:
        try:
            return self._by_name[name].address
        except KeyError:
            raise KeyError(f"no symbol {name!r} in the firmware") from None

    def lookup(self, address: int) -> Symbol | None:
        i = bisect.bisect_right(self._starts, address) - 1
        while i >= 0:
            sym = self._symbols[i]
            if address - sym.address > MAX_LABEL_DISTANCE:
                break
            if sym.address <= address < sym.address + max(sym.size, 1):
                return sym
            if sym.size == 0:
                return sym      # a label without size: the nearest one below
            i -= 1
        return None

    def describe(self, address: int) -> str:
        sym = self.lookup(address)
        if sym is None:
            return f"{address:#010x}"
        offset = address - sym.address
        return f"{sym.name}+{offset:#x}" if offset else sym.name

    def functions(self) -> list[Symbol]:
        return list(self._symbols)


@dataclass(frozen=True)
class Firmware:
    path: Path
    segments: tuple[Segment, ...]
    symbols: SymbolTable
    entry: int

    @classmethod
    def load(cls, path: str | Path) -> "Firmware":
        path = Path(path)
        image = _read_image(path)
        if not image:
            raise FirmwareError(f"{path}: empty file, not an ELF file")
        if image[:4] != ELF_MAGIC:
            raise FirmwareError(f"{path}: not an ELF file")
        if len(image) < ELF32_HEADER_BYTES:
            raise FirmwareError(f"{path}: truncated ELF: {len(image)} bytes, "
                                f"less than the {ELF32_HEADER_BYTES}-byte ELF header")
        try:
            return cls._from_elf(path, ELFFile(io.BytesIO(image)), len(image))
        except ELFError as exc:
            raise FirmwareError(f"{path}: malformed ELF ({exc})") from None

    @classmethod
    def _from_elf(cls, path: Path, elf: ELFFile, file_size: int) -> "Firmware":
        if elf["e_machine"] != EM_ARM:
            raise FirmwareError(f"{path}: ELF for {elf['e_machine']}, not ARM")
        if elf.elfclass != 32 or not elf.little_endian:
            raise FirmwareError(f"{path}: not a 32-bit little-endian ARM ELF")
        if elf["e_type"] != "ET_EXEC":
            raise FirmwareError(f"{path}: ELF type {elf['e_type']}, not an executable (ET_EXEC)")
        _check_headers_end(path, elf, file_size, "program", "e_phoff", "e_phnum", "e_phentsize")
        loads = [seg for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD" and seg["p_memsz"]]
        for seg in loads:
            end = seg["p_offset"] + seg["p_filesz"]
            if end > file_size:
                raise FirmwareError(f"{path}: truncated ELF: {file_size} bytes, but its segment at "
                                    f"{seg['p_paddr']:#010x} ends at byte {end}")
            if seg["p_filesz"] > seg["p_memsz"]:
                raise FirmwareError(f"{path}: malformed ELF (the segment at {seg['p_paddr']:#010x} has more "
                                    "bytes in the file than in memory)")
        if not loads:
            raise FirmwareError(f"{path}: no loadable segments")
        _check_headers_end(path, elf, file_size, "section", "e_shoff", "e_shnum", "e_shentsize")
        segments = tuple(Segment(seg["p_paddr"], seg.data(), seg["p_memsz"], seg["p_vaddr"], _zero_sections(elf, seg))
                         for seg in loads)
        return cls(path, segments, _symbols(elf), elf["e_entry"])

    def check_fits(self, board) -> None:
        """Every segment's file image must lie inside one of the board's memories at its
        load address, and its zero-initialised part (.bss) at its run-time address."""
        mems = ", ".join(f"{m.name} {m.base:#010x}-{m.end:#010x}" for m in board.memories)
        for seg in self.segments:
            if seg.data and board.memory_at(seg.address, len(seg.data)) is None:
                raise FirmwareError(
                    f"{self.path}: segment at {seg.address:#010x}-{seg.address + len(seg.data):#010x} "
                    f"lies outside the board's memories ({mems})")
            start, size = seg.zero_fill
            if size and board.memory_at(start, size) is None:
                what = (f"{self.path}: {' '.join(seg.zero_sections) or 'zero-initialised data'} at run-time "
                        f"address {start:#010x}-{start + size:#010x} ({size:#x} bytes)")
                home = board.memory_at(start)
                if home is None:
                    raise FirmwareError(f"{what} lies outside the board's memories ({mems})")
                raise FirmwareError(f"{what} does not fit in memory {home.name} {home.base:#010x}-{home.end:#010x} "
                                    f"({start + size - home.end:#x} bytes too many)")


def _check_headers_end(path: Path, elf: ELFFile, file_size: int, table: str, offset: str, count: str, size: str) -> None:
    end = elf[offset] + elf[count] * elf[size]
    if end > file_size:
        raise FirmwareError(f"{path}: truncated ELF: {file_size} bytes, but its {table} headers end at byte {end}")


def _read_image(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise FirmwareError(f"{path}: is a folder, not an ELF file")
        if not stat.S_ISREG(mode):
            raise FirmwareError(f"{path}: not a regular file, not an ELF file")
        return path.read_bytes()
    except FileNotFoundError:
        raise FirmwareError(f"{path}: no such file") from None
    except OSError as exc:
        raise FirmwareError(f"{path}: cannot read ({exc.strerror})") from None


def _zero_sections(elf: ELFFile, seg) -> tuple[str, ...]:
    """Names of a segment's zero-initialised sections (.bss and the like)."""
    return tuple(sec.name for sec in elf.iter_sections()
                 if sec["sh_type"] == "SHT_NOBITS" and sec["sh_flags"] & SHF_ALLOC and seg.section_in_segment(sec))


def _symbols(elf: ELFFile) -> SymbolTable:
    table = elf.get_section_by_name(".symtab")
    symbols = []
    if isinstance(table, SymbolTableSection):     # a damaged file may name another kind so
        for sym in table.iter_symbols():
            kind = sym["st_info"]["type"]
            if kind not in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE") or not sym.name:
                continue
            if sym["st_shndx"] in ("SHN_UNDEF", "SHN_ABS"):
                continue
            if sym.name.startswith("$"):   # ARM mapping symbols ($t, $d)
                continue
            address = sym["st_value"] & ~1 if kind == "STT_FUNC" else sym["st_value"]
            symbols.append(Symbol(sym.name, address, sym["st_size"]))
    return SymbolTable(symbols)
