"""Real-time clock model (platform/peripherals/rtc.toml): seconds since 1970 and
milliseconds, derived from the board clock.

Time = the time last set + simulated time since (board cycles / clock_hz). At start the
simulator sets it to `rtc_epoch` (RunOptions, `tlscosim run --rtc-epoch`), or to the
host's time when that is None; from then on only simulated cycles move it, so a run is
deterministic for a given epoch. Like a battery-backed RTC, a system reset keeps the time.
"""

from __future__ import annotations

import argparse
import time

from .base import RegisterDevice

# X.509 dates and Python's datetime both end with the year 9999.
RTC_EPOCH_MAX = 253_402_300_799          # 9999-12-31T23:59:59Z
MS_PER_S = 1000
WORD_BITS = 32
WORD_MASK = (1 << WORD_BITS) - 1


def check_rtc_epoch(value) -> int | None:
    """The RunOptions value: None (the host's time at start) or whole seconds since 1970
    within RTC_EPOCH_MAX; anything else is a ValueError naming the field."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RTC_EPOCH_MAX:
        raise ValueError(f"rtc_epoch must be None (the host's time) or whole seconds since 1970 in "
                         f"0..{RTC_EPOCH_MAX} (9999-12-31T23:59:59Z), not {value!r}")
    return value


def rtc_epoch_argument(text: str) -> int | None:
    """`--rtc-epoch SECONDS|now`: an argparse type ("now" is None: the host's time at start)."""
    if text.strip().lower() == "now":
        return None
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if not 0 <= value <= RTC_EPOCH_MAX:
        raise argparse.ArgumentTypeError(
            f"must be 'now' or whole seconds since 1970 in 0..{RTC_EPOCH_MAX} (9999-12-31T23:59:59Z), not {text!r}")
    return value


def start_epoch_of(board) -> int | None:
    """The epoch the board's RTC started at (the host's time when none was given), or
    None for a board without an RTC: a run's record, so that it can be repeated."""
    return next((d.start_epoch for d in board.devices.values() if isinstance(d, Rtc)), None)


class Rtc(RegisterDevice):
    def __init__(self, spec, ctx):
        epoch = check_rtc_epoch(getattr(ctx, "rtc_epoch", None))
        self._hz = ctx.clock.hz
        self.start_epoch = int(time.time()) if epoch is None else epoch   # what --rtc-epoch reproduces
        self._base_ms = self.start_epoch * MS_PER_S
        self._base_cycle = ctx.clock.now()
        self._staged_hi = 0
        super().__init__(spec.name, spec.regmap, ctx)

    def reset(self) -> None:
        # The time survives (battery-backed); latches and the staged word do not.
        super().reset()
        self._staged_hi = 0

    def now_ms(self) -> int:
        """Milliseconds since 1970 at the current cycle (the accessing instruction's)."""
        elapsed = self.ctx.clock.now() - self._base_cycle
        return self._base_ms + elapsed * MS_PER_S // self._hz

    def set_seconds(self, seconds: int) -> None:
        self._base_ms = seconds * MS_PER_S
        self._base_cycle = self.ctx.clock.now()

    def read_SECONDS_LO(self, index: int) -> int:
        seconds, ms = divmod(self.now_ms(), MS_PER_S)
        self.put("SECONDS_HI", seconds >> WORD_BITS)
        self.put("MILLIS", self.field("MILLIS", "MS").insert(0, ms))
        return seconds & WORD_MASK

    def write_SECONDS_LO(self, value: int, index: int, mask: int) -> None:
        low = (self.get("SECONDS_LO") & ~mask) | value    # a partial write keeps the other lanes
        self.put("SECONDS_LO", low)
        self.set_seconds((self._staged_hi << WORD_BITS) | low)

    def write_SECONDS_HI(self, value: int, index: int, mask: int) -> None:
        self._staged_hi = ((self._staged_hi & ~mask) | value) & WORD_MASK
