"""AES-128/192/256 block core: one round per cycle, key schedule expanded once per key.

Datapath. The 16 S-boxes are 512x8 ROMs ({inverse, byte} -> S or S^-1) with a
registered output, so they map onto iCE40 block RAMs; their output register *is* the
cipher state. Each cycle the combinational path finishes the round whose SubBytes
the ROMs just produced (MixColumns/InvMixColumns, AddRoundKey) and presents the next
round's S-box addresses. ShiftRows is a wiring permutation on those addresses.
Decryption is the straight inverse cipher; InvMixColumns reuses the MixColumns network
behind a cheap premap (see aes_math.inv_mix_premap).

Key schedule. Round keys live in four RAM banks of 16 x 32 bits (bank j = word j of every round
key). START with a key schedule that does not match KEY/KEYLEN first expands it,
one word per cycle, borrowing four of the data S-boxes; later blocks, in either
direction, read the stored schedule. The first round key of encryption is KEY itself
and the last one (decryption's first) is prefetched from the RAM while idle, which is
what lets the START cycle already feed the S-boxes.

Timing (cycle 0 = the cycle `start` is high, the cycle after the bus wrote START):
blocks finish at the edge ending cycle Nr, so a queued block can begin in cycle Nr + 1:
11/13/15 cycles per block. A key schedule expansion adds 4 * (Nr + 1) + 1 cycles in
front. With `hold` high the last round waits, its state frozen (`stalled`), so that a
result is never written over one not yet released.

Zeroization. The FSM starts in WIPE, after power-on, reset or CLEAR (the bus shell
resets the core's flip-flops with CLEAR): 16 cycles writing zeros into the round-key
RAM. The S-box output registers are addressed with KEY ^ DIN meanwhile (both wiped by
then), so no key-derived byte survives in any memory or register.
"""


from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .aes_math import inv_mix_premap, inv_sbox, mix_column, sbox, xtime
from .stages import stage

BLOCK_BYTES = 16
MAX_KEY_WORDS = 8
ROUND_KEY_ROWS = 16                   # words per round-key RAM bank
# True only in a deliberately broken variant (--rtl-fault aes-final-round, planted by
# tlscosim.sim.board.peripherals.accelerator_faults): DOUT takes the state that enters the
# final round instead of the final round's output. False builds the shipped design.
SKIP_FINAL_ROUND = False


def _shift_rows_source(inverse: bool) -> list[int]:
    """For each state byte r + 4c after (Inv)ShiftRows, the byte it comes from."""
    step = -1 if inverse else 1
    return [r + 4 * ((c + step * r) % 4) for c in range(4) for r in range(4)]


def key_words_for(keylen_code):
    """Nk for a CTRL.KEYLEN code (0: 4, 1: 6, 2 or 3: 8) on an Amaranth value."""
    return Mux(keylen_code == 0, 4, Mux(keylen_code == 1, 6, 8))


def _bytes(value, count):
    return [value[8 * k:8 * k + 8] for k in range(count)]


