"""A small declarative schema for the TOML descriptions (boards, SoCs, register maps).

Each table lists the keys it may hold: type, default, and a range check. Parsing a
table rejects unknown keys (suggesting the close match: a misspelt `wait_state` must not
be silently ignored), wrong types and out-of-range values, with a message naming the
file, the entry and the key. Ours rather than a validation library's: the messages are
part of the interface (tests pin them whole), and the checks (1 KiB granularity, 32-bit
addresses, close-match suggestions) are specific to these files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import DescriptionError
from .paths import ROOT

# A check gets the key and its (well-typed) value; it returns what is wrong, or None.
Check = Callable[[str, object], "str | None"]

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
               dict: "a table", list: "an array"}


def type_name(value) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return f"a {type(value).__name__}"


def display_path(path: Path) -> str:
    """A file as messages show it: relative to the checkout when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def close_match(word: str, known) -> str:
    """' (did you mean 'x'?)' for the closest known word, or ''."""
    found = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    required: bool = False
    default: object = None
    check: Check | None = None

    def accepts(self, value) -> bool:
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        # TOML booleans are Python ints: an integer key must not take `true`.
        return any(type(value) is k or (k is float and type(value) is int) for k in kinds)

    def expected(self) -> str:
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        return " or ".join(_TYPE_NAMES[k] for k in kinds)


def required(kind, check: Check | None = None) -> Key:
    return Key(kind, required=True, check=check)


def optional(kind, default=None, check: Check | None = None) -> Key:
    return Key(kind, default=default, check=check)


class Table:
    """The keys one kind of table may hold."""

    def __init__(self, keys: dict[str, Key]):
        self.keys = keys

    def parse(self, data, where: str, *, complete: bool = True, extra: dict[str, Key] | None = None) -> dict:
        """The table's values with defaults filled in. `where` prefixes every message
        ('file: entry'); `complete=False` checks only the keys present (a table that a
        later file may complete); `extra` adds keys (e.g. a device model's options)."""
        keys = {**self.keys, **(extra or {})}
        if type(data) is not dict:
            raise DescriptionError(f"{where} must be a table, not {type_name(data)} ({data!r})")
        for key in data:
            if key not in keys:
                raise DescriptionError(f"{where}: unknown key {key!r}{close_match(key, keys)}")
        values = {}
        for key, spec in keys.items():
            if key not in data:
                if spec.required and complete:
                    raise DescriptionError(f"{where}: missing key {key!r}")
                if complete:
                    values[key] = spec.default
                continue
            value = data[key]
            if not spec.accepts(value):
                raise DescriptionError(f"{where}: {key} must be {spec.expected()}, "
                                       f"not {type_name(value)} ({value!r})")
            if spec.check is not None:
                problem = spec.check(key, value)
                if problem:
                    raise DescriptionError(f"{where}: {problem}")
            values[key] = value
        return values


def entry_label(kind: str, data, index: int) -> str:
    """'memory 'ssram1'' for a named entry of an array of tables, 'memory #2' otherwise."""
    name = data.get("name") if type(data) is dict else None
    return f"{kind} {name!r}" if type(name) is str else f"{kind} #{index + 1}"


def array_of_tables(value, where: str, kind: str) -> list:
    if type(value) is not list:
        raise DescriptionError(f"{where}: {kind} must be an array of tables ([[{kind}]]), "
                               f"not {type_name(value)} ({value!r})")
    return value


# -- checks ---------------------------------------------------------------------------------

KIB = 0x400
ADDRESS_LIMIT = 1 << 32


def positive(key, value):
    return None if value > 0 else f"{key} must be greater than 0, not {value}"


def at_least(low: int) -> Check:
    def check(key, value):
        return None if value >= low else f"{key} must be at least {low}, not {value}"
    return check


def within(low: int, high: int) -> Check:
    def check(key, value):
        return None if low <= value <= high else f"{key} must be in {low}..{high}, not {value}"
    return check


def one_of(*choices) -> Check:
    def check(key, value):
        if value in choices:
            return None
        suggest = isinstance(value, str) and len(choices) > 1
        return (f"{key} = {value!r} is not one of {', '.join(map(repr, choices))}"
                + (close_match(value, choices) if suggest else ""))
    return check


def subset_of(letters: str) -> Check:
    def check(key, value):
        if value and not set(value) - set(letters):
            return None
        return f"{key} = {value!r} must be a non-empty subset of {letters!r}"
    return check


def address(key, value):
    if 0 <= value < ADDRESS_LIMIT:
        return None
    return f"{key} = {value:#x} is not a 32-bit address (0..{ADDRESS_LIMIT - 1:#x})"


def kib_address(key, value):
    """A memory base: Unicorn maps ARM memory in 1 KiB pages."""
    if problem := address(key, value):
        return problem
    return None if value % KIB == 0 else f"{key} = {value:#x} is not a multiple of 1 KiB ({KIB:#x})"


def kib_size(key, value):
    if value > 0 and value % KIB == 0:
        return None
    return f"{key} = {value:#x} is not a positive multiple of 1 KiB ({KIB:#x})"
