"""The AES accelerator as the bus sees it: common registers + KEY/DIN/DOUT + AesCore."""

from amaranth.hdl import Cat, ResetInserter

from .accelerator import Accelerator, CoreLink
from .aes_core import AesCore
from .bus import field_bits
from .regmaps import register_map


class AesAccelerator(Accelerator):
    LOCKED_WHILE_BUSY = ("KEY",)
    INPUT_BUFFER = "DIN"
    HOLDS_OUTPUT = True          # a queued block would overwrite DOUT

    def __init__(self):
        super().__init__(register_map("aes"))

    def attach_core(self, m, regs, link: CoreLink):
        core = AesCore()
        # CLEAR resets every flip-flop of the core; its FSM then starts in WIPE.
        m.submodules.core = ResetInserter({"sync": link.clear})(core)
        ctrl = self.regmap["CTRL"]
        key_words = self.stored_words(m, regs, link, "KEY", link.accepts)
        din_words = self.stored_words(m, regs, link, "DIN", link.buffer_accepts)
        for elem, word in zip(regs.elements("DIN"), din_words):
            m.d.comb += elem.r_data.eq(word)
        for i, elem in enumerate(regs.elements("DOUT")):
            m.d.comb += elem.r_data.eq(core.dout[32 * i:32 * i + 32])
        m.d.comb += [
            core.start.eq(link.start),
            core.hold.eq(link.hold),
            core.decrypt.eq(field_bits(link.ctrl, ctrl.field("DECRYPT"))),
            core.keylen.eq(field_bits(link.ctrl, ctrl.field("KEYLEN"))),
            core.key.eq(Cat(*key_words)),
            core.key_changed.eq(Cat(*(link.accepts(e) for e in regs.elements("KEY"))).any()),
            core.din.eq(Cat(*din_words)),
            link.busy.eq(core.busy),
            link.taken.eq(core.taken),
            link.done.eq(core.done),
            link.stalled.eq(core.stalled),
            link.wiping.eq(core.wiping),
        ]
        link.status["KEY_READY"] = core.key_ready
