"""System Control Space registers (ARMv7-M B3.2, B3.3, B3.4): SysTick, NVIC, SCB and the
debug control block, on top of the core's exception state."""

from __future__ import annotations

from ...architecture.nvic import CONFIGURABLE_FAULTS, Exc
from .base import RegisterDevice

AIRCR_VECTKEY = 0x05FA     # what a write must hold in AIRCR.VECTKEY (reads give the map's reset value)
# SHCSR bits: exception -> (active bit, pended bit, enable bit)
SHCSR_BITS = {
    Exc.MEMMANAGE: ("MEMFAULTACT", "MEMFAULTPENDED", "MEMFAULTENA"),
    Exc.BUSFAULT: ("BUSFAULTACT", "BUSFAULTPENDED", "BUSFAULTENA"),
    Exc.USAGEFAULT: ("USGFAULTACT", "USGFAULTPENDED", "USGFAULTENA"),
    Exc.SVCALL: ("SVCALLACT", "SVCALLPENDED", None),
    Exc.DEBUGMONITOR: ("MONITORACT", None, None),
    Exc.PENDSV: ("PENDSVACT", None, None),
    Exc.SYSTICK: ("SYSTICKACT", None, None),
}


class SystemControlSpace(RegisterDevice):
    """`core` offers nvic, scb (SystemControl), systick, exceptions and request_reset()."""

    def __init__(self, spec, ctx):
        self.core = ctx.core
        super().__init__(spec.name, spec.regmap, ctx)

    def unmapped_access(self, offset, write):
        # Unlisted SCS registers (MPU, FPU, ID) read as zero, as QEMU's do: firmware that
        # probes them keeps running; the first access is reported.
        self.ctx.warn_once(f"scs.{offset:#x}", f"scs: unimplemented register at offset {offset:#x} (RAZ/WI)")
        return None

    def _f(self, reg, name):
        return self.regmap[reg].field(name)

    def _declared(self, reg):
        """The mask of every field the map declares in `reg` (the bits that exist)."""
        mask = 0
        for f in self.regmap[reg].fields:
            mask |= f.mask
        return mask

    # -- SCnSCB -----------------------------------------------------------------------

    def read_ICTR(self, index):
        return (self.core.nvic.irq_lines + 31) // 32 - 1

    # -- SysTick ----------------------------------------------------------------------

    def read_SYST_CSR(self, index):
        return self.core.systick.read_csr()

    def write_SYST_CSR(self, value, index, mask):
        self.core.systick.write_csr(value)

    def read_SYST_RVR(self, index):
        return self.core.systick.read_rvr()

    def write_SYST_RVR(self, value, index, mask):
        self.core.systick.write_rvr(value)

    def read_SYST_CVR(self, index):
        return self.core.systick.read_cvr()

    def write_SYST_CVR(self, value, index, mask):
        self.core.systick.write_cvr(value)

    def read_SYST_CALIB(self, index):
        return self.core.systick.calib

    # -- NVIC -----------------------------------------------------------------------------

    def _irq_bits(self, index, flags):
        bits = 0
        for bit in range(32):
            irq = index * 32 + bit
            if irq < self.core.nvic.irq_lines and flags[Exc.IRQ0 + irq]:
                bits |= 1 << bit
        return bits

    def _for_irqs(self, index, value, action):
        for bit in range(32):
            irq = index * 32 + bit
            if value >> bit & 1 and irq < self.core.nvic.irq_lines:
                action(Exc.IRQ0 + irq)

    def read_NVIC_ISER(self, index):
        return self._irq_bits(index, self.core.nvic.enabled)

    read_NVIC_ICER = read_NVIC_ISER

    def write_NVIC_ISER(self, value, index, mask):
        self._for_irqs(index, value, lambda e: self.core.nvic.set_enabled(e, True))

    def write_NVIC_ICER(self, value, index, mask):
        self._for_irqs(index, value, lambda e: self.core.nvic.set_enabled(e, False))

    def read_NVIC_ISPR(self, index):
        return self._irq_bits(index, self.core.nvic.pending)

    read_NVIC_ICPR = read_NVIC_ISPR

    def write_NVIC_ISPR(self, value, index, mask):
        self._for_irqs(index, value, self.core.nvic.set_pending)

    def write_NVIC_ICPR(self, value, index, mask):
        self._for_irqs(index, value, self.core.nvic.clear_pending)

    def read_NVIC_IABR(self, index):
        return self._irq_bits(index, self.core.nvic.active)

    def _priority_word(self, first_exc):
        nvic = self.core.nvic
        return sum((nvic.priority[first_exc + i] if first_exc + i < nvic.count else 0) << (8 * i)
                   for i in range(4))

    def _write_priorities(self, first_exc, value, mask):
        for i in range(4):
            exc = first_exc + i
            if mask >> (8 * i) & 0xFF and exc < self.core.nvic.count:
                self.core.nvic.set_priority(exc, value >> (8 * i) & 0xFF)

    def read_NVIC_IPR(self, index):
        return self._priority_word(Exc.IRQ0 + 4 * index)

    def write_NVIC_IPR(self, value, index, mask):
        self._write_priorities(Exc.IRQ0 + 4 * index, value, mask)

    def write_STIR(self, value, index, mask):
        irq = self._f("STIR", "INTID").extract(value)
        if irq < self.core.nvic.irq_lines:
            self.core.nvic.set_pending(Exc.IRQ0 + irq)

    # -- SCB --------------------------------------------------------------------------------

    def read_ICSR(self, index):
        nvic = self.core.nvic
        value = self._f("ICSR", "VECTACTIVE").insert(0, self.core.exceptions.current_exception())
        pending = nvic.highest_pending()
        if pending is not None:
            value = self._f("ICSR", "VECTPENDING").insert(value, pending)
        if nvic.active_count() <= 1:
            value = self._f("ICSR", "RETTOBASE").insert(value, 1)
        if any(nvic.pending[Exc.IRQ0:]):
            value = self._f("ICSR", "ISRPENDING").insert(value, 1)
        for exc, name in ((Exc.SYSTICK, "PENDSTSET"), (Exc.PENDSV, "PENDSVSET"), (Exc.NMI, "NMIPENDSET")):
            if nvic.pending[exc]:
                value = self._f("ICSR", name).insert(value, 1)
        return value

    def write_ICSR(self, value, index, mask):
        nvic = self.core.nvic
        bit = lambda name: self._f("ICSR", name).extract(value)
        if bit("NMIPENDSET"):
            nvic.set_pending(Exc.NMI)
        if bit("PENDSVSET"):
            nvic.set_pending(Exc.PENDSV)
        elif bit("PENDSVCLR"):
            nvic.clear_pending(Exc.PENDSV)
        if bit("PENDSTSET"):
            nvic.set_pending(Exc.SYSTICK)
        elif bit("PENDSTCLR"):
            nvic.clear_pending(Exc.SYSTICK)

    def read_VTOR(self, index):
        return self.core.scb.vtor

    def write_VTOR(self, value, index, mask):
        self.core.scb.vtor = value & self._f("VTOR", "TBLOFF").mask

    def read_AIRCR(self, index):
        vectkey = self._f("AIRCR", "VECTKEY")
        value = vectkey.insert(0, vectkey.extract(self.regmap["AIRCR"].reset))   # VECTKEYSTAT
        return self._f("AIRCR", "PRIGROUP").insert(value, self.core.nvic.prigroup)

    def write_AIRCR(self, value, index, mask):
        if self._f("AIRCR", "VECTKEY").extract(value) != AIRCR_VECTKEY:
            self.ctx.warn_once("aircr.key", "scs: AIRCR write without VECTKEY 0x05FA ignored")
            return
        self.core.nvic.prigroup = self._f("AIRCR", "PRIGROUP").extract(value)
        self.core.nvic.on_change()
        if self._f("AIRCR", "SYSRESETREQ").extract(value) or self._f("AIRCR", "VECTRESET").extract(value):
            self.core.request_reset()

    def read_SCR(self, index):
        return self.core.scb.scr

    def write_SCR(self, value, index, mask):
        self.core.scb.scr = value & self._declared("SCR")

    def read_CCR(self, index):
        return self.core.scb.ccr

    def write_CCR(self, value, index, mask):
        writable = self._declared("CCR")
        self.core.scb.ccr = (self.core.scb.ccr & ~(writable & mask)) | (value & writable)

    def read_SHPR(self, index):
        return self._priority_word(4 + 4 * index)

    def write_SHPR(self, value, index, mask):
        self._write_priorities(4 + 4 * index, value, mask)

    def read_SHCSR(self, index):
        nvic = self.core.nvic
        value = 0
        for exc, (act, pended, ena) in SHCSR_BITS.items():
            if nvic.active[exc]:
                value |= self._f("SHCSR", act).mask
            if pended and nvic.pending[exc]:
                value |= self._f("SHCSR", pended).mask
            if ena and nvic.enabled[exc]:
                value |= self._f("SHCSR", ena).mask
        return value

    def write_SHCSR(self, value, index, mask):
        nvic = self.core.nvic
        for exc in CONFIGURABLE_FAULTS:
            ena = SHCSR_BITS[exc][2]
            nvic.set_enabled(exc, bool(value & self._f("SHCSR", ena).mask))

    def read_CFSR(self, index):
        return self.core.scb.cfsr

    def write_CFSR(self, value, index, mask):
        self.core.scb.cfsr &= ~value

    def read_HFSR(self, index):
        return self.core.scb.hfsr

    def write_HFSR(self, value, index, mask):
        self.core.scb.hfsr &= ~value

    def read_MMFAR(self, index):
        return self.core.scb.mmfar

    def write_MMFAR(self, value, index, mask):
        self.core.scb.mmfar = value

    def read_BFAR(self, index):
        return self.core.scb.bfar

    def write_BFAR(self, value, index, mask):
        self.core.scb.bfar = value

    def read_CPACR(self, index):
        return self.core.scb.cpacr

    def write_CPACR(self, value, index, mask):
        self.core.fpu.write_cpacr(value)   # CP10/CP11 are RAZ/WI without an FPU

    # -- FP extension (sim/architecture/fpu.py) ---------------------------------------------------

    def read_FPCCR(self, index):
        return self.core.fpu.fpccr

    def write_FPCCR(self, value, index, mask):
        self.core.fpu.write_fpccr(value)

    def read_FPCAR(self, index):
        return self.core.fpu.fpcar

    def write_FPCAR(self, value, index, mask):
        self.core.fpu.write_fpcar(value)

    def read_FPDSCR(self, index):
        return self.core.fpu.fpdscr

    def write_FPDSCR(self, value, index, mask):
        self.core.fpu.write_fpdscr(value)

    def read_MVFR0(self, index):
        return self.regmap["MVFR0"].reset if self.core.fpu.present else 0

    def read_MVFR1(self, index):
        return self.regmap["MVFR1"].reset if self.core.fpu.present else 0

    def read_DEMCR(self, index):
        return self.core.scb.demcr

    def write_DEMCR(self, value, index, mask):
        self.core.scb.demcr = value & self._declared("DEMCR")
        self.core.on_trace_enable_change()
