"""System Control Block state that the exception model and the SCS registers share:
vector table base, configuration and control, and the fault status registers.

Bit positions come from the SCS register map (platform/peripherals/scs.toml), the one
declaration of these registers; nothing here restates them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tlscosim.paths import PLATFORM_DIR
from tlscosim.regmap import Field, RegisterMap


@cache
def scs_register_map() -> RegisterMap:
    """The ARMv7-M System Control Space map: SysTick, NVIC, SCB and debug registers."""
    return RegisterMap.load(PLATFORM_DIR / "peripherals" / "scs.toml")


def scs_field(register: str, name: str) -> Field:
    return scs_register_map()[register].field(name)


def scs_masks(register: str) -> dict[str, int]:
    """Field name -> mask of one SCS register, e.g. scs_masks("CFSR")["PRECISERR"]."""
    return {f.name: f.mask for f in scs_register_map()[register].fields}


# Named masks the exception model tests often (from the map).
CCR_STKALIGN = scs_field("CCR", "STKALIGN").mask
CCR_NONBASETHRDENA = scs_field("CCR", "NONBASETHRDENA").mask


def ccr_reset() -> int:
    """CCR at reset (Cortex-M4: STKALIGN set, 8-byte stack alignment on entry)."""
    return scs_register_map()["CCR"].reset


@dataclass
class SystemControl:
    vtor_reset: int = 0     # the board's VTOR reset value (where the vector table is)
    vtor: int = 0
    ccr: int = 0
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
        self.ccr = ccr_reset()

    def reset(self) -> None:
        self.__init__(vtor_reset=self.vtor_reset)
