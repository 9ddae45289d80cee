"""Fault reports: what a user needs to find a crash without a debugger."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..engine.cpu import CORE_REGISTERS


@dataclass
class FaultReport:
    fault: str                   # e.g. "HardFault", "BusFault", "Lockup"
    cause: str                   # what happened, in words
    pc: int
    location: str                # symbol+offset of pc
    registers: dict[str, int]
    status: dict[str, int] = field(default_factory=dict)   # CFSR, HFSR, BFAR, ...
    recent_blocks: list[str] = field(default_factory=list)
    active_exceptions: list[str] = field(default_factory=list)
    escalated_from: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def format(self) -> str:
        title = self.fault + (f" (escalated from {self.escalated_from})" if self.escalated_from else "")
        lines = [f"{title}: {self.cause}", f"  at pc={self.pc:#010x} {self.location}"]
        regs = [f"{name}={self.registers[name]:#010x}" for name in CORE_REGISTERS if name in self.registers]
        for i in range(0, len(regs), 4):
            lines.append("  " + "  ".join(regs[i:i + 4]))
        extra = [f"{k}={v:#010x}" for k, v in self.registers.items() if k not in CORE_REGISTERS]
        if extra:
            lines.append("  " + "  ".join(extra))
        if self.status:
            lines.append("  " + "  ".join(f"{k}={v:#010x}" for k, v in self.status.items()))
        if self.active_exceptions:
            lines.append("  active exceptions: " + ", ".join(self.active_exceptions))
        if self.recent_blocks:
            lines.append("  last blocks (oldest first):")
            lines += [f"    {b}" for b in self.recent_blocks]
        return "\n".join(lines)
