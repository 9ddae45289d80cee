"""Cycle-weighted profiler: where the firmware's cycles and instructions go, per function,
flat and inclusive, from the ELF's symbols (docs/profiler.md).

Two sources, both exact:
- the flat profile comes from the accounting hook's block table: each decoded block's
  per-instruction costs times its execution count, each instruction symbolised on its own
  (so a block straddling two functions is split), plus what the table does not hold per
  block, which the native profiler books per function as it happens (pipeline refills,
  run-time cost corrections, fault rollbacks); sleep and exception entry/return overhead
  are pseudo-entries. The rows sum to the run's cycles and instructions.
- the inclusive profile comes from a calling-context tree kept by a native observer
  (native/profilehook.c): a shadow call stack driven by each block's call/return flow,
  with a synthetic frame per exception. No Python runs per block; Python runs at exception
  entry and return only.

Usage: `Profiler.attach(sim)` before `sim.run()`, then `report()` or `write(path)`.
"""

from __future__ import annotations

import bisect
import ctypes
import json
import struct
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..engine import native, profile_native
from ..architecture.nvic import Exc
from ..engine.profile_native import KEY_EXC_BASE, KEY_EXC_COUNT, KEY_ROOT, KEY_SLEEP, KEY_UNKNOWN

SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json"
SLEEP = "[sleep]"
EXCEPTION_OVERHEAD = "[exception entry/return]"
UNKNOWN = "[unknown]"
OTHER = "[other]"
ROOT = "[root]"
DEFAULT_MAX_DEPTH = 512
DEFAULT_NODE_LIMIT = 1 << 22
CALL_TREE_MIN_FRACTION = 0.005    # call tree in the text file: contexts of at least 0.5 %
_SYSTEM_EXCEPTIONS = {Exc.NMI: "NMI", Exc.HARDFAULT: "HardFault", Exc.MEMMANAGE: "MemManage",
                      Exc.BUSFAULT: "BusFault", Exc.USAGEFAULT: "UsageFault", Exc.SVCALL: "SVCall",
                      Exc.DEBUGMONITOR: "DebugMonitor", Exc.PENDSV: "PendSV", Exc.SYSTICK: "SysTick"}


def exception_frame_name(exc: int) -> str:
    """"[exception 15 SysTick]", "[exception 46 IRQ30]": the synthetic frame of an exception."""
    label = f"IRQ{exc - Exc.IRQ0}" if exc >= Exc.IRQ0 else _SYSTEM_EXCEPTIONS.get(exc, "reserved")
    return f"[exception {exc} {label}]"


@dataclass(frozen=True)
class FunctionRow:
    """One function (or pseudo-entry) of the flat profile."""

    name: str
    address: int | None        # symbol address; None for pseudo-entries
    self_cycles: int
    self_instructions: int
    inclusive_cycles: int      # from the call tree, recursion counted once; at least self
    calls: int                 # calls and tail calls seen by the call tree

    @property
    def cycles_per_instruction(self) -> float | None:
        return self.self_cycles / self.self_instructions if self.self_instructions else None


@dataclass(frozen=True)
class ExceptionRow:
    number: int
    name: str                  # the synthetic frame's name
    entries: int
    overhead_cycles: int       # entry and return (tail-chaining included)
    inclusive_cycles: int      # overhead plus the handler and what it called


@dataclass(frozen=True)
class CallNode:
    """One calling context: a path of frames from the root."""

    id: int
    parent: int | None         # None for the root
    name: str
    address: int | None        # symbol address; None for synthetic frames
    key: int                   # function key (symbol address or a profile_native.KEY_* value)
    calls: int
    self_cycles: int
    self_instructions: int
    total_cycles: int          # self plus all descendants
    total_instructions: int


@dataclass
class ProfileReport:
    elf: str
    total_cycles: int
    total_instructions: int
    sleep_cycles: int
    exception_cycles: int
    functions: list[FunctionRow]          # flat profile, by self cycles, largest first
    exceptions: list[ExceptionRow]
    nodes: list[CallNode]                 # the calling-context tree; nodes[0] is the root
    notes: list[str] = field(default_factory=list)

    def function(self, name: str) -> FunctionRow:
        for row in self.functions:
            if row.name == name:
                return row
        raise KeyError(f"no function {name!r} in the profile")

    def contexts(self, name: str) -> list[CallNode]:
        return [n for n in self.nodes if n.name == name]

    def children(self, node: CallNode) -> list[CallNode]:
        return [n for n in self.nodes if n.parent == node.id]

    def stack(self, node: CallNode) -> list[str]:
        """Frame names from the outermost to `node`."""
        names = []
        while node.parent is not None:
            names.append(node.name)
            node = self.nodes[node.parent]
        return names[::-1]


