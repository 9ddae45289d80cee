"""Register-mapped devices driven by their register map.

A subclass implements `read_<REG>(index)` and `write_<REG>(value, index, mask)` for the
registers with behaviour; the others are plain storage with the map's reset values.
Offsets are never written in a model: the map decodes them. Byte and halfword accesses
reach the handlers as a 32-bit value with `mask` naming the written bits.
"""

from __future__ import annotations

from tlscosim.regmap import RegisterMap

from ..bus import BusError

WORD_MASK = 0xFFFFFFFF


class RegisterDevice:
    def __init__(self, name: str, regmap: RegisterMap, ctx):
        self.name = name
        self.regmap = regmap
        self.ctx = ctx
        self._decode: dict[int, tuple[str, int]] = {}
        for reg in regmap:
            for index in range(reg.count):
                self._decode[reg.offset_of(index)] = (reg.name, index)
        self._check_handlers()
        self._readers = {r.name: getattr(self, f"read_{r.name}", None) for r in regmap}
        self._writers = {r.name: getattr(self, f"write_{r.name}", None) for r in regmap}
        self._access = {r.name: r.access for r in regmap}
        self.values: dict[str, list[int]] = {}
        self.reset()

    def reset(self) -> None:
        self.values = {r.name: [r.reset] * r.count for r in self.regmap}

    def close(self) -> None:
        """Releases what the model holds outside Python (none here; RTL back ends do)."""

    def _check_handlers(self) -> None:
        """A read_X/write_X handler for a register X the map does not have is a model
        bug that would silently never run: refuse it at start-up."""
        names = {r.name for r in self.regmap}
        stray = sorted(attr for attr in dir(type(self))
                       if attr.startswith(("read_", "write_")) and attr.split("_", 1)[1] not in names)
        if stray:
            raise TypeError(f"{type(self).__name__} ({self.name}): handler(s) {', '.join(stray)} name no "
                            f"register of its map {self.regmap.name!r}")

    # -- helpers for subclasses -----------------------------------------------------------

    def field(self, reg: str, name: str):
        return self.regmap[reg].field(name)

    def get(self, reg: str, index: int = 0) -> int:
        return self.values[reg][index]

    def put(self, reg: str, value: int, index: int = 0) -> None:
        self.values[reg][index] = value & WORD_MASK

    # -- bus side -------------------------------------------------------------------------

    def _entry(self, offset: int, write: bool) -> tuple[str, int]:
        entry = self._decode.get(offset & ~3)
        if entry is None:
            return self.unmapped_access(offset, write)
        return entry

    def unmapped_access(self, offset: int, write: bool):
        """An offset no register decodes: a bus error unless a subclass says otherwise."""
        raise BusError(offset, write, f"{self.name} has no register at offset {offset:#x}")

    def read(self, offset: int, size: int) -> int:
        entry = self._entry(offset, False)
        if entry is None:
            return 0
        reg, index = entry
        if self._access[reg] == "wo":
            value = 0
        else:
            reader = self._readers[reg]
            value = reader(index) if reader else self.values[reg][index]
        lane = (offset & 3) * 8
        return (value >> lane) & ((1 << (8 * size)) - 1)

    def write(self, offset: int, size: int, value: int) -> None:
        entry = self._entry(offset, True)
        if entry is None:
            return
        reg, index = entry
        if self._access[reg] == "ro":
            self.ctx.warn_once(f"{self.name}.{reg}.ro", f"{self.name}: write to read-only register {reg} ignored")
            return
        lane = (offset & 3) * 8
        mask = (((1 << (8 * size)) - 1) << lane) & WORD_MASK
        value = (value << lane) & mask
        writer = self._writers[reg]
        if writer:
            writer(value, index, mask)
        elif self._access[reg] == "w1c":
            self.values[reg][index] &= ~value
        else:
            old = self.values[reg][index]
            self.values[reg][index] = (old & ~mask) | value
