"""Deliberately broken accelerator RTL, selectable at run time (`--rtl-fault NAME`).

Each variant is the shipped Amaranth design with one defect planted in its netlist
before elaboration, so it runs on both back ends (the Verilator model is built from the
faulty design's own Verilog and cached apart). They exist to prove that
`--verify-offload` and the Mbed TLS test suites catch broken hardware.

The defects are planted from outside rtl/ (which its owner keeps changing), at the
level of what the RTL is built from: a corrupted table or constant handed to the core
while it elaborates (its S-box ROM contents, its K ROM contents, the GHASH multiplier's
reduction constant), a bus stage in front of the accelerator, the AES core's elaboration
flag SKIP_FINAL_ROUND, or the GCM core's counter increment (`gcm_core.inc32`). The swap
lasts only while the device builds its design (`RtlBusDevice(core, fault=...)`; `design=`
there takes any other component).
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from amaranth.hdl import Module
from amaranth.lib import wiring

from tlscosim.errors import UserError

# A forward S-box input whose output is corrupted (in all 16 S-box ROMs: one wrong
# table entry); 0x00 -> 0x63 is flipped to 0x62.
SBOX_FAULT_INPUT = 0x00
SBOX_FAULT_FLIP = 0x01
# The round constant corrupted in the SHA-256 K ROM (its last round).
K_FAULT_ROUND = 63
K_FAULT_FLIP = 0x8000_0000
# The chaining word whose register ignores the firmware's writes (a stuck H3: a resumed
# context keeps the H3 of whatever ran before).
STUCK_DIGEST_INDEX = 3
# The bit dropped from GHASH's reduction constant R = 0xE1 << 120 (block order): its x^7
# term, so the multiplier reduces by x^128 + x^2 + x + 1. Every product that reduces is
# wrong: tags are wrong (an empty message's, E_K(J0), is not), the keystream is right.
GHASH_R_FAULT_FLIP = 1 << 120


@dataclass(frozen=True)
class Fault:
    name: str
    core: str
    description: str
    # (module, attribute, replacement(original)) swapped while the design is built
    patches: tuple[tuple[str, str, Callable], ...]


def _corrupt_sbox(original):
    def sbox():
        table = list(original())
        table[SBOX_FAULT_INPUT] ^= SBOX_FAULT_FLIP
        return table
    return sbox


def _corrupt_k(original):
    def round_constants():
        k = list(original())
        k[K_FAULT_ROUND] ^= K_FAULT_FLIP
        return k
    return round_constants


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


def _stuck_digest_word(original):
    def build_accelerator(core: str):
        accel = original(core)
        if core != "sha256":
            return accel
        return _IgnoredWrite(accel, accel.regmap.offset("DIGEST", STUCK_DIGEST_INDEX))
    return build_accelerator


def _skip_final_round(_original):
    return True


def _corrupt_reduction(original):
    return original ^ GHASH_R_FAULT_FLIP


def _skipping_increment(original):
    def inc32(counter):
        return original(original(counter))    # counter + 2: every other counter value skipped
    return inc32


FAULTS = {f.name: f for f in (
    Fault("aes-sbox", "aes", f"one wrong S-box entry (S[{SBOX_FAULT_INPUT:#04x}] off by "
                             f"{SBOX_FAULT_FLIP:#x}, in every S-box ROM)",
          (("tlscosim.rtl.aes_core", "sbox", _corrupt_sbox),)),
    Fault("aes-final-round", "aes", "the final round skipped: DOUT takes the state that enters it "
                                    "(after Nr - 1 rounds) instead of the final round's output",
          (("tlscosim.rtl.aes_core", "SKIP_FINAL_ROUND", _skip_final_round),)),
    Fault("sha-k", "sha256", f"one wrong round constant (K[{K_FAULT_ROUND}] with bit 31 flipped)",
          (("tlscosim.rtl.sha256_core", "round_constants", _corrupt_k),)),
    Fault("sha-chain", "sha256", f"chaining word H{STUCK_DIGEST_INDEX} stuck: writes to "
                                 f"DIGEST[{STUCK_DIGEST_INDEX}] are ignored",
          (("tlscosim.rtl.designs", "build_accelerator", _stuck_digest_word),)),
    Fault("gcm-ghash", "gcm", "the GHASH multiplier reduces by x^128 + x^2 + x + 1 (R without its "
                              "x^7 term): the tag of any message with AAD or text is wrong, "
                              "the ciphertext is right",
          (("tlscosim.rtl.ghash", "R", _corrupt_reduction),)),
    Fault("gcm-counter", "gcm", "the counter increment skips a value (CTR 2, 4, 6, ...): a message's "
                                "first text block is right, every later one takes another block's "
                                "keystream",
          (("tlscosim.rtl.gcm_core", "inc32", _skipping_increment),)),
)}


def fault_named(name: str) -> Fault:
    try:
        return FAULTS[name]
    except KeyError:
        raise UserError(f"unknown RTL fault {name!r}; known faults: {', '.join(FAULTS)}") from None


@contextmanager
def design_override(fault: Fault | None):
    """While active, the RTL is built with `fault`'s defect (nothing when None)."""
    swapped = []
    try:
        for module_name, attribute, replacement in (fault.patches if fault else ()):
            module = importlib.import_module(module_name)
            original = getattr(module, attribute)
            setattr(module, attribute, replacement(original))
            swapped.append((module, attribute, original))
        yield
    finally:
        for module, attribute, original in reversed(swapped):
            setattr(module, attribute, original)
