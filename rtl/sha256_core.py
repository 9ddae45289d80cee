"""SHA-256 compression core (SHA-224 initial values as an option): one round per cycle.

The message schedule is a 16-word shift window: each round consumes W[t] from its head
and appends W[t+16]. The bus writes the block into a separate input buffer (`block`),
which round 0 reads directly while it loads the window, so the next block can be
written while one runs. K comes from a 64x32 ROM with a registered output (an iCE40
block RAM), read one round ahead.

Timing (cycle 0 = the cycle `start` is high): round 0 runs in that cycle on the chaining
value (or the initial values with INIT), rounds 1..63 in cycles 1..63, and the chaining
addition H += (a..h) in cycle 64, so a queued block can begin in cycle 65: 65 cycles
per block. The core's flip-flops are its whole state (reset clears them all).
"""

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .bus import store_bytes
from .sha256_math import initial_values, round_constants
from .stages import stage

ROUNDS = 64
WINDOW_WORDS = 16
STATE_WORDS = 8


def _big_sigma0(x):
    return x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)


def _big_sigma1(x):
    return x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)


def _small_sigma0(x):
    return x.rotate_right(7) ^ x.rotate_right(18) ^ x.shift_right(3)


def _small_sigma1(x):
    return x.rotate_right(17) ^ x.rotate_right(19) ^ x.shift_right(10)


class Sha256Core(wiring.Component):
    """`init`/`sha224`/`block` are read in the cycle `start` is high. The write port loads
    one chaining word; the bus shell only uses it while the core is idle."""

    start: In(1)
    init: In(1)
    sha224: In(1)
    block: In(32 * WINDOW_WORDS)         # the input buffer: W[i] (big-endian value) at bits 32i
    digest_we: In(1)
    wr_index: In(3)
    wr_data: In(32)
    wr_mask: In(32)
    digest: Out(32 * STATE_WORDS)        # H_i at bits 32i
    busy: Out(1)
    done: Out(1)                         # high in the last cycle of a block

    def elaborate(self, platform):
        m = Module()
        k_rom = m.submodules.k_rom = Memory(shape=32, depth=ROUNDS, init=round_constants(),
                                            attrs={"rom_style": "block"})
        k_port = k_rom.read_port()
        k_next = Signal(6)                   # round whose K is wanted in the next cycle
        m.d.comb += k_port.addr.eq(k_next)

        chain = [Signal(32, name=f"h{i}") for i in range(STATE_WORDS)]
        work = [Signal(32, name=f"work{i}") for i in range(STATE_WORDS)]   # a..h
        window = [Signal(32, name=f"w{i}") for i in range(WINDOW_WORDS)]
        rnd = Signal(6)
        m.d.comb += self.digest.eq(Cat(*chain))

        # Round 0 runs in the START cycle, on H or on the initial values, and on the buffer.
        first = Signal()
        buffer = [self.block[32 * i:32 * i + 32] for i in range(WINDOW_WORDS)]
        schedule = stage(m, "window_in", [Mux(first, b, w) for b, w in zip(buffer, window)])
        iv = [Mux(self.sha224, c224, c256)
              for c256, c224 in zip(initial_values(False), initial_values(True))]
        base = stage(m, "base", [Mux(self.init, v, h) for v, h in zip(iv, chain)])
        cur = stage(m, "cur", [Mux(first, b, w) for b, w in zip(base, work)])
        a, b, c, d, e, f, g, h = cur
        s1, ch, s0, maj, hkw = stage(m, "terms", [
            _big_sigma1(e), (e & f) ^ (~e & g), _big_sigma0(a), (a & b) ^ (a & c) ^ (b & c),
            (h + k_port.data + schedule[0])[:32]])
        t1, t2 = stage(m, "temps", [(hkw + s1 + ch)[:32], (s0 + maj)[:32]])
        new_w, = stage(m, "schedule", [
            (_small_sigma1(schedule[14]) + schedule[9] + _small_sigma0(schedule[1]) + schedule[0])[:32]])

        def do_round():
            m.d.sync += [work[0].eq(t1 + t2), work[4].eq(d + t1)]
            m.d.sync += [work[i].eq(cur[i - 1]) for i in (1, 2, 3, 5, 6, 7)]
            m.d.sync += [window[i].eq(schedule[i + 1]) for i in range(WINDOW_WORDS - 1)]
            m.d.sync += window[-1].eq(new_w)

        with m.FSM() as fsm:
            with m.State("IDLE"):
                m.d.comb += first.eq(1)
                with m.If(self.start):
                    do_round()
                    m.d.comb += k_next.eq(1)
                    m.d.sync += [hi.eq(bi) for hi, bi in zip(chain, base)]
                    m.d.sync += rnd.eq(1)
                    m.next = "ROUND"
                with m.Elif(self.digest_we):
                    with m.Switch(self.wr_index):
                        for i, word in enumerate(chain):
                            with m.Case(i):
                                store_bytes(m, word, self.wr_data, self.wr_mask)
            with m.State("ROUND"):
                do_round()
                m.d.comb += k_next.eq(rnd + 1)
                m.d.sync += rnd.eq(rnd + 1)
                with m.If(rnd == ROUNDS - 1):
                    m.next = "CHAIN"
            with m.State("CHAIN"):
                m.d.comb += self.done.eq(1)
                m.d.sync += [hi.eq(hi + wi) for hi, wi in zip(chain, work)]
                m.next = "IDLE"
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE"))
        return m
