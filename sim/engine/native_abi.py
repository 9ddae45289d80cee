"""The structures and numbers the native hooks share with Python, read from their one C
header (native/tcs_abi.h) rather than mirrored by hand.

The header lists every shared structure and constant as X-macros (FIELD/ARRAY/CONSTANT
lines). This module parses those lists into ctypes structures and integer constants, and
checks a loaded library against them: each library exports, through tcs_abi_items(), the
layout its compiler gave the same lists, so a library built from another version of the
header (or a ctypes layout that differs from the C compiler's) is refused at load with
the fields that differ, never discovered as corrupted counters later.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from tlscosim.errors import UserError

HEADER = Path(__file__).with_name("native") / "tcs_abi.h"

C_TYPES = {
    "uint32_t": ctypes.c_uint32,
    "int32_t": ctypes.c_int32,
    "uint64_t": ctypes.c_uint64,
    "int64_t": ctypes.c_int64,
}

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MACRO = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)(.*)$", re.M)
_INTEGER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|\d+)")
_CALL = re.compile(r"(\w+)\s*\(([^()]*)\)")


class NativeLayoutError(UserError):
    """The shared header cannot be read, or a native library does not match it."""


class _Item(ctypes.Structure):
    """tcs_abi_item: one row of a library's layout table."""

    _fields_ = [("scope", ctypes.c_char_p), ("field", ctypes.c_char_p),
                ("value", ctypes.c_int64), ("size", ctypes.c_int64)]


@dataclass(frozen=True)
class Abi:
    header: Path
    constants: dict[str, int]
    structures: dict[str, type[ctypes.Structure]]

    def constant(self, name: str) -> int:
        return self.constants[name]

    def structure(self, name: str) -> type[ctypes.Structure]:
        return self.structures[name]

    def group(self, prefix: str) -> SimpleNamespace:
        """The constants named prefix + X, as attributes X (TCS_STOP_DEADLINE -> .DEADLINE)."""
        members = {name[len(prefix):]: value for name, value in self.constants.items()
                   if name.startswith(prefix)}
        if not members:
            raise NativeLayoutError(f"{self.header.name}: no constant is named {prefix}*")
        return SimpleNamespace(**members)

    def layout(self) -> dict[tuple[str, str | None], tuple[int, int]]:
        """(structure, field) -> (offset, size), and (structure, None) -> (size, 0), as
        ctypes lays the structures out."""
        rows: dict[tuple[str, str | None], tuple[int, int]] = {}
        for name, cls in self.structures.items():
            rows[(name, None)] = (ctypes.sizeof(cls), 0)
            for field, _ in cls._fields_:
                descriptor = getattr(cls, field)
                rows[(name, field)] = (descriptor.offset, descriptor.size)
        return rows

    def verify(self, lib: ctypes.CDLL, library_name: str) -> None:
        """Raises NativeLayoutError unless `lib` was built from this header's lists and its
        compiler laid the structures out as ctypes does."""
        try:
            items_of = lib.tcs_abi_items
        except AttributeError:
            raise NativeLayoutError(f"native library {library_name} has no layout table "
                                    f"(tcs_abi_items): it was not built with {self.header.name}") from None
        items_of.restype = ctypes.POINTER(_Item)
        items_of.argtypes = [ctypes.POINTER(ctypes.c_uint32)]
        count = ctypes.c_uint32()
        table = items_of(ctypes.byref(count))
        constants: dict[str, int] = {}
        layout: dict[tuple[str, str | None], tuple[int, int]] = {}
        for row in table[:count.value]:
            field = row.field.decode() if row.field else None
            if row.scope is None:
                constants[field] = row.value
            else:
                layout[(row.scope.decode(), field)] = (row.value, row.size)
        differences = (_differences("constant", constants, self.constants, _describe_constant)
                       + _differences("layout", layout, self.layout(), _describe_layout))
        if differences:
            raise NativeLayoutError(
                f"native library {library_name} does not match {self.header.name} "
                f"(it was built from another version of the header):\n"
                + "\n".join(f"  {line}" for line in differences))


def _describe_constant(name: str, value: int | None) -> str:
    return "missing" if value is None else str(value)