class Profiler:
    """Attached to a Simulation before it runs; reads out at any time after."""

    def __init__(self, sim, max_depth: int = DEFAULT_MAX_DEPTH, node_limit: int = DEFAULT_NODE_LIMIT):
        self._sim = sim
        self._core = sim.core
        self._acct = sim.acct
        self._keys = FunctionKeys(sim.firmware.symbols)
        self._lib = profile_native.load_library()
        self._key_callback = profile_native.KEY_CALLBACK(self._key_callback_impl)   # kept alive here
        sh = self._acct.shared
        base = ctypes.addressof(sh)
        field_address = lambda name: base + getattr(native.SharedCounters, name).offset
        self._start_cycles = sh.cycles
        self._state = self._lib.prof_new(
            field_address("refill_cycles"), field_address("site_cpi"), field_address("site_lsu"),
            self._key_callback, max_depth, node_limit, sh.cycles, self._acct.instructions,
            self._core.sleep_cycles)
        if not self._state:
            raise MemoryError("native profiler allocation failed")
        self._exc_seen = self._core.exception_cycles
        self._last_return: tuple[int, int] | None = None   # (node, cycles) of the last return
        self._acct.set_observer(profile_native.observer_address(), self._state)
        self._core.observers.append(self)

    @classmethod
    def attach(cls, sim, **options) -> "Profiler":
        return cls(sim, **options)

    def detach(self) -> None:
        """Stops profiling and frees the native state (reports made before stay valid)."""
        if self._state:
            self._acct.set_observer(None, None)
            if self in self._core.observers:
                self._core.observers.remove(self)
            self._lib.prof_free(self._state)
            self._state = None

    # -- symbols (called from C once per new block address) --------------------------------

    def _key_callback_impl(self, address: int, lo, hi) -> int:
        try:
            key, lo[0], hi[0] = self._keys.interval(address)
            return key
        except Exception:  # noqa: BLE001 - a ctypes callback must not raise
            lo[0], hi[0] = address, address + 1
            return KEY_UNKNOWN

    # -- core observer -------------------------------------------------------------------------

    def _exception_delta(self) -> int:
        now = self._core.exception_cycles
        delta, self._exc_seen = now - self._exc_seen, now
        return delta

    def on_exception_entry(self, exc: int, return_address: int) -> None:
        if not self._state:
            return
        raw = self._exception_delta()
        overhead = raw
        if raw < 0 and self._last_return is not None:
            # Tail-chained: the previous return's cycles were replaced by the chain's.
            node, cycles = self._last_return
            self._lib.prof_add_cycles(self._state, node, -cycles)
            overhead += cycles
        self._last_return = None
        now = self._acct.block_cycles
        self._lib.prof_exception_entry(self._state, exc, return_address, now - raw, overhead, now,
                                       self._core.sleep_cycles, self._acct.instructions)

    def on_exception_return(self, exc: int) -> None:
        if not self._state:
            return
        raw = self._exception_delta()
        now = self._acct.block_cycles
        node = self._lib.prof_exception_return(self._state, now - raw, raw, now,
                                               self._core.sleep_cycles, self._acct.instructions)
        self._last_return = (node, raw)

    # -- results ---------------------------------------------------------------------------------

    def report(self) -> ProfileReport:
        if not self._state:
            raise RuntimeError("the profiler was detached")
        lib, state, core, acct = self._lib, self._state, self._core, self._acct
        notes = []
        pending = self._exception_delta()
        if pending:
            notes.append(f"{pending} exception cycles were not announced to the profiler")
        lib.prof_sync(state, acct.block_cycles, core.sleep_cycles, acct.instructions)
        total_cycles, total_insns = acct.block_cycles, acct.instructions
        nodes = self._read_nodes()
        extras = self._read_funcs()
        stats = (ctypes.c_uint64 * 4)()
        lib.prof_stats(state, ctypes.byref(stats))
        merged, unmatched, dropped, _depth = stats
        if self._start_cycles:
            notes.append(f"profiling started at cycle {self._start_cycles}: the call tree covers the rest")
        if merged:
            notes.append(f"{merged} calls beyond the depth limit were charged to their caller")
        if dropped:
            notes.append(f"{dropped} calling contexts beyond the node limit were merged into their parent")
        if unmatched:
            notes.append(f"{unmatched} returns landed where no frame expected (longjmp, hand-written "
                         "assembly); the call stack was kept")
        inclusive, calls, self_cycles = _per_key_totals(nodes)
        functions = self._flat(extras, inclusive, calls, total_cycles, total_insns, notes)
        exceptions = [ExceptionRow(key - KEY_EXC_BASE, self._name(key), calls[key], self_cycles[key],
                                   inclusive[key])
                      for key in sorted(k for k in calls if _is_exception_key(k))]
        return ProfileReport(elf=str(self._sim.firmware.path), total_cycles=total_cycles,
                             total_instructions=total_insns, sleep_cycles=core.sleep_cycles,
                             exception_cycles=core.exception_cycles, functions=functions,
                             exceptions=exceptions, nodes=nodes, notes=notes)

    def write(self, path: str | Path, top: int = 20, stream: TextIO | None = sys.stderr) -> ProfileReport:
        """Writes the speedscope profile to `path` and the full text profile (all functions,
        the call tree) to `path` + ".txt"; prints the top functions to `stream`."""
        report = self.report()
        path = Path(path)
        path.write_text(json.dumps(speedscope(report), separators=(",", ":")) + "\n")
        text_path = text_path_for(path)
        text_path.write_text(format_text(report))
        if stream is not None:
            stream.write(format_table(report, top))
            stream.write(f"profile: {path} (speedscope JSON), {text_path} (all functions, call tree)\n")
            stream.flush()
        return report

    # -- internals -------------------------------------------------------------------------------

    def _name(self, key: int) -> str:
        return self._keys.name(key)

    def _read_nodes(self) -> list[CallNode]:
        count = self._lib.prof_node_count(self._state)
        buf = (profile_native.Node * count)()
        self._lib.prof_copy_nodes(self._state, buf)
        raw = list(struct.iter_unpack("<IIQqq", bytes(buf)))
        totals = [[c, i] for (_k, _p, _n, c, i) in raw]
        for node_id in range(count - 1, 0, -1):     # children always come after their parent
            parent = raw[node_id][1]
            totals[parent][0] += totals[node_id][0]
            totals[parent][1] += totals[node_id][1]
        out = []
        for node_id, (key, parent, calls, cycles, insns) in enumerate(raw):
            code = not (_is_exception_key(key) or key in (KEY_ROOT, KEY_SLEEP, KEY_UNKNOWN))
            out.append(CallNode(node_id, None if node_id == 0 else parent, self._name(key),
                                key if code else None, key, calls, cycles, insns, *totals[node_id]))
        return out

    def _read_funcs(self) -> dict[int, profile_native.FuncExtra]:
        count = self._lib.prof_func_count(self._state)
        buf = (profile_native.FuncExtra * count)()
        self._lib.prof_copy_funcs(self._state, buf)
        return {f.key: f for f in buf}

    def _flat(self, extras, inclusive, calls, total_cycles, total_insns, notes) -> list[FunctionRow]:
        cycles: dict[int, int] = defaultdict(int)
        insns: dict[int, int] = defaultdict(int)
        key_at: dict[int, int] = {}
        for block, count in self._acct.blocks_with_counts():
            if not count:
                continue
            for insn, cost in zip(block.insns, block.timing.costs):
                key = key_at.get(insn.address)
                if key is None:
                    key = key_at[insn.address] = self._keys.key(insn.address)
                cycles[key] += cost.cycles * count
                insns[key] += count
        for key, extra in extras.items():
            cycles[key] += extra.refill + extra.site + extra.corr_cycles
            insns[key] += extra.corr_insns
        # Inclusive is at least self: the call tree charges a block to the function it
        # starts in, so the part of a block running on into the next function is not there.
        rows = [FunctionRow(self._name(key), None if key == KEY_UNKNOWN else key, cycles[key], insns[key],
                            max(inclusive.get(key, 0), cycles[key]), calls.get(key, 0))
                for key in cycles if cycles[key] or insns[key]]
        exception_entries = sum(n for k, n in calls.items() if _is_exception_key(k))
        pseudo = [(SLEEP, self._core.sleep_cycles, calls.get(KEY_SLEEP, 0)),
                  (EXCEPTION_OVERHEAD, self._core.exception_cycles, exception_entries)]
        rows += [FunctionRow(name, None, n, 0, n, c) for name, n, c in pseudo if n]
        rest_cycles = total_cycles - sum(r.self_cycles for r in rows)
        rest_insns = total_insns - sum(r.self_instructions for r in rows)
        if rest_cycles or rest_insns:
            notes.append(f"{rest_cycles} cycles and {rest_insns} instructions are not attributed to a "
                         f"function ({OTHER})")
            rows.append(FunctionRow(OTHER, None, rest_cycles, rest_insns, rest_cycles, 0))
        rows.sort(key=lambda r: (-r.self_cycles, r.name))
        return rows


