"""`tlscosim test-suites --split N`: a suite's .datax cut into N consecutive parts of about
equal expected cost, each written to its own .datax under build/suites/parts/ (inside the
semihosting root, like the whole one) for a run in its own process.

The cost of a test case is guessed from its data: (CASE_BASE_HEX + the hex digits of its
arguments)^2. Squared because the long suites are GCM's and cipher's, whose test
functions redo the operation at every split point of the input (n passes over n bytes);
CASE_BASE_HEX stands for what a case costs beyond its data (a context set up, a key
scheduled), as much as a 16-byte argument. Only the balance of the parts depends on it,
never their outcome."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from ..errors import UserError
from ..paths import BUILD_DIR
from .catalog import Suite
from .generate import datax_path

PARTS_DIR = BUILD_DIR / "suites" / "parts"
CASE_BASE_HEX = 32
HEX_ARGUMENT = re.compile(r'(?:^|:)hex:"([0-9a-fA-F]*)"')


@dataclass(frozen=True)
class Part:
    index: int       # 0-based
    count: int       # how many parts the suite was cut into
    first: int       # the suite's index of the part's first test case
    cases: int       # how many test cases the part has
    datax: Path

    @property
    def label(self) -> str:
        return f"part {self.index + 1}/{self.count}"


def datax_cases(text: str) -> list[str]:
    """The test cases of a generated .datax, each as its lines (name, optional
    depends_on, function and arguments); the generator ends each with a blank line."""
    cases, lines = [], []
    for line in text.splitlines():
        if line:
            lines.append(line)
        elif lines:
            cases.append("\n".join(lines) + "\n")
            lines = []
    if lines:
        cases.append("\n".join(lines) + "\n")
    return cases


def case_cost(case: str) -> int:
    """The expected cost of a .datax test case (see the module's docstring)."""
    arguments = case.rstrip("\n").rsplit("\n", 1)[-1]
    return (CASE_BASE_HEX + sum(len(h) for h in HEX_ARGUMENT.findall(arguments))) ** 2


def cut_points(costs: list[int], parts: int) -> list[int]:
    """The first case of each of `parts` consecutive, non-empty parts whose summed costs
    are as close to equal as case boundaries allow (fewer parts if there are fewer cases)."""
    parts = max(1, min(parts, len(costs)))
    prefix = [0, *accumulate(costs)]        # prefix[i]: the cost of cases [0, i)
    starts = [0]
    for k in range(1, parts):
        target = prefix[-1] * k / parts
        lowest, highest = starts[-1] + 1, len(costs) - (parts - k)   # every part keeps a case
        i = min(max(bisect_left(prefix, target, lowest, highest + 1), lowest), highest)
        if i > lowest and target - prefix[i - 1] < prefix[i] - target:
            i -= 1
        starts.append(i)
    return starts


def write_parts(suite: Suite, parts: int, source: Path | None = None) -> list[Part]:
    """Cuts the suite's generated .datax into `parts` files under PARTS_DIR."""
    cases = datax_cases((source or datax_path(suite)).read_text())
    expected = len(suite.test_cases())
    if len(cases) != expected:
        raise UserError(f"{suite.name}: the .datax has {len(cases)} test cases, the .data file {expected}")
    starts = cut_points([case_cost(c) for c in cases], parts)
    ends = [*starts[1:], len(cases)]
    folder = PARTS_DIR / suite.program
    folder.mkdir(parents=True, exist_ok=True)
    result = []
    for index, (first, end) in enumerate(zip(starts, ends)):
        path = folder / f"{index + 1}-of-{len(starts)}.datax"
        # The generator's layout: each case followed by a blank line.
        path.write_text("".join(case + "\n" for case in cases[first:end]))
        result.append(Part(index, len(starts), first, end - first, path))
    return result
