"""The SHA-256 accelerator as the bus sees it: common registers + BLOCK/DIGEST + Sha256Core."""

from .accelerator import Accelerator, CoreLink
from .bus import byte_swapped, field_bits
from .regmaps import register_map
from .sha256_core import Sha256Core


class Sha256Accelerator(Accelerator):
    LOCKED_WHILE_BUSY = ("BLOCK", "DIGEST")

    def __init__(self):
        super().__init__(register_map("sha256"))

    def attach_core(self, m, regs, link: CoreLink):
        core = m.submodules.core = Sha256Core()
        ctrl = self.regmap["CTRL"]
        block, digest = regs.elements("BLOCK"), regs.elements("DIGEST")
        m.d.comb += [
            core.start.eq(link.start),
            core.init.eq(field_bits(link.ctrl, ctrl.field("INIT"))),
            core.sha224.eq(field_bits(link.ctrl, ctrl.field("SHA224"))),
            link.busy.eq(core.busy),
            link.done.eq(core.done),
        ]
        for i, elem in enumerate(block):              # bytes in order -> big-endian word
            with m.If(link.accepts(elem)):
                m.d.comb += [core.block_we.eq(1), core.wr_index.eq(i),
                             core.wr_data.eq(byte_swapped(regs.w_data)),
                             core.wr_mask.eq(byte_swapped(regs.w_mask))]
        for i, elem in enumerate(digest):             # chaining words as values
            m.d.comb += elem.r_data.eq(core.digest[32 * i:32 * i + 32])
            with m.If(link.accepts(elem)):
                m.d.comb += [core.digest_we.eq(1), core.wr_index.eq(i),
                             core.wr_data.eq(regs.w_data), core.wr_mask.eq(regs.w_mask)]
