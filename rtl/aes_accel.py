"""The AES accelerator as the bus sees it: common registers + KEY/DIN/DOUT + AesCore."""

from amaranth.hdl import Cat, Signal

from .accelerator import Accelerator, CoreLink
from .aes_core import AesCore
from .bus import field_bits, store_bytes
from .regmaps import register_map


class AesAccelerator(Accelerator):
    LOCKED_WHILE_BUSY = ("KEY", "DIN")

    def __init__(self):
        super().__init__(register_map("aes"))

    def attach_core(self, m, regs, link: CoreLink):
        core = m.submodules.core = AesCore()
        ctrl = self.regmap["CTRL"]
        key_words = self._stored_words(m, regs, link, "KEY")
        din_words = self._stored_words(m, regs, link, "DIN")
        for elem, word in zip(regs.elements("DIN"), din_words):
            m.d.comb += elem.r_data.eq(word)
        for i, elem in enumerate(regs.elements("DOUT")):
            m.d.comb += elem.r_data.eq(core.dout[32 * i:32 * i + 32])
        m.d.comb += [
            core.start.eq(link.start),
            core.decrypt.eq(field_bits(link.ctrl, ctrl.field("DECRYPT"))),
            core.keylen.eq(field_bits(link.ctrl, ctrl.field("KEYLEN"))),
            core.key.eq(Cat(*key_words)),
            core.key_changed.eq(Cat(*(link.accepts(e) for e in regs.elements("KEY"))).any()),
            core.din.eq(Cat(*din_words)),
            link.busy.eq(core.busy),
            link.done.eq(core.done),
        ]
        link.status["KEY_READY"] = core.key_ready

    @staticmethod
    def _stored_words(m, regs, link, name):
        words = []
        for i, elem in enumerate(regs.elements(name)):
            word = Signal(32, name=f"{name.lower()}{i}")
            with m.If(link.accepts(elem)):
                store_bytes(m, word, regs.w_data, regs.w_mask)
            words.append(word)
        return words