class AesCore(wiring.Component):
    """`decrypt`/`keylen`/`slot` are read in the cycle `start` is high; `din` until
    `taken`; `key` must stay stable while `busy` (the bus shell locks them then).

    With `slots` > 1 the core keeps that many key schedules (slot s in rows 16s.. of the
    round-key RAM, which has the depth to spare on iCE40) and `key` holds one key per
    slot: switching between slots costs no re-expansion."""

    def __init__(self, slots: int = 1):
        self.slots = slots
        key_bits = 8 * 4 * MAX_KEY_WORDS
        super().__init__({
            "start": In(1),
            "hold": In(1),                        # do not write DOUT yet (an unreleased result)
            "decrypt": In(1),
            "keylen": In(2),
            "slot": In(max(1, (slots - 1).bit_length())),
            "key": In(key_bits * slots),          # slot s, key byte k at bits key_bits*s + 8k
            "key_changed": In(slots),             # KEY of a slot was written: its schedule is stale
            "din": In(8 * BLOCK_BYTES),           # block byte k at bits 8k
            "dout": Out(8 * BLOCK_BYTES),
            "busy": Out(1),
            "done": Out(1),                       # high in the last cycle of a block
            "taken": Out(1),                      # DIN is read in this cycle for the last time
            "stalled": Out(1),                    # waiting on `hold`, state frozen
            "wiping": Out(1),                     # WIPE: KEY and DIN are not in use
            "key_ready": Out(1),                  # the schedule of `slot` matches `keylen`
        })

    def elaborate(self, platform):
        m = Module()
        rom = list(sbox()) + list(inv_sbox())
        sbox_ports = []
        for k in range(BLOCK_BYTES):
            mem = m.submodules[f"sbox{k}"] = Memory(shape=8, depth=512, init=rom)
            sbox_ports.append(mem.read_port())
        sbox_out = [p.data for p in sbox_ports]

        rows = ROUND_KEY_ROWS * self.slots
        rk_read, rk_write = [], []
        for j in range(4):
            mem = m.submodules[f"round_keys{j}"] = Memory(shape=32, depth=rows, init=[])
            rk_read.append(mem.read_port())
            rk_write.append(mem.write_port())
        rk_addr = Signal(4)                # the round key wanted in the *next* cycle
        op_slot = Signal(len(self.slot))
        cur_slot = Signal(len(self.slot))  # the slot in use: latched while busy
        row_of = (lambda addr: Cat(addr, cur_slot)) if self.slots > 1 else (lambda addr: addr)
        m.d.comb += [p.addr.eq(row_of(rk_addr)) for p in rk_read]
        rk = [byte for p in rk_read for byte in _bytes(p.data, 4)]

        # -- operation state ------------------------------------------------------------
        op_dec = Signal()
        op_nk = Signal(4)
        op_nr = op_nk + 6
        rnd = Signal(4)
        valid_of = [Signal(name=f"key_valid{s}") for s in range(self.slots)]
        nk_of = [Signal(4, name=f"exp_nk{s}") for s in range(self.slots)]   # Nk of each schedule
        key_valid, exp_nk = Array(valid_of)[cur_slot], Array(nk_of)[cur_slot]
        nk_in = key_words_for(self.keylen)
        key_ok = key_valid & (exp_nk == nk_in)
        m.d.comb += self.key_ready.eq(key_ok)
        key_bits = 8 * 4 * MAX_KEY_WORDS
        if self.slots > 1:             # on a signal: slices of an Array would each be a mux
            key, = stage(m, "slot_key", [Array(self.key[key_bits * s:key_bits * (s + 1)]
                                               for s in range(self.slots))[cur_slot]])
        else:
            key = self.key

        # -- round datapath -------------------------------------------------------------
        unmixed = stage(m, "unmixed", [Mux(op_dec, s ^ k, s) for s, k in zip(sbox_out, rk)])
        premapped = []
        for c in range(4):
            col = unmixed[4 * c:4 * c + 4]
            premapped += [Mux(op_dec, p, u) for p, u in zip(inv_mix_premap(col), col)]
        premapped = stage(m, "premapped", premapped)
        mixed = []
        for c in range(4):
            mixed += mix_column(premapped[4 * c:4 * c + 4])
        mixed = stage(m, "mixed", mixed)
        round_out = [Mux(op_dec, v, v ^ k) for v, k in zip(mixed, rk)]
        final_out = Cat(*(s ^ k for s, k in zip(sbox_out, rk)))

        # The START cycle (or PRE after an expansion) whitens DIN with the first round key.
        first = Signal()
        first_dec = Signal()
        after_expansion = Signal()
        prev = Signal(32)                  # key expansion: w[i-1]
        # Decryption starts with the last round key, read from the RAM; right after an
        # expansion its last word was written in the very cycle it is read (the RAM
        # returns the old word then), so that one word comes from `prev`.
        last_word3 = Mux(after_expansion, prev, rk_read[3].data)
        first_key = Mux(first_dec, Cat(*rk[:12], last_word3), key[:8 * BLOCK_BYTES])
        first_in = _bytes(self.din ^ first_key, BLOCK_BYTES)
        next_in = stage(m, "next_in", [Mux(first, f, r) for f, r in zip(first_in, round_out)])

        # -- key expansion (FIPS-197 5.2), one word w[i] per cycle --------------------------
        expanding = Signal()
        ki = Signal(6)                     # i
        kmod = Signal(3)                   # i mod Nk
        rcon = Signal(8)
        back_sel = Signal(2)               # bank holding w[i-Nk], read last cycle
        back_next = Signal(6)              # i + 1 - Nk (mod 64): what to read for next cycle
        m.d.comb += back_next.eq(ki + 1 - op_nk)
        key_words = Array(key[32 * j:32 * j + 32] for j in range(MAX_KEY_WORDS))
        sub = Cat(*sbox_out[:4])           # SubWord(w[i-1]): S-box 0..3 addressed with w[i-1]
        back_word = Array(p.data for p in rk_read)[back_sel]
        temp = Mux(kmod == 0, Cat(sub[8:], sub[:8]) ^ rcon,      # RotWord after SubWord, Rcon
                   Mux((op_nk == 8) & (kmod == 4), sub, prev))
        w_new, = stage(m, "key_word", [Mux(ki < op_nk, key_words[kmod], back_word ^ temp)])
        wiping = Signal()
        wipe_row = Signal(range(rows))
        stage(m, "key_store", [value for j in range(4) for value in
                               (Mux(wiping, wipe_row, row_of(ki[2:])), Mux(wiping, 0, w_new),
                                wiping | (expanding & (ki[:2] == j)))],
              targets=[t for p in rk_write for t in (p.addr, p.data, p.en)])

        # -- S-box addresses: (Inv)ShiftRows of the next state, or the key word ------------
        inverse = Mux(first, first_dec, op_dec)
        forward_src, inverse_src = _shift_rows_source(False), _shift_rows_source(True)
        addresses = []
        for k in range(BLOCK_BYTES):
            address = Cat(Mux(inverse, next_in[inverse_src[k]], next_in[forward_src[k]]), inverse)
            if k < 4:
                address = Mux(expanding, Cat(w_new[8 * k:8 * k + 8], Const(0, 1)), address)
            addresses.append(address)
        stage(m, "sbox_address", addresses, targets=[p.addr for p in sbox_ports])
        stalled = Signal()
        m.d.comb += [p.en.eq(~stalled) for p in sbox_ports]

        # -- control ---------------------------------------------------------------------
        last_word = Signal(6)
        if SKIP_FINAL_ROUND:
            pre_final = Signal(8 * BLOCK_BYTES)
        m.d.comb += last_word.eq(4 * op_nk + 27)         # 4 * (Nr + 1) - 1
        with m.FSM(init="WIPE") as fsm:
            with m.State("WIPE"):
                # rk_addr stays 0: the read registers end up holding a wiped word.
                m.d.comb += [wiping.eq(1), first.eq(1), first_dec.eq(self.decrypt)]
                m.d.sync += wipe_row.eq(wipe_row + 1)
                with m.If(wipe_row == rows - 1):
                    m.next = "IDLE"
            with m.State("IDLE"):
                m.d.comb += [first.eq(1), first_dec.eq(self.decrypt), rk_addr.eq(exp_nk + 6)]
                for s in range(self.slots):
                    with m.If(self.key_changed[s]):
                        m.d.sync += valid_of[s].eq(0)
                with m.If(self.start):
                    m.d.sync += [op_dec.eq(self.decrypt), op_nk.eq(nk_in), op_slot.eq(self.slot)]
                    with m.If(key_ok):
                        m.d.comb += [self.taken.eq(1), rk_addr.eq(Mux(self.decrypt, nk_in + 5, 1))]
                        m.d.sync += rnd.eq(1)
                        m.next = "ROUND"
                    with m.Else():
                        m.d.sync += [ki.eq(0), kmod.eq(0), rcon.eq(1)]
                        m.next = "EXPAND"
            with m.State("EXPAND"):
                m.d.comb += expanding.eq(1)
                m.d.sync += [prev.eq(w_new), ki.eq(ki + 1), back_sel.eq(back_next[:2]),
                             kmod.eq(Mux(kmod + 1 == op_nk, 0, kmod + 1))]
                with m.If((ki >= op_nk) & (kmod == 0)):
                    m.d.sync += rcon.eq(xtime(rcon))
                with m.If(ki == last_word):
                    m.d.comb += rk_addr.eq(op_nr)
                    m.d.sync += [key_valid.eq(1), exp_nk.eq(op_nk)]   # of op_slot (= cur_slot)
                    m.next = "PRE"
                with m.Else():
                    m.d.comb += rk_addr.eq(back_next[2:])
            with m.State("PRE"):
                m.d.comb += [first.eq(1), first_dec.eq(op_dec), after_expansion.eq(1), self.taken.eq(1),
                             rk_addr.eq(Mux(op_dec, op_nk + 5, 1))]
                m.d.sync += rnd.eq(1)
                m.next = "ROUND"
            with m.State("ROUND"):
                with m.If(rnd == op_nr):
                    m.d.comb += rk_addr.eq(op_nr)
                    with m.If(self.hold):
                        m.d.comb += stalled.eq(1)
                    with m.Else():
                        m.d.comb += self.done.eq(1)
                        m.d.sync += self.dout.eq(final_out if not SKIP_FINAL_ROUND else pre_final)
                        m.next = "IDLE"
                with m.Else():
                    m.d.comb += rk_addr.eq(Mux(op_dec, op_nr - rnd - 1, rnd + 1))
                    m.d.sync += rnd.eq(rnd + 1)
                    if SKIP_FINAL_ROUND:
                        with m.If(rnd + 1 == op_nr):
                            m.d.sync += pre_final.eq(Cat(*next_in))
        m.d.comb += cur_slot.eq(Mux(fsm.ongoing("IDLE"), self.slot, op_slot))
        m.d.comb += [self.busy.eq(~fsm.ongoing("IDLE")), self.stalled.eq(stalled),
                     self.wiping.eq(wiping)]
        return m
