"""GHASH multiplier: Z = X * H in GF(2^128) (NIST SP 800-38D, 6.3), digit-serial.

Values are in "block order": the 128-bit integer whose most significant bit is bit x0
of the block, i.e. the block's 16 bytes read big-endian (`block_value`). Multiplying by
the field's x is then a right shift, with R = 0xE1 << 120 folded in when bit 0 falls
out. Each cycle handles DIGIT_BITS bits of X, most significant first (SP 800-38D
Algorithm 1 unrolled DIGIT_BITS times), so a product takes 128 / DIGIT_BITS cycles;
Z and V live in flip-flops, X is shifted out of its own register.
"""

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .stages import stage

BITS = 128
DIGIT_BITS = 8
CYCLES = BITS // DIGIT_BITS
R = 0xE1 << 120


def block_value(byte_image):
    """A block as the bus stores it (byte k at bits 8k) -> block order (byte 0 on top)."""
    return Cat(*(byte_image[8 * k:8 * k + 8] for k in reversed(range(16))))


def times_x(v):
    """V * x: a right shift in block order, reduced by R when bit 0 falls out."""
    return (v >> 1) ^ Mux(v[0], R, 0)


class GhashMultiplier(wiring.Component):
    """`x` and `h` are read in the cycle `start` is high; `z` holds the product from the
    cycle after `done` (high in the last cycle) until the next start."""

    start: In(1)
    x: In(BITS)
    h: In(BITS)
    z: Out(BITS)
    busy: Out(1)
    done: Out(1)

    def elaborate(self, platform):
        m = Module()
        x_left, v = Signal(BITS), Signal(BITS)
        count = Signal(range(CYCLES))
        # In the start cycle the digit comes straight from the inputs.
        x_now = stage(m, "ghash_x", [Mux(self.busy, x_left, self.x)])[0]
        v_now = stage(m, "ghash_v", [Mux(self.busy, v, self.h)])[0]
        z_now = Mux(self.busy, self.z, 0)
        for j in range(DIGIT_BITS):
            bit = x_now[BITS - 1 - j]
            z_now, v_now = stage(m, f"ghash_step{j}", [z_now ^ Mux(bit, v_now, 0), times_x(v_now)])
        with m.If(self.start | self.busy):
            m.d.sync += [self.z.eq(z_now), v.eq(v_now), x_left.eq(x_now << DIGIT_BITS)]
        with m.If(self.start & ~self.busy):
            m.d.sync += [self.busy.eq(1), count.eq(1)]
        with m.Elif(self.busy):
            m.d.sync += count.eq(count + 1)
            with m.If(count == CYCLES - 1):
                m.d.comb += self.done.eq(1)
                m.d.sync += self.busy.eq(0)
        return m
