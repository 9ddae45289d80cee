"""The FPv4-SP extension's architectural state that Unicorn does not give us.

Unicorn's Cortex-M4 always has its FPU enabled: FP instructions run whatever CPACR says,
and it never takes an exception itself (our exception engine does). What is modelled here
(ARMv7-M ARM B1.4.x, B1.5.7 "Stack alignment on exception entry", B3.2.20 CPACR, and the
FP extension registers FPCCR/FPCAR/FPDSCR of B3.2.2x):

- **The access gate.** CPACR.CP10/CP11 = 0b00 (the reset value) or 0b01 from unprivileged
  code make every FP instruction a UsageFault NOCP. On a SoC without an FPU the fields
  are RAZ/WI, so FP instructions always fault, as on such hardware.
- **FP context on exception entry and return**: with CONTROL.FPCA set, the 26-word
  extended frame (S0-S15, FPSCR, a reserved word) and EXC_RETURN bit 4 clear; with
  FPCCR.LSPEN the registers are not written at entry but space is reserved (FPCAR,
  FPCCR.LSPACT) and saved by the first FP instruction of the handler (lazy stacking).

How FP instructions are caught without a cost on the hot path: the decoder marks blocks
holding one, and while the gate is shut or a lazy save is pending the native block hook
stops before such a block (cyclehook.c, `fp_trap`). `on_trap` then says what happens.
"""

from __future__ import annotations

from .scb import scs_field, scs_masks, scs_register_map

CPACR_CP10 = scs_field("CPACR", "CP10")
CPACR_CP11 = scs_field("CPACR", "CP11")
FPCCR = scs_masks("FPCCR")
CFSR_NOCP = scs_masks("CFSR")["NOCP"]      # UsageFault: no coprocessor
CONTROL_NPRIV = 1 << 0
CONTROL_FPCA = 1 << 2
ACCESS_PRIVILEGED, ACCESS_FULL = 0b01, 0b11

FP_FRAME_OFFSET = 0x20                      # S0 follows the eight basic words
FP_FRAME_REGS = tuple(f"s{i}" for i in range(16)) + ("fpscr",)
EXTENDED_FRAME_BYTES = FP_FRAME_OFFSET + 4 * (len(FP_FRAME_REGS) + 1)   # 0x68: 26 words
EXC_RETURN_BASIC_FRAME = 1 << 4             # EXC_RETURN bit 4: clear means an FP frame
# FPCCR bits the firmware may write (the others are status the hardware sets).
FPCCR_WRITABLE = FPCCR["ASPEN"] | FPCCR["LSPEN"] | FPCCR["MONRDY"] | FPCCR["BFRDY"] | FPCCR["MMRDY"] \
    | FPCCR["HFRDY"] | FPCCR["THREAD"] | FPCCR["USER"] | FPCCR["LSPACT"]
# Stacking or unstacking the FP part of the frame: one cycle per word, like VSTM/VLDM's
# 1+N (docs/timing.md, "Exceptions with FP context", states the choice and its bound).
FP_CONTEXT_CYCLES = len(FP_FRAME_REGS)


class NoCoprocessor(Exception):
    """An FP instruction the gate refuses: UsageFault NOCP at `address`."""

    def __init__(self, address: int, present: bool):
        why = "the FPU is disabled (CPACR.CP10/CP11)" if present else "this SoC has no FPU"
        super().__init__(f"floating-point instruction at {address:#010x}, but {why}")
        self.address = address


