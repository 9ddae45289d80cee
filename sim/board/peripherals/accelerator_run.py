"""The accelerators' part of `tlscosim run`: the --rtl, --rtl-fault and --verify-offload
options, applying them to a simulation, and what the run reports about the offload."""

from __future__ import annotations

from dataclasses import dataclass

from .accelerator import RTL_BACKENDS, AcceleratorSettings, configure_accelerators
from .accelerator_faults import FAULTS, fault_named

# The process status of a run whose firmware exited 0 but whose offload --verify-offload
# found wrong (a firmware's own non-zero status is kept: it says more).
EXIT_OFFLOAD_MISMATCH = 123


def add_arguments(parser) -> None:
    parser.add_argument("--rtl", default="amaranth", choices=tuple(RTL_BACKENDS),
                        help="simulator of the accelerators' RTL: Amaranth's (always available) or a "
                             "Verilator model of the same Verilog (built once, cached under build/)")
    parser.add_argument("--rtl-fault", metavar="NAME",
                        help=f"run a deliberately broken accelerator RTL: {', '.join(FAULTS)}")
    parser.add_argument("--verify-offload", action="store_true",
                        help="recompute every accelerator operation with a reference implementation "
                             "and report mismatches")


@dataclass
class OffloadRun:
    accelerators: list
    verifier: object | None
    fault: str | None
    backend: str = "amaranth"

    def flush(self) -> None:
        """Accesses the accelerators served natively reach the verifier before it is read."""
        for device in self.accelerators:
            device.flush_observations()

    def summary(self) -> dict:
        """BLOCKS per accelerator (None: never used) and the verification's figures."""
        self.flush()
        data = {"blocks": {d.name: d.blocks() for d in self.accelerators}, "rtl_fault": self.fault,
                "rtl_backend": self.backend, "rtl": {d.name: d.stats() for d in self.accelerators}}
        if self.verifier is not None:
            data["verify_offload"] = self.verifier.summary()
        return data

    def report_lines(self) -> list[str]:
        used = {name: n for name, n in self.summary()["blocks"].items() if n is not None}
        lines = []
        if used:
            lines.append("accelerators: " + ", ".join(f"{name} {n:,} blocks" for name, n in used.items())
                         + (f" (RTL fault {self.fault})" if self.fault else ""))
        if self.verifier is not None:
            s = self.verifier.summary()
            lines.append(f"verify-offload: {s['operations']:,} operations, {s['checked']:,} checked, "
                         f"{s['mismatches']:,} mismatches")
            if self.verifier.mismatches:
                lines.append(f"verify-offload: first mismatch: {self.verifier.mismatches[0].format()}")
        return lines

    def status(self, status: int) -> int:
        """The run's process status given the firmware's: EXIT_OFFLOAD_MISMATCH instead of
        0 when the verifier found mismatches."""
        self.flush()
        if status == 0 and self.verifier is not None and self.verifier.mismatches:
            return EXIT_OFFLOAD_MISMATCH
        return status

    def status_error(self) -> str | None:
        """The line saying why the status is EXIT_OFFLOAD_MISMATCH (None otherwise)."""
        self.flush()
        if self.verifier is None or not self.verifier.mismatches:
            return None
        return (f"--verify-offload found {len(self.verifier.mismatches):,} operation(s) whose result differs "
                f"from the reference: exit status {EXIT_OFFLOAD_MISMATCH} unless the firmware's own is non-zero")

    def close(self) -> None:
        for device in self.accelerators:
            device.close()


def attach(sim, backend: str = "amaranth", fault: str | None = None, verify: bool = False) -> OffloadRun:
    """Configure a Simulation's accelerators before it runs."""
    from ..offload_verify import OffloadVerifier
    describe = sim.firmware.symbols.describe
    verifier = OffloadVerifier(describe=describe) if verify else None
    settings = AcceleratorSettings(backend=backend, fault=fault_named(fault) if fault else None,
                                   observer=verifier, describe=describe)
    return OffloadRun(configure_accelerators(sim.board.devices, settings), verifier, fault, backend)
