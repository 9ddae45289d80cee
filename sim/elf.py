"""Firmware images: ELF validation, loading into the board's memories, and symbols.

Segments are loaded at their load (physical) addresses, as QEMU's -kernel does: the
startup code copies initialised data from there to its run address. The initial SP and
the reset handler come from the vector table at VTOR's reset value.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from tlscosim.errors import UserError

EM_ARM = "EM_ARM"
# An address further than this past a symbol is not described relative to it.
MAX_LABEL_DISTANCE = 0x10000


class FirmwareError(UserError):
    """The file is not firmware this board can run."""


@dataclass(frozen=True)
class Segment:
    address: int
    data: bytes
    memsz: int


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
        if not path.is_file():
            raise FirmwareError(f"{path}: no such file")
        with path.open("rb") as fh:
            if fh.read(4) != b"\x7fELF":
                raise FirmwareError(f"{path}: not an ELF file")
            fh.seek(0)
            try:
                elf = ELFFile(fh)
                return cls._from_elf(path, elf)
            except ELFError as exc:
                raise FirmwareError(f"{path}: malformed ELF ({exc})") from None

    @classmethod
    def _from_elf(cls, path: Path, elf: ELFFile) -> "Firmware":
        if elf["e_machine"] != EM_ARM:
            raise FirmwareError(f"{path}: ELF for {elf['e_machine']}, not ARM")
        if elf.elfclass != 32 or not elf.little_endian:
            raise FirmwareError(f"{path}: not a 32-bit little-endian ARM ELF")
        if elf["e_type"] != "ET_EXEC":
            raise FirmwareError(f"{path}: ELF type {elf['e_type']}, not an executable (ET_EXEC)")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            segments.append(Segment(seg["p_paddr"], seg.data(), seg["p_memsz"]))
        if not segments:
            raise FirmwareError(f"{path}: no loadable segments")
        return cls(path, tuple(segments), _symbols(elf), elf["e_entry"])

    def check_fits(self, board) -> None:
        """Every segment must lie inside one of the board's memories."""
        for seg in self.segments:
            if board.memory_at(seg.address, seg.memsz) is None:
                mems = ", ".join(f"{m.name} {m.base:#010x}-{m.end:#010x}" for m in board.memories)
                raise FirmwareError(
                    f"{self.path}: segment at {seg.address:#010x}-{seg.address + seg.memsz:#010x} "
                    f"lies outside the board's memories ({mems})")


def _symbols(elf: ELFFile) -> SymbolTable:
    table = elf.get_section_by_name(".symtab")
    symbols = []
    if table is not None:
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
