"""Instruction and cycle accounting: the native hook's counters, seen from Python.

The native hook (native/cyclehook.c) counts whole blocks as they start. This class
fills its cost table on demand (decode + timing model, once per block), and answers the
finer questions the hook cannot: the exact cycle of the instruction performing a
memory-mapped access (see `now`), and undoing the part of a block that a fault cut short.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from . import native
from ..architecture.alignment import AlignmentCheck, alignment_checks
from .decode import UNKNOWN, Insn, control_flow, decode_block
from .timing import BlockTiming


@dataclass(frozen=True, slots=True)
class DecodedBlock:
    address: int
    size: int
    insns: tuple[Insn, ...]
    timing: BlockTiming

    def index_of(self, pc: int) -> int | None:
        for i, insn in enumerate(self.insns):
            if insn.address == pc:
                return i
        return None


def _makes_several_accesses(insn: Insn) -> bool:
    """LDM/STM/LDRD/STRD: the access cursor stays on them for their next access."""
    return bool(insn.reg_list) or insn.mnemonic in ("ldrd", "strd")


class CycleAccounting:
    """Counters of one CPU. `cycles` includes exception overhead and sleep added here."""

    def __init__(self, cpu, timing_model):
        self._cpu = cpu
        self._model = timing_model
        self._blocks: list[DecodedBlock] = []
        self.decode_error: str | None = None
        self._lib, self._state, self._sh = cpu.attach_accounting(
            self._on_miss, refills=getattr(timing_model, "refills", True))
        # The access cursor lives in the shared counters: native windows move it too.
        self._sh.cursor_block = -1
        self._replaced_listeners: list = []
        # Corrections to the table sums (faults that cut a block short).
        self._adjust = {"instructions": 0, "cpi": 0, "lsu": 0, "fold": 0}
        self._sites_installed: set[int] = set()
        self._aligns_installed: dict[int, int] = {}   # instruction -> its native alignment check
        self._sites_pending: list = []      # (block, sites) waiting for install_sites()
        self._site_handles: list[int] = []

    # -- the cost table ------------------------------------------------------------

    def _on_miss(self, address: int, size: int) -> int:
        # Called from C inside the block hook: must never raise.
        try:
            code = self._cpu.read_memory(address, size)
            insns = decode_block(code, address)
            timing = self._model.block(insns)
        except Exception as exc:  # noqa: BLE001 - any failure is reported by the run loop
            self.decode_error = f"cannot decode block at {address:#010x}+{size}: {exc}"
            return -1
        cost = native.BlockCost(addr=address, size=size, ninsn=len(insns), cycles=timing.cycles,
                                end=timing.end, refill=timing.refill, cpi=timing.cpi,
                                lsu=timing.lsu, fold=timing.fold, flow=control_flow(insns))
        index = self._lib.tcs_insert(self._state, ctypes.byref(cost))
        if index >= 0 and self._lib.tcs_set_block_fp(self._state, index, int(any(i.fp for i in insns))) != 0:
            index = -1
        block = DecodedBlock(address, size, tuple(insns), timing)
        if index == len(self._blocks):
            self._blocks.append(block)
        elif 0 <= index < len(self._blocks):
            self._blocks[index] = block
            for listener in self._replaced_listeners:
                listener(index)
        new_sites = [site for site in timing.sites if site.address not in self._sites_installed]
        new_sites += [check for check in alignment_checks(insns) if check.address not in self._aligns_installed]
        if new_sites:
            # The translation the CPU is about to run lacks the instruction hooks: stop
            # before it; the run loop installs them and has the block translated again.
            self._sites_pending.append((block, new_sites))
            return native.MISS_RETRANSLATE
        return index

    def map_code_memory(self, base: int, size: int) -> None:
        """Blocks in [base, base+size) are found by a direct lookup (the hot path)."""
        if self._lib.tcs_set_direct_map(self._state, base, size) != 0:
            raise MemoryError("native direct map allocation failed")

    def add_wait_states(self, begin: int, end: int, wait_states: int) -> None:
        """Charges `wait_states` cycles per data access to [begin, end)."""
        handle = self._lib.tcs_wait_new(self._state, wait_states)
        if not handle:
            raise MemoryError("native wait-state hook allocation failed")
        self._site_handles.append(handle)
        self._cpu.add_data_access_hook(begin, end, native.wait_hook_address(), handle)

    def install_sites(self) -> None:
        """Hooks the instructions of blocks decoded since the last call (see _on_miss)."""
        hook = native.site_hook_address()
        for block, sites in self._sites_pending:
            for site in sites:
                if isinstance(site, AlignmentCheck):
                    self._install_alignment_check(site)
                    continue
                if site.address in self._sites_installed:
                    continue
                reg = lambda name: self._cpu.register_id(name) if name else 0
                handle = self._lib.tcs_site_new(self._state, site.kind, site.cond, reg(site.rn), reg(site.rm),
                                                int(site.is_signed), site.assumed, site.executed,
                                                site.skipped, site.lsu)
                if not handle:
                    raise MemoryError("native site allocation failed")
                self._site_handles.append(handle)
                self._cpu.add_instruction_hook(site.address, hook, handle)
                self._sites_installed.add(site.address)
            self._cpu.flush_code(block.address, block.address + block.size)
        self._sites_pending.clear()

    def _install_alignment_check(self, check: AlignmentCheck) -> None:
        if check.address in self._aligns_installed:
            return
        handle = self._lib.tcs_align_new(self._state, check.cond, self._cpu.register_id(check.base),
                                         check.offset, check.mask)
        if not handle:
            raise MemoryError("native alignment check allocation failed")
        self._site_handles.append(handle)
        self._cpu.add_instruction_hook(check.address, native.align_hook_address(), handle)
        self._aligns_installed[check.address] = handle

    def undecoded_executed(self) -> dict[int, str]:
        """Instructions the decoder could not decode, in blocks that ran: address -> text.
        (Costed as one cycle; the run loop leaves out those the engine found undefined.)"""
        return {insn.address: insn.text for block, count in self.blocks_with_counts() if count
                for insn in block.insns if insn.mnemonic == UNKNOWN}

    def untrapped_misaligned(self) -> dict[int, int]:
        """Instruction -> misaligned executions inside IT blocks that could not be trapped."""
        counts = {addr: self._lib.tcs_align_missed(handle) for addr, handle in self._aligns_installed.items()}
        return {addr: n for addr, n in counts.items() if n}

    def alignment_fault(self, pc: int) -> str | None:
        """Why the instruction at `pc` (the CPU stopped before it: StopReason.UNALIGNED)
        may not run, in words."""
        block = self._blocks[self._sh.cur_block]
        index = block.index_of(pc)
        checks = {c.address: c for c in alignment_checks(list(block.insns))}
        if index is None or pc not in checks:
            return None
        check = checks[pc]
        return check.describe(block.insns[index], self._cpu.reg(check.base))

    def set_fp_trap(self, trap: bool, pass_address: int = 1) -> None:
        """While `trap`, the CPU stops before any block holding an FP instruction (but
        once for the block at `pass_address`): see sim/architecture/fpu.py."""
        self._lib.tcs_set_fp_trap(self._state, int(trap), pass_address)

    def fp_trapped_block(self) -> DecodedBlock:
        """The block an FP trap stopped before."""
        return self._blocks[self._lib.tcs_fp_trapped(self._state)]

    def add_stall_cycles(self, n: int) -> None:
        """Cycles an instruction waits for the load/store unit outside the block's static
        cost (a lazy FP state save): counted by LSUCNT."""
        self._sh.cycles += n
        self._sh.site_lsu += n

    def set_observer(self, function_pointer: int | None, context: int | None) -> None:
        """Installs a native tcs_observer_fn called after every counted block."""
        self._lib.tcs_set_observer(self._state, function_pointer, context)

    def block(self, index: int) -> DecodedBlock:
        return self._blocks[index]

    def blocks_with_counts(self):
        """(DecodedBlock, executions) for every block seen: the flat profile's input."""
        out = native.BlockCost()
        for i, block in enumerate(self._blocks):
            self._lib.tcs_get_block(self._state, i, ctypes.byref(out))
            yield block, out.count

    # -- counters ------------------------------------------------------------------

    @property
    def shared(self) -> native.SharedCounters:
        return self._sh

    def _totals(self) -> dict[str, int]:
        totals = native.Totals()
        self._lib.tcs_totals(self._state, ctypes.byref(totals))
        out = {name: getattr(totals, name) + adj for name, adj in self._adjust.items()}
        out["cpi"] += self._sh.refill_cycles + self._sh.site_cpi
        out["lsu"] += self._sh.site_lsu
        return out

    @property
    def instructions(self) -> int:
        return self._totals()["instructions"]

    @property
    def block_cycles(self) -> int:
        """Cycles counted up to the end of the current block."""
        return self._sh.cycles

    def add_cycles(self, n: int) -> None:
        """Cycles spent outside blocks (exception entry/return, sleep)."""
        self._sh.cycles += n

    def set_deadline(self, cycle: int) -> None:
        """Stop before the first block that starts at or after `cycle`."""
        sh = self._sh
        sh.deadline_after_watch = min(cycle, 2**64 - 1)
        # A pending stop or an interrupt watch needs the hook's slow path at every block.
        sh.deadline = 0 if (sh.stop_request or sh.watch_irq) else sh.deadline_after_watch

    def request_stop(self) -> None:
        """Stop before the next block (safe to call from a device access)."""
        self._sh.stop_request = 1
        self._sh.deadline = 0

    def watch_interrupt(self, group_priority: int | None, group_mask: int = 0xFF) -> None:
        """Stop as soon as PRIMASK/FAULTMASK/BASEPRI let `group_priority` preempt."""
        sh = self._sh
        sh.watch_irq = int(group_priority is not None)
        if group_priority is not None:
            sh.watch_prio, sh.watch_group_mask = group_priority, group_mask

    def forget_pending_branch(self) -> None:
        """Control left the block sequence (exception entry/return): no refill owed."""
        self._sh.pending_end = native.BlockEnd.SEQUENTIAL

    def recent_blocks(self) -> list[int]:
        sh = self._sh
        n = min(sh.recent_pos, native.RECENT_BLOCKS)
        return [sh.recent[(sh.recent_pos - n + i) % native.RECENT_BLOCKS] for i in range(n)]

    # -- the precise present ----------------------------------------------------------

    def locate(self, access_address: int, access_size: int = 4) -> int | None:
        """The index, in the current block, of the instruction making this memory-mapped
        access (None before any block). Call it once per access: it moves on the block's
        access cursor.

        Unicorn does not update the PC inside memory-mapped callbacks, so the accessing
        instruction is found among the current block's loads and stores: the first one,
        after the previous access of this block, whose effective address (from the live
        registers) covers `access_address`.
        """
        if self._sh.cur_block < 0:
            return None
        return self._locate(self._blocks[self._sh.cur_block], access_address, access_size)

    def instruction_address(self, index: int | None) -> int | None:
        """The address of instruction `index` of the current block."""
        if index is None:
            return None
        return self._blocks[self._sh.cur_block].insns[index].address

    def cycles_before(self, index: int | None) -> int:
        """The cycle at which instruction `index` of the current block starts (the count so
        far without an index)."""
        sh = self._sh
        if index is None:
            return sh.cycles
        return sh.block_start_cycles + self._blocks[sh.cur_block].timing.prefix[index]

    def event_counts(self, index: int | None = None) -> dict[str, int]:
        """Counters (cycles, instructions, cpi, lsu, fold) before instruction `index` of the
        current block, or at the end of the current block without one. (Sums over the
        whole block table: for DWT reads and results, not for every timed access.)"""
        counts = self._totals()
        counts["cycles"] = self.cycles_before(index)
        if index is not None:
            tail = self._blocks[self._sh.cur_block].timing.costs[index:]
            counts["instructions"] -= len(tail)
            for key in ("cpi", "lsu", "fold"):
                counts[key] -= sum(getattr(c, key) for c in tail)
        return counts

    def _locate(self, block: DecodedBlock, address: int, size: int) -> int:
        # One execution of a block: the ring position moves on at every block entry (the
        # start cycle does not identify it: run-time corrections move it mid-block).
        sh = self._sh
        if sh.cursor_block != sh.cur_block or sh.cursor_ring != sh.recent_pos:
            sh.cursor_block, sh.cursor_ring, sh.cursor = sh.cur_block, sh.recent_pos, 0
        insns = block.insns
        first_candidate = None
        for i in range(sh.cursor, len(insns)):
            insn = insns[i]
            if not (insn.is_load or insn.is_store):
                continue
            if first_candidate is None:
                first_candidate = i
            if self._covers(insn, address, size):
                sh.cursor = i if _makes_several_accesses(insn) else i + 1
                return i
        if first_candidate is None:
            return max(0, min(sh.cursor, len(insns) - 1))
        sh.cursor = first_candidate + 1
        return first_candidate

    def access_sites(self, index: int) -> list:
        """Block `index`'s loads and stores as native windows locate accesses among them
        (mmio_port.c: the same rule as _locate/_covers)."""
        block = self._blocks[index]
        reg = self._cpu.register_id
        sites = []
        for i, insn in enumerate(block.insns):
            if not (insn.is_load or insn.is_store):
                continue
            site = native.AccessSite(index=i, prefix=block.timing.prefix[i], address=insn.address,
                                     kind=native.MemKind.NEVER, offset_reg=-1,
                                     stays=int(_makes_several_accesses(insn)))
            mem = insn.mem
            if insn.reg_list:
                site.kind, site.base, site.span = native.MemKind.LIST, reg(insn.list_base), 4 * insn.reg_list
            elif mem is not None and mem.base != "pc":
                site.kind, site.base, site.disp = native.MemKind.SINGLE, reg(mem.base), mem.disp
                site.post_indexed, site.lshift, site.subtracted = int(mem.post_indexed), mem.lshift, int(mem.subtracted)
                if mem.index:
                    site.offset_reg = reg(mem.index)
            sites.append(site)
        return sites

    def on_block_replaced(self, listener) -> None:
        """listener(index) is called when block `index` is decoded again (new code there)."""
        self._replaced_listeners.append(listener)

    def _covers(self, insn: Insn, address: int, size: int) -> bool:
        if insn.reg_list:
            base = self._cpu.reg(insn.list_base)
            span = 4 * insn.reg_list
            return base - span <= address < base + span
        mem = insn.mem
        if mem is None or mem.base == "pc":
            return False
        ea = self._cpu.reg(mem.base)
        if not mem.post_indexed:
            ea += mem.disp
            if mem.index:
                scaled = self._cpu.reg(mem.index) << mem.lshift
                ea += -scaled if mem.subtracted else scaled
        ea &= 0xFFFFFFFF
        return ea <= address < ea + 8

    # -- faults ----------------------------------------------------------------------

    def rollback_to(self, pc: int) -> None:
        """A fault stopped the current block at `pc`: that instruction and the ones after
        it did not complete, so their counts are taken back."""
        sh = self._sh
        if sh.cur_block < 0:
            return
        block = self._blocks[sh.cur_block]
        index = block.index_of(pc)
        if index is None:
            return
        tail = block.timing.costs[index:]
        self._adjust["instructions"] -= len(tail)
        self._adjust["lsu"] -= sum(c.lsu for c in tail)
        self._adjust["cpi"] -= sum(c.cpi for c in tail)
        self._adjust["fold"] -= sum(c.fold for c in tail)
        sh.cycles = sh.block_start_cycles + block.timing.prefix[index]
        sh.pending_end = native.BlockEnd.SEQUENTIAL
