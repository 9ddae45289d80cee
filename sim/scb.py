"""System Control Block state that the exception model and the SCS registers share:
vector table base, configuration and control, and the fault status registers."""

from __future__ import annotations

from dataclasses import dataclass

# CCR reset value on Cortex-M4: STKALIGN set (8-byte stack alignment on entry).
CCR_STKALIGN = 1 << 9
CCR_NONBASETHRDENA = 1 << 0


@dataclass
class SystemControl:
    vtor_reset: int = 0     # the board's VTOR reset value (where the vector table is)
    vtor: int = 0
    ccr: int = CCR_STKALIGN
    scr: int = 0
    cfsr: int = 0
    hfsr: int = 0
    mmfar: int = 0
    bfar: int = 0
    cpacr: int = 0
    demcr: int = 0
    actlr: int = 0

    def __post_init__(self) -> None:
        self.vtor = self.vtor_reset

    def reset(self) -> None:
        self.__init__(vtor_reset=self.vtor_reset)
