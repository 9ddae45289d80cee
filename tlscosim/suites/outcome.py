"""Reads what a suite printed (host_test's verbose format) into pass/fail/skip counts, with
the reason of every skip: the configuration options a test depends on that ours leaves
out (or sets, for `!OPTION`), or a skip the test decided at run time."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# A test's result ends its line, or stands alone after what a verbose test printed.
RESULT = re.compile(r"(?:^| )(PASS|FAILED|----)$")
SUMMARY = re.compile(r"^(PASSED|FAILED) \((\d+) / (\d+) tests \((\d+) skipped\)\)$")
UNMET = re.compile(r"^   Unmet dependencies: ([\d ]+?)\s*(\.\.\.)?$")
COMPILED_OUT = "   Test Suite not enabled"
RUNTIME_SKIP = "skipped by the test at run time"


@dataclass
class SuiteOutcome:
    suite: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reasons: Counter = field(default_factory=Counter)   # reason -> tests
    failures: list[str] = field(default_factory=list)        # test descriptions
    complete: bool = False      # the summary line was printed
    exit_code: int | None = None
    error: str | None = None    # why the run did not complete

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    @property
    def ok(self) -> bool:
        return self.complete and self.failed == 0 and self.error is None and self.exit_code == 0

    def to_dict(self) -> dict:
        return {"suite": self.suite, "passed": self.passed, "failed": self.failed, "skipped": self.skipped,
                "skip_reasons": dict(self.skip_reasons), "failures": self.failures, "complete": self.complete,
                "exit_code": self.exit_code, "error": self.error}


def parse(suite: str, output: str, dependency_names: dict[int, str], cases: list,
          function_dependencies: dict[str, tuple[str, ...]], suite_unmet: list[str]) -> SuiteOutcome:
    """`cases`: the suite's TestCase list in order (the output cuts their names);
    `function_dependencies`: what each test function needs to be compiled in;
    `suite_unmet`: the suite's own dependencies our configuration does not meet (then the
    generated code answers "not supported" for every dependency: the suite is the reason)."""
    outcome = SuiteOutcome(suite)
    lines = output.splitlines()
    index = 0      # test case number
    for i, line in enumerate(lines):
        if SUMMARY.match(line):
            outcome.complete = True
            continue
        result = case_result(line)
        if result is None:
            continue
        case = cases[index] if index < len(cases) else None
        name = case.name if case else line[:66].rstrip(" .")
        index += 1
        if result == "PASS":
            outcome.passed += 1
        elif result == "FAILED":
            outcome.failed += 1
            outcome.failures.append(name)
        else:
            outcome.skipped += 1
            following = lines[i + 1] if i + 1 < len(lines) else ""
            unmet = UNMET.match(following)
            if suite_unmet:
                outcome.skip_reasons[f"the suite needs {' and '.join(suite_unmet)}"] += 1
            elif following == COMPILED_OUT and case is not None:
                needs = function_dependencies.get(case.function, ())
                outcome.skip_reasons[f"test function {case.function} needs {' and '.join(needs) or '?'}"] += 1
            elif unmet:
                for number in unmet.group(1).split():
                    outcome.skip_reasons[_unmet_reason(dependency_names.get(int(number), f"#{number}"))] += 1
            else:
                outcome.skip_reasons[RUNTIME_SKIP] += 1
    return outcome


def case_result(line: str) -> str | None:
    """PASS, FAILED or ---- (skipped) if the line ends a test case, else None (indented
    lines are what a test printed)."""
    if line.startswith(" "):
        return None
    match = RESULT.search(line)
    return match.group(1) if match else None


def _unmet_reason(dependency: str) -> str:
    if dependency.startswith("!"):
        return f"{dependency[1:]} is set"
    return f"{dependency} is not set"