class FunctionKeys:
    """Function keys (symbol start addresses) of code addresses, as SymbolTable.lookup
    gives them, and the intervals of addresses sharing one, for the native profiler's
    cache. lookup() can only change its answer at a symbol's start, at its end, or where a
    symbol falls out of its search window, so it is constant between two such points; an
    interval is the run of those pieces (one probe each) that give the same symbol."""

    MAX_PIECES = 256
    SEARCH_WINDOW = 0x10000     # SymbolTable.lookup searches this far below an address

    def __init__(self, symbols):
        self._symbols = symbols
        points = set()
        for sym in symbols.functions():
            points.update((sym.address, sym.address + max(sym.size, 1), sym.address + self.SEARCH_WINDOW + 1))
        self._points = sorted(points)
        self._names: dict[int, str] = {KEY_UNKNOWN: UNKNOWN, KEY_SLEEP: SLEEP, KEY_ROOT: ROOT}

    def _lookup(self, address: int) -> int:
        sym = self._symbols.lookup(address)
        if sym is None:
            return KEY_UNKNOWN
        self._names.setdefault(sym.address, sym.name)
        return sym.address

    def key(self, address: int) -> int:
        return self._lookup(address)

    def interval(self, address: int) -> tuple[int, int, int]:
        """(key, lo, hi): every address in [lo, hi) has the key of `address`."""
        key = self._lookup(address)
        points = self._points
        i = bisect.bisect_right(points, address)      # points[i - 1] <= address < points[i]
        lo = points[i - 1] if i > 0 else 0
        hi = points[i] if i < len(points) else 2**32
        j = i - 1
        while j > 0 and i - j < self.MAX_PIECES and self._lookup(points[j - 1]) == key:
            j -= 1
            lo = points[j]
        while i + 1 < len(points) and i - j < self.MAX_PIECES and self._lookup(points[i]) == key:
            i += 1
            hi = points[i]
        return key, lo, min(hi, 2**32 - 1)

    def name(self, key: int) -> str:
        if _is_exception_key(key):
            return exception_frame_name(key - KEY_EXC_BASE)
        return self._names.get(key) or f"{key:#010x}"


