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

from .paths import PLATFORM_DIR
from .regmap import RegisterMap

DEFAULT_BOARD = "mps2-an386"

# Background regions (QEMU's "unimplemented device"): a real device inside one wins.
BACKGROUND_MODELS = frozenset({"unimplemented"})


class BoardDescriptionError(ValueError):
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
        return _build(path, _load_merged(path, seen=()))


def available_boards() -> list[str]:
    return sorted(p.stem for p in (PLATFORM_DIR / "boards").glob("*.toml"))


def resolve_board_path(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        if not candidate.is_file():
            raise BoardDescriptionError(f"board file {candidate} does not exist")
        return candidate.resolve()
    path = PLATFORM_DIR / "boards" / f"{name_or_path}.toml"
    if not path.is_file():
        raise BoardDescriptionError(
            f"unknown board {name_or_path!r}; known boards: {', '.join(available_boards())}")
    return path


def _load_merged(path: Path, seen: tuple[Path, ...]) -> dict:
    if path in seen:
        raise BoardDescriptionError(f"include cycle: {' -> '.join(map(str, seen + (path,)))}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise BoardDescriptionError(f"{path}: {exc}") from None
    include = data.pop("include", None)
    if include is None:
        return data
    base = _load_merged((path.parent / include).resolve(), seen + (path,))
    merged = dict(base)
    for key, value in data.items():
        if isinstance(value, list) and isinstance(base.get(key), list):
            merged[key] = base[key] + value
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def load_register_map(ref: str) -> RegisterMap:
    """`name` is platform/peripherals/<name>.toml; `rtl:<core>` is declared in rtl/."""
    if ref.startswith("rtl:"):
        regmaps = importlib.import_module("tlscosim.rtl.regmaps")
        return regmaps.register_map(ref[4:])
    path = PLATFORM_DIR / "peripherals" / f"{ref}.toml"
    if not path.is_file():
        raise BoardDescriptionError(f"register map {ref!r} not found ({path.relative_to(PLATFORM_DIR.parent)})")
    return RegisterMap.load(path)


def _build(path: Path, data: dict) -> BoardDescription:
    where = path.name
    try:
        board, cpu, fw = data["board"], data["cpu"], data["firmware"]
        memories = tuple(
            Memory(name=m["name"], base=int(m["base"]), size=int(m["size"]),
                   access=m.get("access", "rwx"), wait_states=int(m.get("wait_states", 0)),
                   description=m.get("description", ""))
            for m in data.get("memory", []))
        peripherals = tuple(_peripheral(p) for p in data.get("peripheral", []))
        desc = BoardDescription(
            name=board["name"], description=board.get("description", ""),
            clock_hz=int(board["clock_hz"]),
            cpu=Cpu(model=cpu["model"], isa=cpu.get("isa", "armv7e-m"), fpu=bool(cpu.get("fpu", False)),
                    nvic_irq_lines=int(cpu["nvic_irq_lines"]),
                    nvic_priority_bits=int(cpu["nvic_priority_bits"]),
                    vtor_reset=int(cpu.get("vtor_reset", 0))),
            memories=memories, peripherals=peripherals,
            firmware_code=fw["code"], firmware_data=fw["data"],
            qemu_machine=board.get("qemu_machine"), source=path)
    except KeyError as exc:
        raise BoardDescriptionError(f"{where}: missing key {exc}") from None
    _validate(desc, where)
    return desc


def _peripheral(p: dict) -> Peripheral:
    irq = p.get("irq")
    if irq is None:
        irqs = {}
    elif isinstance(irq, int):
        irqs = {"irq": irq}
    else:
        irqs = {k: int(v) for k, v in irq.items()}
    regs = p.get("registers")
    known = {"name", "model", "base", "size", "irq", "registers"}
    return Peripheral(name=p["name"], model=p["model"], base=int(p["base"]), size=int(p["size"]),
                      irqs=irqs, regmap=load_register_map(regs) if regs else None,
                      options={k: v for k, v in p.items() if k not in known})


def _validate(desc: BoardDescription, where: str) -> None:
    names = [m.name for m in desc.memories] + [p.name for p in desc.peripherals]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise BoardDescriptionError(f"{where}: duplicate names {sorted(dupes)}")
    for m in desc.memories:
        if set(m.access) - set("rwx"):
            raise BoardDescriptionError(f"{where}: memory {m.name}: access {m.access!r} is not a subset of 'rwx'")
        if m.wait_states < 0:
            raise BoardDescriptionError(f"{where}: memory {m.name}: negative wait states")
    foreground = [(m.base, m.end, f"memory {m.name}") for m in desc.memories]
    foreground += [(p.base, p.end, f"peripheral {p.name}") for p in desc.peripherals if not p.is_background]
    foreground.sort()
    for (a0, a1, an), (b0, _b1, bn) in zip(foreground, foreground[1:]):
        if b0 < a1:
            raise BoardDescriptionError(f"{where}: {an} and {bn} overlap at {b0:#010x}")
    for p in desc.peripherals:
        if p.regmap is not None and p.regmap.extent > p.size:
            raise BoardDescriptionError(f"{where}: peripheral {p.name}: registers extend past its "
                                        f"{p.size:#x}-byte window")
        for line, irq in p.irqs.items():
            if not 0 <= irq < desc.cpu.nvic_irq_lines:
                raise BoardDescriptionError(f"{where}: peripheral {p.name}: irq {line}={irq} outside 0..{desc.cpu.nvic_irq_lines - 1}")
    for role, name in (("code", desc.firmware_code), ("data", desc.firmware_data)):
        if name not in {m.name for m in desc.memories}:
            raise BoardDescriptionError(f"{where}: firmware.{role} names unknown memory {name!r}")
