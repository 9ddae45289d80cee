"""Board descriptions: platform/ TOML resolved into one validated object.

A board file `include`s a SoC file; tables are merged (board keys win) and the
`memory`/`peripheral` lists are concatenated. Register maps are resolved here, so every
consumer (simulator, linker-script and header generators, docs) sees the same data.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import DescriptionError
from .paths import PLATFORM_DIR
from .regmap import RegisterMap
from .schema import (Table, array_of_tables, display_path, entry_label, kib_address, kib_size, one_of,
                     optional, positive, required, subset_of, within)

DEFAULT_BOARD = "mps2-an386"

# Background regions (QEMU's "unimplemented device"): a real device inside one wins.
BACKGROUND_MODELS = frozenset({"unimplemented"})


class BoardDescriptionError(DescriptionError):
    """The platform description is inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Memory:
    name: str
    base: int
    size: int
    access: str = "rwx"
    wait_states: int = 0
    description: str = ""

    @property
    def end(self) -> int:
        return self.base + self.size

    def contains(self, addr: int, length: int = 1) -> bool:
        return self.base <= addr and addr + length <= self.end


@dataclass(frozen=True)
class Peripheral:
    name: str
    model: str
    base: int
    size: int
    irqs: dict[str, int] = field(default_factory=dict)
    regmap: RegisterMap | None = None
    options: dict = field(default_factory=dict)

    @property
    def end(self) -> int:
        return self.base + self.size

    @property
    def irq(self) -> int | None:
        """The single interrupt line of a one-line peripheral."""
        if not self.irqs:
            return None
        if len(self.irqs) != 1:
            raise BoardDescriptionError(f"peripheral {self.name} has several irq lines: {sorted(self.irqs)}")
        return next(iter(self.irqs.values()))

    @property
    def is_background(self) -> bool:
        return self.model in BACKGROUND_MODELS


@dataclass(frozen=True)
class Cpu:
    model: str
    isa: str
    fpu: bool
    nvic_irq_lines: int
    nvic_priority_bits: int
    vtor_reset: int = 0


@dataclass(frozen=True)
class BoardDescription:
    name: str
    description: str
    clock_hz: int
    cpu: Cpu
    memories: tuple[Memory, ...]
    peripherals: tuple[Peripheral, ...]
    firmware_code: str
    firmware_data: str
    qemu_machine: str | None
    source: Path

    def memory(self, name: str) -> Memory:
        for m in self.memories:
            if m.name == name:
                return m
        raise KeyError(f"board {self.name} has no memory {name!r}")

    def peripheral(self, name: str) -> Peripheral:
        for p in self.peripherals:
            if p.name == name:
                return p
        raise KeyError(f"board {self.name} has no peripheral {name!r}")

    def peripherals_of(self, model: str) -> list[Peripheral]:
        return [p for p in self.peripherals if p.model == model]

    @property
    def code_memory(self) -> Memory:
        return self.memory(self.firmware_code)

    @property
    def data_memory(self) -> Memory:
        return self.memory(self.firmware_data)

    def memory_at(self, addr: int, length: int = 1) -> Memory | None:
        for m in self.memories:
            if m.contains(addr, length):
                return m
        return None

    @classmethod
    def load(cls, name_or_path: str | Path = DEFAULT_BOARD) -> "BoardDescription":
        path = resolve_board_path(name_or_path)
        return _build(path, _load_merged(path))


def available_boards() -> list[str]:
    return sorted(p.stem for p in (PLATFORM_DIR / "boards").glob("*.toml"))


def resolve_board_path(name_or_path: str | Path) -> Path:
    try:
        return _resolve_board_path(name_or_path)
    except OSError as exc:       # a name too long, a loop of links, ...
        raise BoardDescriptionError(f"board {str(name_or_path)!r}: {exc.strerror}") from None


