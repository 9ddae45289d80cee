"""The AES-GCM accelerator as the bus sees it: common registers + KEY0/KEY1/IV/CTR/DIN/
DOUT + GcmCore."""

from amaranth.hdl import Cat, ResetInserter

from .accelerator import Accelerator, CoreLink
from .bus import field_bits
from .gcm_core import SLOTS, GcmCore
from .regmaps import register_map


class GcmAccelerator(Accelerator):
    LOCKED_WHILE_BUSY = ("KEY0", "KEY1", "IV", "CTR")
    INPUT_BUFFER = "DIN"
    HOLDS_OUTPUT = True

    def __init__(self):
        super().__init__(register_map("gcm"))

    def attach_core(self, m, regs, link: CoreLink):
        core = GcmCore()
        m.submodules.core = ResetInserter({"sync": link.clear})(core)
        ctrl = self.regmap["CTRL"]
        keys = [self.stored_words(m, regs, link, f"KEY{s}", link.accepts) for s in range(SLOTS)]
        iv = self.stored_words(m, regs, link, "IV", link.accepts)
        din = self.stored_words(m, regs, link, "DIN", link.buffer_accepts)
        for name, words in (("IV", iv), ("DIN", din)):
            for elem, word in zip(regs.elements(name), words):
                m.d.comb += elem.r_data.eq(word)
        for i, elem in enumerate(regs.elements("DOUT")):
            m.d.comb += elem.r_data.eq(core.dout[32 * i:32 * i + 32])
        ctr, = regs.elements("CTR")
        aad, = regs.elements("AAD_BYTES")
        text, = regs.elements("TEXT_BYTES")
        m.d.comb += [
            core.start.eq(link.start),
            core.hold.eq(link.hold),
            core.op.eq(field_bits(link.ctrl, ctrl.field("OP"))),
            core.slot.eq(field_bits(link.ctrl, ctrl.field("SLOT"))),
            core.keylen.eq(field_bits(link.ctrl, ctrl.field("KEYLEN"))),
            core.nbytes.eq(field_bits(link.ctrl, ctrl.field("BYTES"))),
            core.key.eq(Cat(*(word for slot in keys for word in slot))),
            core.key_changed.eq(Cat(*(Cat(*(link.accepts(e) for e in regs.elements(f"KEY{s}"))).any()
                                      for s in range(SLOTS)))),
            core.iv.eq(Cat(*iv)),
            core.din.eq(Cat(*din)),
            core.ctr_we.eq(link.accepts(ctr)),
            core.ctr_wdata.eq(regs.w_data),
            core.ctr_wmask.eq(regs.w_mask),
            ctr.r_data.eq(core.ctr),
            aad.r_data.eq(core.aad_bytes),
            text.r_data.eq(core.text_bytes),
            link.busy.eq(core.busy),
            link.taken.eq(link.start),
            link.done.eq(core.done),
            link.stalled.eq(core.stalled),
            link.wiping.eq(core.wiping),
        ]
        link.output_done = core.output_done
        link.status["KEY_READY"] = core.key_ready
