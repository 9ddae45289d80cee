"""Data Watchpoint and Trace unit counters (ARMv7-M C1.8.2).

CYCCNT (32 bits) counts processor cycles; CPICNT, EXCCNT, SLEEPCNT, LSUCNT and FOLDCNT
(8 bits, wrapping) count extra cycles of multi-cycle instructions, exception overhead,
sleep, extra load/store cycles and folded instructions. They count while DEMCR.TRCENA
and their CTRL enable bit are set. With all enabled and no wrap,
instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT (the ARM ARM's
identity), which the tests check.
"""

from __future__ import annotations

from .base import RegisterDevice

# register -> (CTRL enable field, source counter); each counter's width is its map's.
COUNTERS = {
    "CYCCNT": ("CYCCNTENA", "cycles"),
    "CPICNT": ("CPIEVTENA", "cpi"),
    "EXCCNT": ("EXCEVTENA", "exc"),
    "SLEEPCNT": ("SLEEPEVTENA", "sleep"),
    "LSUCNT": ("LSUEVTENA", "lsu"),
    "FOLDCNT": ("FOLDEVTENA", "fold"),
}


def counter_mask(register) -> int:
    """The bits a counter register counts in: its one field, or the whole register."""
    if register.fields:
        field, = register.fields
        return field.mask
    return (1 << register.width) - 1


class Dwt(RegisterDevice):
    """`core` offers trace_enabled() and event_counts() (cycles, cpi, lsu, fold, exc, sleep)."""

    def __init__(self, spec, ctx):
        self.core = ctx.core
        self._anchor: dict[str, tuple[int, int] | None] = {}
        self._mask = {reg: counter_mask(spec.regmap[reg]) for reg in COUNTERS}
        super().__init__(spec.name, spec.regmap, ctx)

    def reset(self) -> None:
        super().reset()           # CTRL.NUMCOMP: the map's reset value
        self._anchor = {reg: None for reg in COUNTERS}   # (source at anchor, value at anchor)

    def unmapped_access(self, offset, write):
        # Comparators and ID registers are not modelled: RAZ/WI, reported once.
        self.ctx.warn_once(f"dwt.{offset:#x}", f"dwt: unimplemented register at offset {offset:#x} (RAZ/WI)")
        return None

    def _counting(self, reg: str) -> bool:
        ena = COUNTERS[reg][0]
        return self.core.trace_enabled() and bool(self.regmap["CTRL"].field(ena).extract(self.get("CTRL")))

    def _value(self, reg: str, counts: dict[str, int]) -> int:
        source = COUNTERS[reg][1]
        anchor = self._anchor[reg]
        value = self.get(reg) if anchor is None else anchor[1] + counts[source] - anchor[0]
        return value & self._mask[reg]

    def _reanchor(self, counts: dict[str, int]) -> None:
        """Freeze every counter at its current value; restart the counting ones from it."""
        for reg, (_ena, source) in COUNTERS.items():
            value = self._value(reg, counts)
            self.put(reg, value)
            self._anchor[reg] = (counts[source], value) if self._counting(reg) else None

    def on_trace_enable_change(self) -> None:
        """DEMCR.TRCENA changed (the counts before the change were taken by the caller)."""
        self._reanchor(self.core.event_counts())

    def write_CTRL(self, value, index, mask):
        counts = self.core.event_counts()
        for reg in COUNTERS:       # values under the old enables
            self.put(reg, self._value(reg, counts))
            self._anchor[reg] = None
        ctrl = self.regmap["CTRL"]
        old = self.get("CTRL")
        keep = ctrl.field("NUMCOMP").mask
        self.put("CTRL", (old & (keep | ~mask)) | (value & ~keep))
        # An event counter is zeroed when its enable goes from 0 to 1 (ARMv7-M C1.8.7);
        # CYCCNT is not.
        for reg, (ena, _source) in COUNTERS.items():
            bit = ctrl.field(ena)
            if reg != "CYCCNT" and not bit.extract(old) and bit.extract(self.get("CTRL")):
                self.put(reg, 0)
        self._reanchor(counts)

    def _read_counter(self, reg):
        return self._value(reg, self.core.event_counts())

    def _write_counter(self, reg, value, mask):
        counts = self.core.event_counts()
        current = self._value(reg, counts)
        new = (current & ~mask) | value
        self.put(reg, new & self._mask[reg])
        source = COUNTERS[reg][1]
        self._anchor[reg] = (counts[source], self.get(reg)) if self._counting(reg) else None

    def read_CYCCNT(self, index): return self._read_counter("CYCCNT")
    def read_CPICNT(self, index): return self._read_counter("CPICNT")
    def read_EXCCNT(self, index): return self._read_counter("EXCCNT")
    def read_SLEEPCNT(self, index): return self._read_counter("SLEEPCNT")
    def read_LSUCNT(self, index): return self._read_counter("LSUCNT")
    def read_FOLDCNT(self, index): return self._read_counter("FOLDCNT")
    def write_CYCCNT(self, value, index, mask): self._write_counter("CYCCNT", value, mask)
    def write_CPICNT(self, value, index, mask): self._write_counter("CPICNT", value, mask)
    def write_EXCCNT(self, value, index, mask): self._write_counter("EXCCNT", value, mask)
    def write_SLEEPCNT(self, value, index, mask): self._write_counter("SLEEPCNT", value, mask)
    def write_LSUCNT(self, value, index, mask): self._write_counter("LSUCNT", value, mask)
    def write_FOLDCNT(self, value, index, mask): self._write_counter("FOLDCNT", value, mask)

    def read_PCSR(self, index):
        return self.core.current_pc()
