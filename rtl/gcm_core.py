"""AES-GCM core (NIST SP 800-38D, 96-bit IVs): AesCore with two key slots for the block
cipher, GhashMultiplier for GHASH, and the sequencing of one operation per start.

Operations (CTRL.OP): INIT computes H = E_K(0^128) if the slot's H is stale, then
E_K(J0) for the tag, with J0 = IV || 0^31 1, and restarts the counter at 2 and the
lengths at 0. AAD hashes one block of DIN; ENCRYPT/DECRYPT XOR DIN with E_K(IV || CTR),
increment CTR and hash the ciphertext; TAG hashes len(A) || len(C) and writes
GHASH ^ E_K(J0) to DOUT. A partial last block (BYTES < 16) is masked, both in the
output and in what is hashed, and the lengths count bytes (32-bit counters: messages
and AAD up to 4 GiB - 1).

Timing (cycle 0 = the cycle `start` is high; AES-128 with its schedule ready): INIT 14
cycles, 26 when H must be computed first; AAD 18 (1 + 16 GHASH + 1); ENCRYPT/DECRYPT 29
(1 + 11 AES + 16 GHASH, which starts in the cycle the output is written, + 1); TAG 18.
AES-192/256 add 2/4 cycles per AES block. The output is written (or, with `hold`, the
state frozen) in the cycle after the AES.
"""

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .aes_core import BLOCK_BYTES, MAX_KEY_WORDS, AesCore
from .ghash import GhashMultiplier, block_value
from .regmaps import GCM_OPS
from .stages import stage

SLOTS = 2
IV_BYTES = 12


def kept_bytes(count):
    """Bit k set for the bytes 0..count-1 of a block that count (0 means 16)."""
    return Cat(*((count == 0) | (k < count) for k in range(BLOCK_BYTES)))


def byte_mask(kept):
    """The 128-bit mask of a byte image from `kept_bytes` (wiring only)."""
    return Cat(*(kept[k].replicate(8) for k in range(BLOCK_BYTES)))


def inc32(counter):
    """SP 800-38D's inc32 on the 32-bit counter (the register drops the carry: mod 2^32).
    A named function so that a deliberately broken variant (--rtl-fault gcm-counter,
    planted by tlscosim.sim.board.peripherals.accelerator_faults) can swap the increment."""
    return counter + 1


def _be32(value):
    return Cat(*(value[8 * i:8 * i + 8] for i in reversed(range(4))))