def _is_exception_key(key: int) -> bool:
    return KEY_EXC_BASE <= key < KEY_EXC_BASE + KEY_EXC_COUNT


def _per_key_totals(nodes: list[CallNode]):
    """Inclusive cycles, calls and self cycles per frame key. A context under another
    context of the same function (recursion) is already inside that one's total: counted
    once."""
    children: list[list[int]] = [[] for _ in nodes]
    for n in nodes[1:]:
        children[n.parent].append(n.id)
    inclusive: dict[int, int] = defaultdict(int)
    calls: dict[int, int] = defaultdict(int)
    self_cycles: dict[int, int] = defaultdict(int)
    active: dict[int, int] = defaultdict(int)
    stack = [(0, False)]
    while stack:
        node_id, leaving = stack.pop()
        key = nodes[node_id].key
        if leaving:
            active[key] -= 1
            continue
        node = nodes[node_id]
        if node_id:
            calls[key] += node.calls
            self_cycles[key] += node.self_cycles
            if not active[key]:
                inclusive[key] += node.total_cycles
        active[key] += 1
        stack.append((node_id, True))
        stack.extend((c, False) for c in children[node_id])
    return inclusive, calls, self_cycles


# -- output formats ----------------------------------------------------------------------------


def text_path_for(path: Path) -> Path:
    """The text profile beside the speedscope file: the same name plus ".txt"."""
    return path.with_name(path.name + ".txt")


