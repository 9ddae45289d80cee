"""Register maps: the one declaration of a peripheral's registers.

A map is data (TOML under platform/peripherals/, or built in Python next to the RTL);
generators turn it into C headers and JSON, and the simulator's models look registers
up in it by name, so that no model or test writes an offset of its own.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DescriptionError
from .schema import Table, array_of_tables, at_least, display_path, entry_label, one_of, optional, positive, required

ACCESS_KINDS = ("rw", "ro", "wo", "w1c", "w1s")


class RegisterMapError(DescriptionError):
    """A register map is malformed (overlaps, unknown keys, fields out of range)."""


# The schema of a register map file (and of its JSON form).
FILE_KEYS = Table({"regmap": required(dict), "register": optional(list, [])})
MAP_KEYS = Table({"name": required(str), "size": required(int, positive), "description": optional(str, "")})
REGISTER_KEYS = Table({
    "name": required(str), "offset": required(int, at_least(0)), "access": optional(str, "rw", one_of(*ACCESS_KINDS)),
    "width": optional(int, 32, one_of(8, 16, 32)), "reset": optional(int, 0, at_least(0)),
    "count": optional(int, 1, at_least(1)), "stride": optional(int, 4, at_least(1)),
    "description": optional(str, ""), "field": optional(list, []),
})
FIELD_KEYS = Table({"name": required(str), "lsb": required(int, at_least(0)), "width": optional(int, 1, at_least(1)),
                    "description": optional(str, ""), "values": optional(dict, {})})


@dataclass(frozen=True)
class Field:
    name: str
    lsb: int
    width: int = 1
    description: str = ""
    values: tuple[tuple[str, int], ...] = ()     # named codes of a multi-valued field

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    def extract(self, value: int) -> int:
        return (value >> self.lsb) & ((1 << self.width) - 1)

    def insert(self, value: int, field_value: int) -> int:
        return (value & ~self.mask) | ((field_value << self.lsb) & self.mask)


@dataclass(frozen=True)
class Register:
    """One register, or an array of `count` registers `stride` bytes apart."""

    name: str
    offset: int
    access: str = "rw"
    width: int = 32
    reset: int = 0
    count: int = 1
    stride: int = 4
    description: str = ""
    fields: tuple[Field, ...] = ()

    @property
    def span(self) -> int:
        return self.stride * (self.count - 1) + self.width // 8

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"register {self.name} has no field {name!r}")

    def offset_of(self, index: int = 0) -> int:
        if not 0 <= index < self.count:
            raise IndexError(f"{self.name}[{index}] out of range (count {self.count})")
        return self.offset + index * self.stride


@dataclass(frozen=True)
class RegisterMap:
    name: str
    size: int
    registers: tuple[Register, ...]
    description: str = ""
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._validate()
        self._by_name.update({r.name: r for r in self.registers})

    def _validate(self) -> None:
        spans = []
        for reg in self.registers:
            if reg.access not in ACCESS_KINDS:
                raise RegisterMapError(f"{self.name}.{reg.name}: access {reg.access!r} not in {ACCESS_KINDS}")
            if reg.width not in (8, 16, 32):
                raise RegisterMapError(f"{self.name}.{reg.name}: width {reg.width} is not 8, 16 or 32")
            if reg.offset % (reg.width // 8):
                raise RegisterMapError(f"{self.name}.{reg.name}: offset {reg.offset:#x} not aligned to its width")
            if reg.offset + reg.span > self.size:
                raise RegisterMapError(f"{self.name}.{reg.name}: extends past the map size {self.size:#x}")
            if not 0 <= reg.reset < 1 << reg.width:
                raise RegisterMapError(f"{self.name}.{reg.name}: reset {reg.reset:#x} does not fit in {reg.width} bits")
            for f in reg.fields:
                if f.lsb < 0 or f.width < 1 or f.lsb + f.width > reg.width:
                    raise RegisterMapError(f"{self.name}.{reg.name}.{f.name}: bits {f.lsb}+{f.width} outside the register")
                for code, value in f.values:
                    if not isinstance(value, int) or not 0 <= value < 1 << f.width:
                        raise RegisterMapError(f"{self.name}.{reg.name}.{f.name}: value {code} = {value!r} "
                                               f"does not fit in {f.width} bits")
            field_names = [f.name for f in reg.fields]
            if len(set(field_names)) != len(field_names):
                raise RegisterMapError(f"{self.name}.{reg.name}: duplicate field names")
            for i in range(reg.count):
                spans.append((reg.offset_of(i), reg.offset_of(i) + reg.width // 8, reg.name))
        spans.sort()
        for (a0, a1, an), (b0, _b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                raise RegisterMapError(f"{self.name}: registers {an} and {bn} overlap at {b0:#x}")
        names = [r.name for r in self.registers]
        if len(set(names)) != len(names):
            raise RegisterMapError(f"{self.name}: duplicate register names")

    @property
    def extent(self) -> int:
        """Bytes from offset 0 to the end of the last register."""
        return max((r.offset + r.span for r in self.registers), default=0)

    def __getitem__(self, name: str) -> Register:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"register map {self.name} has no register {name!r}") from None

    def __iter__(self):
        return iter(self.registers)

    def offset(self, name: str, index: int = 0) -> int:
        return self[name].offset_of(index)

    # -- serialisation -------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict, source: str = "register map") -> "RegisterMap":
        """A map from its file form; `source` (the file) prefixes every message."""
        top = FILE_KEYS.parse(data, source)
        head = MAP_KEYS.parse(top["regmap"], f"{source}: regmap")
        regs = []
        for i, entry in enumerate(array_of_tables(top["register"], source, "register")):
            where = f"{source}: {entry_label('register', entry, i)}"
            r = REGISTER_KEYS.parse(entry, where)
            fields = tuple(
                _field(FIELD_KEYS.parse(f, f"{where} {entry_label('field', f, j)}"))
                for j, f in enumerate(array_of_tables(r.pop("field"), where, "field")))
            regs.append(Register(**r, fields=fields))
        try:
            return cls(name=head["name"], size=head["size"], registers=tuple(regs), description=head["description"])
        except RegisterMapError as exc:
            raise RegisterMapError(f"{source}: {exc}") from None

    def to_dict(self) -> dict:
        def reg_dict(r: Register) -> dict:
            d = {"name": r.name, "offset": r.offset, "access": r.access, "width": r.width,
                 "reset": r.reset, "count": r.count, "stride": r.stride,
                 "description": r.description}
            d["field"] = [{"name": f.name, "lsb": f.lsb, "width": f.width,
                           "description": f.description} | ({"values": dict(f.values)} if f.values else {})
                          for f in r.fields]
            return d
        return {"regmap": {"name": self.name, "size": self.size, "description": self.description},
                "register": [reg_dict(r) for r in self.registers]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> "RegisterMap":
        path = Path(path)
        shown = display_path(path)
        try:
            text = path.read_text()
            data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise RegisterMapError(f"{shown}: {exc}") from None
        except UnicodeDecodeError:
            raise RegisterMapError(f"{shown}: not UTF-8 text") from None
        except OSError as exc:
            raise RegisterMapError(f"{shown}: cannot read ({exc.strerror})") from None
        return cls.from_dict(data, shown)


def _field(parsed: dict) -> Field:
    return Field(**parsed | {"values": tuple(parsed["values"].items())})


def c_identifier(*parts: str) -> str:
    """CSR_<PERIPH>_<REG>_... style macro name."""
    return "_".join(str(p).upper().replace("-", "_") for p in parts)
