"""Timing never changes results (issue 7), as a generator: random Thumb-2 programs in the
style of gcc's Cortex-M4 output (thumbgen.py), in batches per firmware image
(diffimage.py), must leave the same registers, flags and memory on tlscosim (mps2-an386
with zero wait states and stm32f4-like whose flash has 5, each under the flat and the
Cortex-M4 timing model, some runs stopped before every block) as under QEMU mps2-an386,
and execute as many instructions as QEMU counts.

One hypothesis example is one batch of programs in one image (QEMU's start-up then costs
less than the runs); a failing batch shrinks to the fewest, simplest programs that still fail, and
the report names the program, the configuration and each register or buffer word that
differs. The examples are fixed per lane (hypothesis seeds), so CI runs the same programs.
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
from elftools.elf.elffile import ELFFile
from tlscosim.boarddesc import BoardDescription

from diffimage import build_images
from diffrun import BOARDS, TIMINGS, check_batch, configs
from thumbgen import programs

# The default run: LANES x DEFAULT_EXAMPLES batches of 1-8 programs (276 programs in all).
LANES = 4
DEFAULT_EXAMPLES = 18
# The marked corpus: other seeds, more examples, larger batches (960 batches, 3,088 programs).
CORPUS_LANES = 8
CORPUS_EXAMPLES = 120
BASE_SEED = 0x7C05_1A00

batches = st.lists(programs(), min_size=1, max_size=8)
corpus_batches = st.lists(programs(), min_size=1, max_size=16)
# The board/timing pairs also stopped before every block: none, or one (29 of the 72 default
# batches, 310 of the 960 corpus batches).
every_block_runs = st.one_of(st.just(()), st.tuples(st.sampled_from([(b, t) for b in BOARDS for t in TIMINGS])))


def _check(batch, every_block) -> None:
    with tempfile.TemporaryDirectory(prefix="tlscosim-diff-") as folder:
        check_batch(batch, Path(folder), configs(every_block))


def _lane_test(lane: int, examples: int, strategy=batches):
    @seed(BASE_SEED + lane)
    @settings(max_examples=examples, deadline=None, database=None, print_blob=False,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch=strategy, every_block=every_block_runs)
    def test(batch, every_block):
        _check(batch, every_block)
    test.__doc__ = f"Lane {lane}: {examples} random batches (seed {BASE_SEED + lane:#x}) agree with QEMU everywhere."
    return test


for _lane in range(LANES):
    globals()[f"test_random_programs_agree_with_qemu_lane{_lane}"] = _lane_test(_lane, DEFAULT_EXAMPLES)

for _lane in range(CORPUS_LANES):
    globals()[f"test_corpus_random_programs_agree_with_qemu_lane{_lane}"] = pytest.mark.corpus(
        _lane_test(LANES + _lane, CORPUS_EXAMPLES, corpus_batches))


# -- the generator draws what it claims (read back by capstone, not by our decoder) ----------

# Instruction classes the grammar promises, as capstone spells their mnemonics (conditional
# ones inside IT blocks carry a condition suffix, stripped before the comparison).
EXPECTED_MNEMONICS = {
    "it": {"it", "ite", "itt", "itet", "itte", "ittt", "itee", "itett"},
    "table branch": {"tbb", "tbh"},
    "compare and branch": {"cbz", "cbnz"},
    "load/store multiple": {"ldm", "stm", "ldmdb", "stmdb"},
    "stack": {"push", "pop"},
    "dual": {"ldrd", "strd"},
    "divide": {"udiv", "sdiv"},
    "long multiply": {"umull", "smull", "umlal", "smlal"},
    "bitfield": {"ubfx", "sbfx", "bfi", "bfc"},
    "saturate": {"ssat", "usat"},
    "carry": {"adc", "adcs", "sbc", "sbcs"},
    "bits": {"clz", "rbit", "rev"},
    "extend": {"uxtb", "sxth"},
    "simd": {"uadd8", "sel"},
}
CONDITION_SUFFIXES = ("eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le")
COVERAGE_PROGRAMS = 150


def _strip_condition(mnemonic: str) -> tuple[str, bool]:
    base = mnemonic.split(".")[0]
    if len(base) > 3 and base.endswith(CONDITION_SUFFIXES) and not base.startswith("it"):
        return base[:-2], True
    return base, False


def test_generated_programs_contain_every_instruction_class(tmp_path):
    drawn = []

    @seed(BASE_SEED)
    @settings(max_examples=COVERAGE_PROGRAMS, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(program=programs())
    def collect(program):
        drawn.append(program)

    collect()
    elf = build_images(drawn, [BoardDescription.load("mps2-an386")], tmp_path)["mps2-an386"]
    mnemonics, sizes, conditional = collections.Counter(), collections.Counter(), collections.Counter()
    disassembler = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
    disassembler.skipdata = True            # literal pools, jump tables and the constant table
    for insn in disassembler.disasm(_text_section(elf), 0):
        base, is_conditional = _strip_condition(insn.mnemonic)
        mnemonics[base] += 1
        sizes[insn.size] += 1
        if is_conditional:
            conditional[base[:3]] += 1
    assert [name for name, want in EXPECTED_MNEMONICS.items() if not any(mnemonics[m] for m in want)] == []
    # conditional loads and stores inside IT blocks, and both encoding sizes, in numbers
    assert conditional["ldr"] > 100 and conditional["str"] > 50, conditional
    assert sizes[2] > 1000 and sizes[4] > 1000, sizes


def _text_section(elf: Path) -> bytes:
    with open(elf, "rb") as f:
        return ELFFile(f).get_section_by_name(".text").data()
