"""Firmware driving an accelerator wrongly: the RTL answers as it defines (docs/rtl.md,
"Writes while busy"), and the simulator says so once per kind, with the PC and symbol."""

from __future__ import annotations

from tlscosim.rtl.regmaps import AES_KEYLEN_CODES

OUTPUTS = {"aes": "DOUT", "sha256": "DIGEST"}    # each core's results
# Writes the RTL takes while an operation runs (docs/rtl.md, "Writes while busy"); the
# others are discarded then, and set STATUS.WERR.
WRITABLE_WHILE_BUSY = ("STATUS", "IRQ_ENABLE")


class UsageMonitor:
    def __init__(self, device):
        self._device = device
        regmap = device.regmap
        self._access = {reg.name: reg.access for reg in regmap}
        self._start = regmap["CTRL"].field("START")
        self._keylen = regmap["CTRL"].field("KEYLEN") if device.core == "aes" else None
        self._output = OUTPUTS.get(device.core)

    def check(self, entry: tuple[str, int] | None, write: bool, word: int, mask: int, busy: bool) -> None:
        if entry is None:
            self._report("unmapped", "access to an offset no register decodes",
                         "reads 0 and ignores writes")
            return
        register, _index = entry
        if write:
            starting = register == "CTRL" and self._start.extract(word & mask)
            if busy and register not in WRITABLE_WHILE_BUSY:
                if starting:
                    self._report("start-while-busy", "START written while BUSY",
                                 "discards the write, starts nothing and sets STATUS.WERR")
                else:
                    self._report(f"busy-write-{register}", f"write to {register} while BUSY",
                                 "discards it and sets STATUS.WERR")
            elif self._access[register] == "ro":
                self._report(f"read-only-{register}", f"write to read-only {register}", "ignores it")
            elif starting and self._keylen is not None and \
                    self._keylen.extract(word & mask) not in AES_KEYLEN_CODES.values():
                self._report("reserved-keylen", f"START with reserved KEYLEN {self._keylen.extract(word)}",
                             "runs it as a 256-bit key")
        elif busy and register == self._output:
            self._report("early-read", f"{register} read while BUSY",
                         "returns the previous operation's result")

    def _report(self, kind: str, what: str, consequence: str) -> None:
        device = self._device
        pc = device.ctx.clock.pc()
        where = "?" if pc is None else f"pc={pc:#010x} ({device.settings.describe(pc)})"
        device.ctx.warn_once(f"{device.name}.{kind}",
                             f"{device.name}: {what} at {where}: the RTL {consequence} (reported once)")