class Fpu:
    """FP extension state of one core; `present` is the SoC description's `cpu.fpu`."""

    def __init__(self, present: bool, cpu, accounting, scb, spend_exception_cycles):
        self.present = present
        self._cpu = cpu
        self._acct = accounting
        self._scb = scb
        self._spend = spend_exception_cycles
        self.reset()

    def reset(self) -> None:
        regs = scs_register_map()
        self.fpccr = regs["FPCCR"].reset if self.present else 0
        self.fpcar = 0
        self.fpdscr = 0
        self._scb.cpacr &= self._cpacr_writable()
        self.update_trap()

    # -- registers (SCS) ------------------------------------------------------------

    def _cpacr_writable(self) -> int:
        fp_fields = CPACR_CP10.mask | CPACR_CP11.mask
        return 0xFFFFFFFF if self.present else 0xFFFFFFFF & ~fp_fields

    def write_cpacr(self, value: int) -> None:
        self._scb.cpacr = value & self._cpacr_writable()
        self.update_trap()

    def write_fpccr(self, value: int) -> None:
        if self.present:
            self.fpccr = value & FPCCR_WRITABLE
            self.update_trap()

    def write_fpcar(self, value: int) -> None:
        if self.present:
            self.fpcar = value & ~7          # FPCAR[2:0] are RAZ/WI (8-byte aligned)

    def write_fpdscr(self, value: int) -> None:
        if self.present:
            self.fpdscr = value & (scs_masks("FPDSCR")["AHP"] | scs_masks("FPDSCR")["DN"]
                                   | scs_masks("FPDSCR")["FZ"] | scs_masks("FPDSCR")["RMODE"])

    # -- the gate -------------------------------------------------------------------

    def _access(self) -> int:
        return (self._scb.cpacr & CPACR_CP10.mask) >> CPACR_CP10.lsb

    def _privileged(self) -> bool:
        return (self._cpu.reg("ipsr") & 0x1FF) != 0 or not self._cpu.reg("control") & CONTROL_NPRIV

    def allowed(self) -> bool:
        access = self._access()
        return access == ACCESS_FULL or access == ACCESS_PRIVILEGED and self._privileged()

    @property
    def lazy_save_pending(self) -> bool:
        return bool(self.fpccr & FPCCR["LSPACT"])

    def update_trap(self, pass_address: int = 1) -> None:
        """FP blocks stop the CPU unless every FP instruction may run as it is: full
        access and no lazy save pending. (`pass_address`: let that block run once.)"""
        trap = self._access() != ACCESS_FULL or self.lazy_save_pending
        self._acct.set_fp_trap(trap, pass_address)

    def on_trap(self, block_address: int) -> int | None:
        """The CPU stopped before a block holding FP instructions. Returns the address of
        the first FP instruction when it faults (NOCP); None when the block may run (a
        pending lazy save was done first)."""
        block = self._acct.fp_trapped_block()
        first_fp = next(insn.address for insn in block.insns if insn.fp)
        if not self.allowed():
            return first_fp
        if self.lazy_save_pending:
            self._preserve()
        # Privileged-only access stays trapped (the privilege may change): pass this once.
        self.update_trap(pass_address=block_address)
        return None

    def nocp(self, address: int) -> NoCoprocessor:
        return NoCoprocessor(address, self.present)

    # -- FP context on exception entry and return --------------------------------------

    def extended_frame(self) -> bool:
        """Entry stacks an FP frame: the interrupted context holds FP state (FPCA)."""
        return self.present and bool(self._cpu.reg("control") & CONTROL_FPCA)

    def stack(self, frame: int, to_thread_mode: bool) -> None:
        """The FP part of an extended frame at entry: reserved for a lazy save (LSPEN),
        else written now."""
        if self.fpccr & FPCCR["LSPEN"]:
            self.fpcar = frame + FP_FRAME_OFFSET
            status = FPCCR["LSPACT"] | FPCCR["HFRDY"] | FPCCR["BFRDY"] | FPCCR["MMRDY"] | FPCCR["MONRDY"]
            status |= FPCCR["THREAD"] if to_thread_mode else 0
            status |= FPCCR["USER"] if to_thread_mode and self._cpu.reg("control") & CONTROL_NPRIV else 0
            keep = self.fpccr & (FPCCR["ASPEN"] | FPCCR["LSPEN"])
            self.fpccr = keep | status
            self.update_trap()
            return
        self._write_registers(frame + FP_FRAME_OFFSET)
        self._spend(FP_CONTEXT_CYCLES)

    def unstack(self, frame: int) -> None:
        """Return with an FP frame: the registers come back, unless they were never saved
        (lazy save still pending: the handler used no FP instruction)."""
        if self.lazy_save_pending:
            self.fpccr &= ~FPCCR["LSPACT"]
            self.update_trap()
            return
        raw = self._cpu.read_memory(frame + FP_FRAME_OFFSET, 4 * len(FP_FRAME_REGS))
        for i, name in enumerate(FP_FRAME_REGS):
            self._cpu.set_reg(name, int.from_bytes(raw[4 * i:4 * i + 4], "little"))
        self._spend(FP_CONTEXT_CYCLES)

    def _preserve(self) -> None:
        """Lazy state preservation: the first FP instruction since entry writes the
        registers into the space reserved at FPCAR."""
        self._write_registers(self.fpcar)
        self.fpccr &= ~FPCCR["LSPACT"]
        self._acct.add_stall_cycles(FP_CONTEXT_CYCLES)

    def _write_registers(self, address: int) -> None:
        data = b"".join(self._cpu.reg(name).to_bytes(4, "little") for name in FP_FRAME_REGS)
        self._cpu.write_memory(address, data)