def speedscope(report: ProfileReport) -> dict:
    """The call tree as a speedscope file: two sampled profiles (cycles, instructions) with
    one sample per calling context, weighted by its self figure."""
    frames: list[dict] = []
    frame_index: dict[tuple[str, int | None], int] = {}
    paths: list[list[int]] = [[] for _ in report.nodes]
    for node in report.nodes[1:]:
        ident = (node.name, node.address)
        if ident not in frame_index:
            frame_index[ident] = len(frames)
            frame = {"name": node.name}
            if node.address is not None:
                frame["file"] = f"{Path(report.elf).name}@{node.address:#010x}"
            frames.append(frame)
        paths[node.id] = paths[node.parent] + [frame_index[ident]]

    def profile(name: str, attr: str, total: int) -> dict:
        samples, weights = [], []
        for node in report.nodes[1:]:
            weight = max(getattr(node, attr), 0)
            if weight:
                samples.append(paths[node.id])
                weights.append(weight)
        return {"type": "sampled", "name": name, "unit": "none", "startValue": 0,
                "endValue": sum(weights), "samples": samples, "weights": weights}

    elf = Path(report.elf).name
    return {
        "$schema": SPEEDSCOPE_SCHEMA,
        "name": f"{elf}: {report.total_cycles} cycles",
        "exporter": "tlscosim",
        "activeProfileIndex": 0,
        "shared": {"frames": frames},
        "profiles": [profile(f"{elf} cycles", "self_cycles", report.total_cycles),
                     profile(f"{elf} instructions", "self_instructions", report.total_instructions)],
    }


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:6.2f}%" if whole else "     -"


def format_table(report: ProfileReport, top: int | None = 20) -> str:
    total = report.total_cycles
    rows = report.functions if top is None else report.functions[:top]
    width = max([len("function")] + [len(r.name) for r in rows])
    width = min(width, 48)
    lines = [f"profile of {report.elf}: {report.total_cycles:,} cycles, {report.total_instructions:,} instructions"
             + ("" if top is None else f"; top {len(rows)} of {len(report.functions)} by self cycles"),
             f"{'function':{width}} {'self cycles':>14} {'self %':>7} {'incl. cycles':>14} {'incl. %':>7} "
             f"{'calls':>10} {'instructions':>14} {'cyc/insn':>8}"]
    for r in rows:
        cpi = r.cycles_per_instruction
        name = r.name if len(r.name) <= width else r.name[:width - 1] + "~"
        lines.append(f"{name:{width}} {r.self_cycles:14,} {_pct(r.self_cycles, total)} {r.inclusive_cycles:14,} "
                     f"{_pct(r.inclusive_cycles, total)} {r.calls:10,} {r.self_instructions:14,} "
                     f"{'-' if cpi is None else f'{cpi:.2f}':>8}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def format_text(report: ProfileReport) -> str:
    total = report.total_cycles
    parts = [format_table(report, top=None)]
    if report.exceptions:
        parts.append("\nexceptions\n" + f"{'exception':32} {'entries':>10} {'overhead cycles':>16} {'incl. cycles':>14} {'incl. %':>7}")
        for e in report.exceptions:
            parts.append(f"{e.name:32} {e.entries:10,} {e.overhead_cycles:16,} {e.inclusive_cycles:14,} "
                         f"{_pct(e.inclusive_cycles, total)}")
    threshold = total * CALL_TREE_MIN_FRACTION
    parts.append(f"\ncall tree (contexts with at least {100 * CALL_TREE_MIN_FRACTION:g} % of the cycles)\n"
                 f"{'incl. cycles':>14} {'incl. %':>7} {'self cycles':>14} {'calls':>10}  frame")
    children: dict[int, list[CallNode]] = defaultdict(list)
    for node in report.nodes[1:]:
        children[node.parent].append(node)
    stack = [(n, 0) for n in sorted(children[0], key=lambda n: n.total_cycles)]
    while stack:
        node, depth = stack.pop()
        if node.total_cycles < threshold:
            continue
        parts.append(f"{node.total_cycles:14,} {_pct(node.total_cycles, total)} {node.self_cycles:14,} "
                     f"{node.calls:10,}  {'  ' * depth}{node.name}")
        stack.extend((c, depth + 1) for c in sorted(children[node.id], key=lambda n: n.total_cycles))
    return "\n".join(parts) + "\n"
