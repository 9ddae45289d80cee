"""The SHA-256 accelerator as the bus sees it: common registers + BLOCK/DIGEST + Sha256Core."""

from amaranth.hdl import Cat, ResetInserter

from .accelerator import Accelerator, CoreLink
from .bus import byte_swapped, field_bits
from .regmaps import register_map
from .sha256_core import Sha256Core


class Sha256Accelerator(Accelerator):
    LOCKED_WHILE_BUSY = ("DIGEST",)
    INPUT_BUFFER = "BLOCK"
    HOLDS_OUTPUT = False         # DIGEST is a chaining value: a queued block must update it

    def __init__(self):
        super().__init__(register_map("sha256"))

    def attach_core(self, m, regs, link: CoreLink):
        core = Sha256Core()
        m.submodules.core = ResetInserter({"sync": link.clear})(core)
        ctrl = self.regmap["CTRL"]
        block = self.stored_words(m, regs, link, "BLOCK", link.buffer_accepts)
        m.d.comb += [
            core.start.eq(link.start),
            core.init.eq(field_bits(link.ctrl, ctrl.field("INIT"))),
            core.sha224.eq(field_bits(link.ctrl, ctrl.field("SHA224"))),
            core.block.eq(Cat(*(byte_swapped(word) for word in block))),   # big-endian words
            link.busy.eq(core.busy),
            link.taken.eq(core.start),
            link.done.eq(core.done),
        ]
        for i, elem in enumerate(regs.elements("DIGEST")):             # chaining words as values
            m.d.comb += elem.r_data.eq(core.digest[32 * i:32 * i + 32])
            with m.If(link.accepts(elem)):
                m.d.comb += [core.digest_we.eq(1), core.wr_index.eq(i),
                             core.wr_data.eq(regs.w_data), core.wr_mask.eq(regs.w_mask)]