def _describe_layout(key: tuple[str, str | None], value: tuple[int, int] | None) -> str:
    if value is None:
        return "missing"
    if key[1] is None:
        return f"size {value[0]}"
    return f"offset {value[0]}, size {value[1]}"


def _differences(kind, library: dict, header: dict, describe) -> list[str]:
    lines = []
    for key in [*header, *(k for k in library if k not in header)]:
        got, want = library.get(key), header.get(key)
        if got != want:
            name = key if kind == "constant" else ".".join(part for part in key if part)
            lines.append(f"{name}: {describe(key, got)} in the library, {describe(key, want)} in the header")
    return lines


def _macro_bodies(text: str) -> dict[str, tuple[list[str], str]]:
    """Function-like macros: name -> (parameters, body), comments removed, lines joined."""
    joined = _COMMENT.sub(" ", text).replace("\\\n", " ")
    return {m.group(1): ([p.strip() for p in m.group(2).split(",")], m.group(3))
            for m in _MACRO.finditer(joined)}


def _integer(header: Path, text: str, constants: dict[str, int], where: str) -> int:
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text, 0)
    if text in constants:
        return constants[text]
    raise NativeLayoutError(f"{header.name}: {where}: {text!r} is not an integer literal or a constant")


def _calls(body: str, allowed: set[str], header: Path, list_name: str) -> list[tuple[str, list[str]]]:
    calls = [(m.group(1), [a.strip() for a in m.group(2).split(",")]) for m in _CALL.finditer(body)]
    for name, _ in calls:
        if name not in allowed:
            raise NativeLayoutError(f"{header.name}: {list_name} uses {name}(...); "
                                    f"expected only {', '.join(sorted(allowed))}")
    return calls


def parse_header(header: Path) -> Abi:
    """Reads the X-macro lists of a tcs_abi.h into ctypes structures and constants."""
    try:
        macros = _macro_bodies(header.read_text())
    except OSError as exc:
        raise NativeLayoutError(f"cannot read {header}: {exc.strerror}") from None
    for required in ("TCS_CONSTANTS", "TCS_STRUCTS"):
        if required not in macros:
            raise NativeLayoutError(f"{header.name}: no {required}(...) list")
    constants: dict[str, int] = {}
    for _, args in _calls(macros["TCS_CONSTANTS"][1], {"CONSTANT"}, header, "TCS_CONSTANTS"):
        if len(args) != 2:
            raise NativeLayoutError(f"{header.name}: TCS_CONSTANTS: CONSTANT({', '.join(args)}) "
                                    f"needs a name and a value")
        constants[args[0]] = _integer(header, args[1], constants, f"constant {args[0]}")
    structures: dict[str, type[ctypes.Structure]] = {}
    for _, args in _calls(macros["TCS_STRUCTS"][1], {"STRUCT"}, header, "TCS_STRUCTS"):
        if len(args) != 2 or args[1] not in macros:
            raise NativeLayoutError(f"{header.name}: TCS_STRUCTS: STRUCT({', '.join(args)}) "
                                    f"does not name a structure and its field list")
        structures[args[0]] = _structure(header, args[0], args[1], macros[args[1]][1], constants)
    return Abi(header, constants, structures)


def _structure(header: Path, name: str, list_name: str, body: str, constants) -> type[ctypes.Structure]:
    fields = []
    for kind, args in _calls(body, {"FIELD", "ARRAY"}, header, list_name):
        arity = 3 if kind == "FIELD" else 4
        if len(args) != arity or args[1] not in C_TYPES:
            raise NativeLayoutError(f"{header.name}: {list_name}: {kind}({', '.join(args)}): expected "
                                    f"{kind}(S, type, name{', count' if kind == 'ARRAY' else ''}) with a "
                                    f"type among {', '.join(C_TYPES)}")
        ctype = C_TYPES[args[1]]
        if kind == "ARRAY":
            ctype = ctype * _integer(header, args[3], constants, f"{name}.{args[2]}")
        fields.append((args[2], ctype))
    return type(name, (ctypes.Structure,), {"_fields_": fields, "__doc__": f"{name} ({header.name})"})


@lru_cache(maxsize=None)
def shared_abi() -> Abi:
    """The project's header, parsed once."""
    return parse_header(HEADER)
