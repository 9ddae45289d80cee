"""Which test suites exist in the Mbed TLS source, and what their data files say.

A suite is one data file, named as Mbed TLS names its test programs without the
`test_suite_` prefix: `aes.ecb` is tests/suites/test_suite_aes.ecb.data, run by the test
functions of test_suite_aes.function. A name given by the user selects the suite of that
name and every `<name>.<part>` one: `aes` is aes.cbc, aes.cfb, ..., aes.xts."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import UserError
from ..fw.build import CROSS_PREFIX
from ..paths import SW_DIR
from ..fw.thirdparty import require

# The suites `tlscosim test-suites` runs when none is named.
DEFAULT_SUITES = ("aes", "gcm", "ccm", "cipher.aes", "cipher.gcm", "shax", "md", "hmac_drbg", "ctr_drbg",
                  "entropy", "ecp", "ecdh", "ecdsa", "bignum_core", "bignum_mod", "bignum_mod_raw",
                  "x509parse", "pk", "pkparse")


@dataclass(frozen=True)
class TestCase:
    name: str
    dependencies: tuple[str, ...]    # as the .data file writes them (`!X` means X must be unset)
    function: str                    # the test function in the .function file


@dataclass(frozen=True)
class Suite:
    name: str             # e.g. "aes.ecb"
    mbedtls: Path         # the Mbed TLS source folder

    @property
    def data_file(self) -> Path:
        return self.suites_dir / f"test_suite_{self.name}.data"

    @property
    def function_file(self) -> Path:
        return self.suites_dir / f"test_suite_{self.name.split('.')[0]}.function"

    @property
    def suites_dir(self) -> Path:
        return self.mbedtls / "tests" / "suites"

    @property
    def program(self) -> str:
        return f"test_suite_{self.name}"

    def test_cases(self) -> list[TestCase]:
        """The suite's test cases in order, parsed by Mbed TLS's own generator."""
        generator = _generator_module(self.mbedtls)
        wrapper = generator.FileWrapper(str(self.data_file))
        return [TestCase(name, tuple(deps), func) for _line, name, func, deps, _args in generator.parse_test_data(wrapper)]

    def suite_dependencies(self) -> tuple[str, ...]:
        """What the whole suite needs (BEGIN_DEPENDENCIES): unmet, every test is skipped."""
        found = re.search(r"BEGIN_DEPENDENCIES\s*\n\s*\*\s*depends_on:(\S+)", self.function_file.read_text())
        return tuple(found.group(1).split(":")) if found else ()

    def function_dependencies(self) -> dict[str, tuple[str, ...]]:
        """Each test function's compile-time dependencies (its BEGIN_CASE line): unmet, the
        function is compiled out."""
        text = self.function_file.read_text()
        return {name: tuple(deps.split(":")) if deps else ()
                for deps, name in re.findall(r"/\*\s*BEGIN_CASE(?:\s+depends_on:(\S+))?\s*\*/\s*\n\s*void\s+(\w+)\s*\(",
                                             text)}


def all_suites(mbedtls: Path | None = None) -> list[Suite]:
    mbedtls = mbedtls or require("mbedtls")
    names = (p.name[len("test_suite_"):-len(".data")] for p in (mbedtls / "tests" / "suites").glob("test_suite_*.data"))
    return sorted((Suite(n, mbedtls) for n in names if (Suite(n, mbedtls).function_file.is_file())),
                  key=lambda s: s.name)


def select(names: list[str] | tuple[str, ...], mbedtls: Path | None = None) -> list[Suite]:
    """The suites named (each with its `.part` suites), in the order given, once each."""
    known = all_suites(mbedtls)
    chosen: list[Suite] = []
    for name in names:
        matches = [s for s in known if s.name == name or s.name.startswith(name + ".")]
        if not matches:
            close = sorted({s.name.split(".")[0] for s in known if name.split(".")[0] in s.name})
            hint = f"; similar: {', '.join(close)}" if close else ""
            raise UserError(f"no Mbed TLS test suite named {name!r}{hint}")
        chosen += [s for s in matches if s not in chosen]
    return chosen


def dependency_names(suite: Suite, datax: Path) -> dict[int, str]:
    """The dependency numbers of a generated .datax file, by name: the .datax lists each test's
    dependencies as numbers, in the .data file's order."""
    numbered = [[int(n) for n in line.split(":")[1:]]
                for line in datax.read_text().splitlines() if line.startswith("depends_on:")]
    named = [case.dependencies for case in suite.test_cases() if case.dependencies]
    mapping: dict[int, str] = {}
    for numbers, names in zip(numbered, named, strict=True):
        mapping.update(zip(numbers, names, strict=True))
    return mapping


@cache
def _generator_module(mbedtls: Path):
    script = mbedtls / "framework" / "scripts" / "generate_test_code.py"
    spec = importlib.util.spec_from_file_location("mbedtls_generate_test_code", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def configured_macros(mbedtls: Path) -> frozenset[str]:
    """Every macro our configuration defines once Mbed TLS has derived the rest from it
    (MBEDTLS_MD_CAN_*, MBEDTLS_HAVE_INT32, ...): the cross compiler's preprocessor says."""
    source = '#include "mbedtls/build_info.h"\n#include "mbedtls/bignum.h"\n'
    cmd = [f"{CROSS_PREFIX}gcc", "-mcpu=cortex-m4", "-mthumb", "-E", "-dM", "-x", "c", "-",
           "-I", str(mbedtls / "include"), "-I", str(SW_DIR / "mbedtls"),
           '-DMBEDTLS_CONFIG_FILE="tlscosim_mbedtls_config.h"']
    proc = subprocess.run(cmd, input=source, capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"cannot preprocess the Mbed TLS configuration:\n{proc.stderr.rstrip()}")
    return frozenset(re.findall(r"^#define (\w+)", proc.stdout, re.M))


def unmet(dependencies: tuple[str, ...], macros: frozenset[str]) -> list[str]:
    """The dependencies (`X` must be set, `!X` unset) that the macros do not meet."""
    return [d for d in dependencies if (d[1:] in macros) if d.startswith("!")] + \
        [d for d in dependencies if not d.startswith("!") and d not in macros]
