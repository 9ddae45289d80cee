"""A region that reads as zero and ignores writes, as QEMU's "unimplemented device":
firmware probing an absent device reads an ID of 0 (first access is reported once)."""

from __future__ import annotations


class Unimplemented:
    def __init__(self, spec, ctx):
        self.name = spec.name
        self.ctx = ctx

    def read(self, offset: int, size: int) -> int:
        self.ctx.warn_once(self.name, f"{self.name}: access to an unimplemented region (reads as 0)")
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        self.ctx.warn_once(self.name, f"{self.name}: access to an unimplemented region (write ignored)")

    def close(self) -> None:
        pass

    def reset(self) -> None:
        pass