class GcmCore(wiring.Component):
    def __init__(self):
        super().__init__({
            "start": In(1),
            "hold": In(1),
            "op": In(3),
            "slot": In(1),
            "keylen": In(2),
            "nbytes": In(5),
            "key": In(8 * 4 * MAX_KEY_WORDS * SLOTS),
            "key_changed": In(SLOTS),
            "iv": In(8 * IV_BYTES),
            "din": In(8 * BLOCK_BYTES),
            "ctr_we": In(1),
            "ctr_wdata": In(32),
            "ctr_wmask": In(32),
            "ctr": Out(32),
            "dout": Out(8 * BLOCK_BYTES),
            "aad_bytes": Out(32),
            "text_bytes": Out(32),
            "busy": Out(1),
            "done": Out(1),
            "output_done": Out(1),
            "stalled": Out(1),
            "wiping": Out(1),
            "key_ready": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        aes = m.submodules.aes = AesCore(slots=SLOTS)
        ghash = m.submodules.ghash = GhashMultiplier()

        op, slot, keylen, nbytes = Signal(3), Signal(1), Signal(2), Signal(5)
        data = Signal(8 * BLOCK_BYTES)              # DIN, copied at start
        j_iv = Signal(8 * IV_BYTES)                 # the IV of the message, copied by INIT
        ej0 = Signal(8 * BLOCK_BYTES)               # E_K(J0), byte image
        y = Signal(128)                             # GHASH accumulator, block order
        h_of = [Signal(128, name=f"h{s}") for s in range(SLOTS)]
        h_ok_of = [Signal(name=f"h_ok{s}") for s in range(SLOTS)]
        h_nk_of = [Signal(2, name=f"h_keylen{s}") for s in range(SLOTS)]
        launched = Signal()                         # the AES or GHASH of this state was started
        h = Array(h_of)[slot]
        h_known = Array(h_ok_of)[slot] & (Array(h_nk_of)[slot] == keylen)
        # On signals: Amaranth would otherwise rebuild the expressions at every use.
        kept, count = stage(m, "kept", [kept_bytes(nbytes), Mux(nbytes == 0, 16, nbytes)])
        mask, = stage(m, "mask", [byte_mask(kept)])
        masked, = stage(m, "masked", [data & mask])

        m.d.comb += [aes.decrypt.eq(0), aes.keylen.eq(keylen), aes.slot.eq(slot),
                     aes.key.eq(self.key), aes.key_changed.eq(self.key_changed),
                     aes.hold.eq(0), ghash.h.eq(h),
                     self.key_ready.eq(aes.key_ready), self.wiping.eq(aes.wiping)]
        for s in range(SLOTS):
            with m.If(self.key_changed[s]):
                m.d.sync += h_ok_of[s].eq(0)

        def run_aes(block, then):
            m.d.comb += [aes.din.eq(block), aes.start.eq(~launched)]
            with m.If(~aes.busy):
                m.d.sync += launched.eq(1)
            with m.If(aes.done):
                m.d.sync += launched.eq(0)
                m.next = then

        def run_ghash(x, then):
            """GHASH step y <- (y ^ x) * H, started in this cycle."""
            m.d.comb += [ghash.x.eq(y ^ x), ghash.start.eq(1)]
            m.next = then

        counter_block = Cat(j_iv, _be32(self.ctr))
        out, = stage(m, "output", [(data ^ aes.dout) & mask])
        cipher, = stage(m, "hashed", [Mux(op == GCM_OPS["ENCRYPT"], out, masked)])   # ciphertext
        with m.FSM(init="IDLE") as fsm:
            with m.State("IDLE"):
                with m.If(self.ctr_we):
                    for lane in range(4):
                        with m.If(self.ctr_wmask[8 * lane]):
                            m.d.sync += self.ctr[8 * lane:8 * lane + 8].eq(
                                self.ctr_wdata[8 * lane:8 * lane + 8])
                with m.If(self.start):
                    m.d.sync += [op.eq(self.op), slot.eq(self.slot), keylen.eq(self.keylen),
                                 nbytes.eq(self.nbytes), data.eq(self.din)]
                    with m.Switch(self.op):
                        with m.Case(GCM_OPS["INIT"]):
                            m.d.sync += j_iv.eq(self.iv)
                            m.next = "INIT"
                        with m.Case(GCM_OPS["AAD"]):
                            m.next = "AAD"
                        with m.Case(GCM_OPS["ENCRYPT"], GCM_OPS["DECRYPT"]):
                            m.next = "CTR"
                        with m.Default():
                            m.next = "TAG"
            with m.State("INIT"):
                with m.If(h_known):
                    m.next = "J0"
                with m.Else():
                    m.next = "H"
            with m.State("H"):
                run_aes(Const(0, 128), "H_STORE")
            with m.State("H_STORE"):
                with m.Switch(slot):
                    for s in range(SLOTS):
                        with m.Case(s):
                            m.d.sync += [h_of[s].eq(block_value(aes.dout)), h_ok_of[s].eq(1),
                                         h_nk_of[s].eq(keylen)]
                m.next = "J0"
            with m.State("J0"):
                run_aes(Cat(j_iv, Const(1 << 24, 32)), "J0_STORE")   # 0^31 1, big-endian
            with m.State("J0_STORE"):
                m.d.comb += self.done.eq(1)
                m.d.sync += [ej0.eq(aes.dout), y.eq(0), self.ctr.eq(2),
                             self.aad_bytes.eq(0), self.text_bytes.eq(0)]
                m.next = "IDLE"
            with m.State("AAD"):
                m.d.sync += self.aad_bytes.eq(self.aad_bytes + count)
                run_ghash(block_value(masked), "HASHING")
            with m.State("CTR"):
                run_aes(counter_block, "CTR_OUT")
            with m.State("CTR_OUT"):
                with m.If(self.hold):
                    m.d.comb += self.stalled.eq(1)
                with m.Else():
                    m.d.comb += self.output_done.eq(1)
                    m.d.sync += [self.dout.eq(out), self.ctr.eq(inc32(self.ctr)),
                                 self.text_bytes.eq(self.text_bytes + count)]
                    run_ghash(block_value(cipher), "HASHING")
            with m.State("TAG"):
                # len(A) || len(C) in bits, as 64-bit values: len(A) on top in block order
                lengths = Cat(Const(0, 3), self.text_bytes, Const(0, 29),
                              Const(0, 3), self.aad_bytes, Const(0, 29))
                run_ghash(lengths, "HASHING")
            with m.State("HASHING"):
                with m.If(ghash.done):
                    m.next = "HASHED"
            with m.State("HASHED"):
                with m.If((op == GCM_OPS["TAG"]) & self.hold):
                    m.d.comb += self.stalled.eq(1)
                with m.Else():
                    m.d.comb += self.done.eq(1)
                    m.d.sync += y.eq(ghash.z)
                    with m.If(op == GCM_OPS["TAG"]):
                        m.d.comb += self.output_done.eq(1)
                        m.d.sync += self.dout.eq(block_value(ghash.z) ^ ej0)
                    m.next = "IDLE"
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE") | aes.busy)
        return m
