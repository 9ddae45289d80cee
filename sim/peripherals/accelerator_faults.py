"""Deliberately broken accelerator RTL, selectable at run time (`--rtl-fault NAME`).

Each variant is the shipped Amaranth design with one defect planted in its netlist
before elaboration, so it runs on both back ends (the Verilator model is built from the
faulty design's own Verilog and cached apart). They exist to prove that
`--verify-offload` and the Mbed TLS test suites catch broken hardware.

The defects are planted from outside rtl/ (which its owner keeps changing): a variant
elaborates the real accelerator and then edits one ROM's contents in the elaborated
core, or interposes on the bus in front of it. `designs.build_accelerator` is swapped
for the duration of the device's construction, since RtlBusDevice builds its design
itself (a `design=` argument there would make this unnecessary).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from amaranth.hdl import Elaboratable, Module
from amaranth.lib import wiring
from amaranth.lib.memory import Memory

from tlscosim.errors import UserError

# A forward S-box input whose output is corrupted (in all 16 S-box ROMs: one wrong
# table entry); 0x00 -> 0x63 is flipped to 0x62.
SBOX_FAULT_INPUT = 0x00
SBOX_FAULT_FLIP = 0x01
AES_SBOXES, SBOX_ROM_DEPTH = 16, 512     # the AES core's S-box ROMs: {inverse, byte} -> S, S^-1
# The round constant corrupted in the SHA-256 K ROM (its last round).
K_FAULT_ROUND = 63
K_FAULT_FLIP = 0x8000_0000
# The chaining word whose register ignores the firmware's writes (a stuck H3: a resumed
# context keeps the H3 of whatever ran before).
STUCK_DIGEST_INDEX = 3


@dataclass(frozen=True)
class Fault:
    name: str
    core: str
    description: str
    build: Callable[[], Elaboratable]


class _ElaboratedThen(Elaboratable):
    """Elaborates `inner` and hands its Module to `edit` before Amaranth goes on."""

    def __init__(self, inner, edit: Callable[[Module], None]):
        self._inner, self._edit = inner, edit
        inner._MustUse__used = True     # elaborated here, not by Amaranth: no "unused" warning

    def elaborate(self, platform):
        m = self._inner.elaborate(platform)
        self._edit(m)
        return m


def _submodule(m: Module, name: str):
    # Amaranth 0.5 keeps a Module's named submodules as name -> (object, source location).
    return m._named_submodules[name][0]


def _with_core_edit(accelerator_class, edit: Callable[[Module], None]):
    """An accelerator whose core's elaborated Module goes through `edit`."""

    class Faulty(accelerator_class):
        def elaborate(self, platform):
            m = super().elaborate(platform)
            core, src_loc = m._named_submodules["core"]
            m._named_submodules["core"] = (_ElaboratedThen(core, edit), src_loc)
            return m

    return Faulty()


def _aes_sbox():
    from tlscosim.rtl.aes_accel import AesAccelerator

    def edit(core: Module) -> None:
        roms = [obj for obj, _src in core._named_submodules.values() if isinstance(obj, Memory)
                and obj.depth == SBOX_ROM_DEPTH]
        assert len(roms) == AES_SBOXES, f"expected {AES_SBOXES} S-box ROMs, found {len(roms)}"
        for rom in roms:
            # ROM address = {inverse, byte}: the forward table is the low half.
            rom.init[SBOX_FAULT_INPUT] ^= SBOX_FAULT_FLIP
    return _with_core_edit(AesAccelerator, edit)


def _sha_k():
    from tlscosim.rtl.sha256_accel import Sha256Accelerator

    def edit(core: Module) -> None:
        _submodule(core, "k_rom").init[K_FAULT_ROUND] ^= K_FAULT_FLIP
    return _with_core_edit(Sha256Accelerator, edit)


class _IgnoredWrite(wiring.Component):
    """The accelerator behind a bus stage that drops writes to one register offset."""

    def __init__(self, inner, offset: int):
        self._inner, self._offset = inner, offset
        self.regmap = inner.regmap
        super().__init__(inner.signature)

    def elaborate(self, platform):
        m = Module()
        m.submodules.accel = inner = self._inner
        outer = self.bus
        m.d.comb += [
            inner.bus.addr.eq(outer.addr), inner.bus.stb.eq(outer.stb),
            inner.bus.be.eq(outer.be), inner.bus.wdata.eq(outer.wdata),
            inner.bus.we.eq(outer.we & (outer.addr != self._offset)),
            outer.rdata.eq(inner.bus.rdata), self.irq.eq(inner.irq), self.busy.eq(inner.busy),
        ]
        return m


def _sha_chain():
    from tlscosim.rtl.sha256_accel import Sha256Accelerator
    inner = Sha256Accelerator()
    return _IgnoredWrite(inner, inner.regmap.offset("DIGEST", STUCK_DIGEST_INDEX))


FAULTS = {f.name: f for f in (
    Fault("aes-sbox", "aes", f"one wrong S-box entry (S[{SBOX_FAULT_INPUT:#04x}] off by "
                             f"{SBOX_FAULT_FLIP:#x}, in every S-box ROM)", _aes_sbox),
    Fault("sha-k", "sha256", f"one wrong round constant (K[{K_FAULT_ROUND}] with bit 31 flipped)", _sha_k),
    Fault("sha-chain", "sha256", f"chaining word H{STUCK_DIGEST_INDEX} stuck: writes to "
                                 f"DIGEST[{STUCK_DIGEST_INDEX}] are ignored", _sha_chain),
)}


def fault_named(name: str) -> Fault:
    try:
        return FAULTS[name]
    except KeyError:
        raise UserError(f"unknown RTL fault {name!r}; known faults: {', '.join(FAULTS)}") from None


@contextmanager
def design_override(fault: Fault | None):
    """While active, building `fault.core`'s accelerator builds the faulty variant."""
    if fault is None:
        yield
        return
    from tlscosim.rtl import designs
    original = designs.build_accelerator

    def build(core: str):
        return fault.build() if core == fault.core else original(core)
    designs.build_accelerator = build
    try:
        yield
    finally:
        designs.build_accelerator = original