def _resolve_board_path(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        if not candidate.is_file():
            raise BoardDescriptionError(f"board file {candidate} does not exist")
        return candidate.resolve()
    path = PLATFORM_DIR / "boards" / f"{name_or_path}.toml"
    if not path.is_file():
        known = available_boards()
        raise BoardDescriptionError(f"unknown board {str(name_or_path)!r}{schema.close_match(str(name_or_path), known)}; "
                                    f"known boards: {', '.join(known)}")
    return path


# -- the schema of a board or SoC file --------------------------------------------------------

# The simulator is a Cortex-M4 (its cycle model is the M4's).
CPU_MODELS = ("cortex-m4",)
# ARMv7-M: up to 496 external interrupts; at least 3 priority bits (B1.5.4).
MAX_IRQ_LINES = 496
# Real memories need a handful; far more is a mistake (and a cycle model no one meant).
MAX_WAIT_STATES = 1000

FILE_KEYS = Table({
    "include": optional(str), "board": optional(dict), "cpu": optional(dict), "firmware": optional(dict),
    "memory": optional(list), "peripheral": optional(list),
})
BOARD_KEYS = Table({
    "name": required(str), "description": optional(str, ""), "clock_hz": required(int, positive),
    "qemu_machine": optional(str),
})
CPU_KEYS = Table({
    "model": required(str, one_of(*CPU_MODELS)), "isa": optional(str, "armv7e-m", one_of("armv7e-m")),
    "fpu": optional(bool, False), "nvic_irq_lines": required(int, within(1, MAX_IRQ_LINES)),
    "nvic_priority_bits": required(int, within(3, 8)), "vtor_reset": optional(int, 0, schema.address),
})
FIRMWARE_KEYS = Table({"code": required(str), "data": required(str)})
MEMORY_KEYS = Table({
    "name": required(str), "description": optional(str, ""), "base": required(int, kib_address),
    "size": required(int, kib_size), "access": optional(str, "rwx", subset_of("rwx")),
    "wait_states": optional(int, 0, within(0, MAX_WAIT_STATES)),
})


def _irq_lines(key, value):
    lines = value if isinstance(value, dict) else {None: value}
    if not lines:
        return f"{key} = {{}} names no line"
    for line, irq in lines.items():
        name = key if line is None else f"{key}.{line}"
        if type(irq) is not int:
            return f"{name} must be an integer, not {schema.type_name(irq)} ({irq!r})"
        if not 0 <= irq < MAX_IRQ_LINES:
            return f"{name} must be in 0..{MAX_IRQ_LINES - 1}, not {irq}"
    return None


PERIPHERAL_KEYS = Table({
    "name": required(str), "description": optional(str, ""), "model": required(str),
    "base": required(int, schema.address), "size": required(int, positive),
    "irq": optional((int, dict), None, _irq_lines), "registers": optional(str),
})
TABLES = {"board": BOARD_KEYS, "cpu": CPU_KEYS, "firmware": FIRMWARE_KEYS}


@dataclass
class _Merged:
    """What a board file and its includes say, checked file by file: the tables (merged,
    the including file's keys win) and the entries of each array, with their file."""

    tables: dict[str, dict] = field(default_factory=dict)
    memories: list[tuple[str, dict]] = field(default_factory=list)
    peripherals: list[tuple[str, dict]] = field(default_factory=list)


def _read_toml(path: Path, shown: str) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise BoardDescriptionError(f"{shown}: {exc}") from None
    except UnicodeDecodeError:
        raise BoardDescriptionError(f"{shown}: not UTF-8 text") from None
    except OSError as exc:
        raise BoardDescriptionError(f"{shown}: cannot read ({exc.strerror})") from None


def _load_merged(path: Path, chain: tuple[Path, ...] = ()) -> _Merged:
    shown = display_path(path)
    data = FILE_KEYS.parse(_read_toml(path, shown), shown, complete=False)
    include = data.get("include")
    if include is None:
        merged = _Merged()
    else:
        target = (path.parent / include).resolve()
        if target in chain + (path,):
            cycle = " -> ".join(display_path(p) for p in chain + (path, target))
            raise BoardDescriptionError(f"{shown}: include = {include!r} makes a cycle: {cycle}")
        try:
            problem = None if target.is_file() else "is a folder, not a file" if target.is_dir() else "no such file"
        except OSError as exc:       # a name too long, ...
            problem = exc.strerror
        if problem:
            raise BoardDescriptionError(f"{shown}: include = {include!r}: {problem} ({display_path(target)})")
        merged = _load_merged(target, chain + (path,))
    for name, table in TABLES.items():
        if name in data:
            values = table.parse(data[name], f"{shown}: {name}", complete=False)
            merged.tables[name] = {**merged.tables.get(name, {}), **values}
    for i, entry in enumerate(array_of_tables(data.get("memory", []), shown, "memory")):
        merged.memories.append((shown, MEMORY_KEYS.parse(entry, f"{shown}: {entry_label('memory', entry, i)}")))
    for i, entry in enumerate(array_of_tables(data.get("peripheral", []), shown, "peripheral")):
        merged.peripherals.append((shown, _peripheral_entry(entry, f"{shown}: {entry_label('peripheral', entry, i)}")))
    return merged


def _peripheral_entry(entry, where: str) -> dict:
    """The entry's common keys plus the options its model declares."""
    from tlscosim.sim.board.peripherals import known_models

    models = known_models()
    model = entry.get("model") if type(entry) is dict else None
    if type(model) is not str:
        model = None              # the schema reports it (missing, or not a string)
    elif model not in models:
        raise BoardDescriptionError(f"{where}: model = {model!r} is not a known model"
                                    f"{schema.close_match(model, models)}; known: {', '.join(sorted(models))}")
    options = getattr(models.get(model), "OPTIONS", {})
    values = PERIPHERAL_KEYS.parse(entry, where, extra=options)
    if values["registers"] is not None:
        values["regmap"] = load_register_map(values["registers"], where)
    return values


def load_register_map(ref: str, where: str = "") -> RegisterMap:
    """`name` is platform/peripherals/<name>.toml; `rtl:<core>` is declared in rtl/."""
    prefix = f"{where}: registers = {ref!r}: " if where else f"register map {ref!r}: "
    if ref.startswith("rtl:"):
        regmaps = importlib.import_module("tlscosim.rtl.regmaps")
        try:
            return regmaps.register_map(ref[4:])
        except KeyError as exc:
            raise BoardDescriptionError(prefix + exc.args[0]) from None
    path = PLATFORM_DIR / "peripherals" / f"{ref}.toml"
    if not path.is_file():
        raise BoardDescriptionError(prefix + f"no such register map ({display_path(path)})")
    return RegisterMap.load(path)


def _table(merged: _Merged, name: str, shown: str) -> dict:
    if name not in merged.tables:
        raise BoardDescriptionError(f"{shown}: missing table [{name}]")
    return TABLES[name].parse(merged.tables[name], f"{shown}: {name}")


def _build(path: Path, merged: _Merged) -> BoardDescription:
    shown = display_path(path)
    board, cpu, fw = (_table(merged, name, shown) for name in ("board", "cpu", "firmware"))
    memories = [(where, Memory(**{k: v[k] for k in ("name", "base", "size", "access", "wait_states", "description")}))
                for where, v in merged.memories]
    peripherals = [(where, _peripheral(v)) for where, v in merged.peripherals]
    desc = BoardDescription(
        name=board["name"], description=board["description"], clock_hz=board["clock_hz"],
        cpu=Cpu(**cpu), memories=tuple(m for _, m in memories), peripherals=tuple(p for _, p in peripherals),
        firmware_code=fw["code"], firmware_data=fw["data"], qemu_machine=board["qemu_machine"], source=path)
    _validate(desc, shown, memories, peripherals)
    return desc


def _peripheral(v: dict) -> Peripheral:
    irq = v["irq"]
    irqs = {} if irq is None else {"irq": irq} if isinstance(irq, int) else dict(irq)
    common = set(PERIPHERAL_KEYS.keys) | {"regmap"}
    return Peripheral(name=v["name"], model=v["model"], base=v["base"], size=v["size"], irqs=irqs,
                      regmap=v.get("regmap"), options={k: x for k, x in v.items() if k not in common})


def _validate(desc: BoardDescription, shown: str, memories, peripherals) -> None:
    names = [m.name for m in desc.memories] + [p.name for p in desc.peripherals]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BoardDescriptionError(f"{shown}: duplicate names {dupes}")
    windows = [(where, f"memory {m.name!r}", m) for where, m in memories]
    windows += [(where, f"peripheral {p.name!r}", p) for where, p in peripherals]
    for where, what, item in windows:
        if item.end > schema.ADDRESS_LIMIT:
            raise BoardDescriptionError(f"{where}: {what} ends at {item.end:#x}, past the 32-bit address space")
    foreground = sorted(((item.base, item.end, where, what) for where, what, item in windows
                         if not getattr(item, "is_background", False)))
    for (a0, a1, aw, an), (b0, b1, bw, bn) in zip(foreground, foreground[1:]):
        if b0 < a1:
            other = an if aw == bw else f"{an} of {aw}"
            raise BoardDescriptionError(f"{bw}: {bn} ({b0:#010x}-{b1:#010x}) overlaps {other} "
                                        f"({a0:#010x}-{a1:#010x})")
    lines = desc.cpu.nvic_irq_lines
    for where, p in peripherals:
        if p.regmap is not None and p.regmap.extent > p.size:
            raise BoardDescriptionError(f"{where}: peripheral {p.name!r}: its registers ({p.regmap.name}, "
                                        f"{p.regmap.extent:#x} bytes) do not fit its {p.size:#x}-byte window")
        for line, irq in p.irqs.items():
            if irq >= lines:
                name = "irq" if line == "irq" else f"irq.{line}"
                raise BoardDescriptionError(f"{where}: peripheral {p.name!r}: {name} = {irq} is not below "
                                            f"cpu.nvic_irq_lines ({lines})")
    by_name = {m.name: m for m in desc.memories}
    for role, name, needs in (("code", desc.firmware_code, "x"), ("data", desc.firmware_data, "w")):
        if name not in by_name:
            raise BoardDescriptionError(f"{shown}: firmware.{role} = {name!r} names no memory"
                                        f"{schema.close_match(name, by_name)}; memories: {', '.join(by_name)}")
        if needs not in by_name[name].access:
            raise BoardDescriptionError(f"{shown}: firmware.{role} = {name!r}: memory {name!r} has access "
                                        f"{by_name[name].access!r}, without {needs!r}")
    _validate_vtor(desc, shown)


def _validate_vtor(desc: BoardDescription, shown: str) -> None:
    vtor = desc.cpu.vtor_reset
    scs = [p for p in desc.peripherals if p.model == "scs" and p.regmap is not None]
    if scs:
        tbloff = scs[0].regmap["VTOR"].field("TBLOFF")
        if vtor & ~tbloff.mask:
            raise BoardDescriptionError(f"{shown}: cpu.vtor_reset = {vtor:#x} is not a multiple of "
                                        f"{1 << tbloff.lsb:#x} (VTOR.TBLOFF starts at bit {tbloff.lsb})")
    if desc.memory_at(vtor, 8) is None:
        raise BoardDescriptionError(f"{shown}: cpu.vtor_reset = {vtor:#010x} is in no memory")
