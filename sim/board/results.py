"""What a run ends with: the result, the reason the run loop stopped, and the process
status `tlscosim run` turns them into. Front ends and tests read these; the run loop
(machine.py) and fault escalation (fault_escalation.py) raise Stop."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..architecture.faults import FaultReport

# Exit statuses of `tlscosim run` when the firmware did not exit by itself.
EXIT_LIMIT = 124      # cycle or time limit (as coreutils' timeout)
EXIT_FAULT = 125      # fault, lockup, deadlock or simulator error


@dataclass
class RunResult:
    exit_code: int | None
    stop_reason: str        # exit | fault | lockup | cycle-limit | time-limit | deadlock | error
    message: str
    instructions: int
    cycles: int
    wall_s: float
    clock_hz: int
    uart_output: bytes = b""
    semihosting_output: bytes = b""
    fault: FaultReport | None = None
    handled_faults: list[FaultReport] = field(default_factory=list)   # taken by the firmware
    counters: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def mips(self) -> float:
        return self.instructions / self.wall_s / 1e6 if self.wall_s > 0 else 0.0

    @property
    def simulated_seconds(self) -> float:
        return self.cycles / self.clock_hz

    def to_dict(self) -> dict:
        return {
            "exit_code": self.exit_code, "stop_reason": self.stop_reason, "message": self.message,
            "instructions": self.instructions, "cycles": self.cycles,
            "wall_s": round(self.wall_s, 6), "mips": round(self.mips, 3),
            "clock_hz": self.clock_hz, "simulated_s": self.simulated_seconds,
            "counters": self.counters,
            "fault": self.fault.to_dict() if self.fault else None,
            "handled_faults": [f.to_dict() for f in self.handled_faults],
            "warnings": self.warnings,
        }


class Stop(Exception):
    """Ends the run loop with a reason."""

    def __init__(self, reason: str, message: str, exit_code: int | None = None,
                 fault: FaultReport | None = None):
        super().__init__(message)
        self.reason, self.message, self.exit_code, self.fault = reason, message, exit_code, fault


def exit_status(result: RunResult) -> int:
    """The process status: the firmware's exit code modulo 256 (as a POSIX process
    status is), or EXIT_LIMIT / EXIT_FAULT when it did not exit by itself."""
    if result.exit_code is not None:
        return result.exit_code & 0xFF
    if result.stop_reason in ("cycle-limit", "time-limit"):
        return EXIT_LIMIT
    return EXIT_FAULT


def status_warnings(result: RunResult) -> list[str]:
    """What the process status cannot tell about the firmware's exit code."""
    code = result.exit_code
    if code is None:
        return []
    status = code & 0xFF
    warnings = []
    if status != code:
        warnings.append(f"firmware exit code {code} is not a process status (0..255): the status is "
                        f"{status}; --json firmware_exit_code holds the code")
    if status in (EXIT_LIMIT, EXIT_FAULT):
        meaning = "a cycle or time limit" if status == EXIT_LIMIT else "a fault"
        warnings.append(f"exit status {status} is also the status of {meaning}: "
                        "--json stop_reason tells them apart")
    return warnings
