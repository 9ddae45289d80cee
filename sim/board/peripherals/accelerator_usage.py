"""Firmware driving an accelerator wrongly: the RTL answers as it defines (docs/rtl.md,
"Registered START, streaming"), and the simulator says so once per kind, with the PC and
symbol. Which writes the RTL discards comes from the offload verifier's control model
(`_Shadow` without references), so both follow one statement of the rule."""

from __future__ import annotations

from tlscosim.rtl.regmaps import AES_KEYLEN_CODES

OUTPUTS = {"aes": "DOUT", "sha256": "DIGEST"}    # each core's results
# Writes the RTL takes while an operation runs, for a core without a control model.
WRITABLE_WHILE_BUSY = ("STATUS", "IRQ_ENABLE")


class UsageMonitor:
    def __init__(self, device):
        self._device = device
        regmap = device.regmap
        self._access = {reg.name: reg.access for reg in regmap}
        self._start = regmap["CTRL"].field("START")
        self._keylen = regmap["CTRL"].field("KEYLEN") if device.core == "aes" else None
        self._output = OUTPUTS.get(device.core)
        from ..offload_verify import SHADOWS
        shadow = SHADOWS.get(device.core)
        self._control = shadow(device.name, regmap, reference=False) if shadow else None

    def reset(self) -> None:
        if self._control is not None:
            self._control = type(self._control)(self._device.name, self._device.regmap, reference=False)

    def check(self, access, entry: tuple[str, int] | None) -> None:
        """One access (a sim.offload_verify.Access; entry None: no register decodes it)."""
        if entry is None:
            self._report("unmapped", "access to an offset no register decodes",
                         "reads 0 and ignores writes", self._device.ctx.clock.pc())
            return
        register, write, word, mask, busy = access.register, access.write, access.value, access.mask, access.busy
        control = self._control
        if write:
            starting = register == "CTRL" and self._start.extract(word & mask)
            if control is not None:
                discarded = not control.accepts(access)
                starting = starting or control.start_requested(access)
                if not discarded:
                    control.write(access)
            else:
                discarded = busy and register not in WRITABLE_WHILE_BUSY
            if discarded:
                if starting:
                    self._report("start-while-busy", "START written while BUSY",
                                 "discards the write, starts nothing and sets STATUS.WERR", access.pc)
                else:
                    self._report(f"busy-write-{register}", f"write to {register} while BUSY",
                                 "discards it and sets STATUS.WERR", access.pc)
            elif self._access[register] == "ro":
                self._report(f"read-only-{register}", f"write to read-only {register}", "ignores it", access.pc)
            elif starting and self._keylen is not None:
                # CTRL.START carries its KEYLEN; an AUTOSTART runs with the stored one.
                ctrl = word & mask if register == "CTRL" else control.ctrl if control is not None else 0
                if self._keylen.extract(ctrl) not in AES_KEYLEN_CODES.values():
                    self._report("reserved-keylen", f"START with reserved KEYLEN {self._keylen.extract(ctrl)}",
                                 "runs it as a 256-bit key", access.pc)
        else:
            if control is not None and register == "STATUS":
                control.status_read(access)
            if busy and register == self._output:
                self._report("early-read", f"{register} read while BUSY",
                             "returns the previous operation's result", access.pc)

    def _report(self, kind: str, what: str, consequence: str, pc: int | None) -> None:
        device = self._device
        where = "?" if pc is None else f"pc={pc:#010x} ({device.settings.describe(pc)})"
        device.ctx.warn_once(f"{device.name}.{kind}",
                             f"{device.name}: {what} at {where}: the RTL {consequence} (reported once)")
