"""The cycle model never changes what firmware computes (issue 7): IT-block state survives
every way the engine is hooked or stopped mid-block.

Unicorn restores the accessing instruction's state before it calls a memory hook, which
writes the IT state of a conditional load or store into the CPU; left there, it made the
next translated block run as if inside an IT block (the wait-state hook on flash did this:
newlib's memcpy lost bytes). The firmware (firmware/itstate) runs conditional loads from
code memory, conditional stores, conditional device reads, conditional divides, branches
ending IT blocks and a table branch, optionally under a SysTick interrupt every 997 cycles.
Every board, timing model and stop pattern must give QEMU's output, and where nothing
reads time, the same instruction count.
"""

from __future__ import annotations

import itertools

from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu
from tlscosim.paths import BUILD_DIR

from simtest import run, with_scenario

FIRMWARE_DIR = Path(__file__).parent / "firmware"

BOARDS = ("mps2-an386", "stm32f4-like")     # zero wait states; flash with 5 wait states
TIMINGS = ("flat", "cortex-m4")
# The run loop stops the CPU at its deadlines: the default heartbeat stops rarely; a
# heartbeat of one cycle stops and restarts it before every translated block.
STOP_EVERY_BLOCK = 1
STOPS = ("rarely", "every-block")
SCENARIOS = ("plain", "irq")
MAX_CYCLES = 50_000_000


@pytest.fixture(scope="module")
def elfs():
    return {board: build_firmware(["itstate"], board=board, apps_dir=FIRMWARE_DIR,
                                  out_dir=BUILD_DIR / "test-sim" / "itstate" / board).elfs["itstate"]
            for board in BOARDS}


@pytest.fixture(scope="module")
def qemu_output(elfs, tmp_path_factory):
    """QEMU's output per scenario (the oracle), from the mps2-an386 build."""
    out = {}
    for scenario in SCENARIOS:
        elf = with_scenario(elfs["mps2-an386"], scenario, tmp_path_factory.mktemp("qemu") / "itstate.elf")
        result = run_qemu(elf, timeout_s=30)
        assert not result.timed_out and result.exit_code == 0, result.stderr
        out[scenario] = result.stderr   # QEMU writes the semihosting console to its stderr
    return out


# SysTick every 997 cycles over runs of 300k (zero wait states) to 1.1M cycles (flash).
MIN_TICKS = 250


def _run(elfs, board, timing, stops, scenario):
    options = {"heartbeat_cycles": STOP_EVERY_BLOCK} if stops == "every-block" else {}
    sim, result = run(elfs[board], scenario, board=board, timing=timing, max_cycles=MAX_CYCLES, **options)
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    result.ticks = sim.cpu.read_u32(sim.firmware.symbols.address_of("ticks"))
    return result


def test_qemu_runs_every_kernel(qemu_output):
    lines = {s: qemu_output[s].decode().splitlines() for s in SCENARIOS}
    kernels = ["loads", "stores", "buffer", "device", "divide", "dispatch"]
    assert [line.split("=")[0] for line in lines["plain"]] == kernels
    assert lines["irq"] == lines["plain"]


@pytest.mark.parametrize("board,timing,stops,scenario", list(itertools.product(BOARDS, TIMINGS, STOPS, SCENARIOS)))
def test_output_is_qemus(elfs, qemu_output, board, timing, stops, scenario):
    result = _run(elfs, board, timing, stops, scenario)
    assert result.semihosting_output == qemu_output[scenario]
    assert (result.ticks >= MIN_TICKS) == (scenario == "irq"), result.ticks


@pytest.mark.parametrize("board", BOARDS)
def test_instruction_count_does_not_depend_on_timing_or_stops(elfs, board):
    counts = {(timing, stops): _run(elfs, board, timing, stops, "plain").instructions
              for timing, stops in itertools.product(TIMINGS, STOPS)}
    assert len(set(counts.values())) == 1, counts


def test_wait_states_cost_cycles_without_changing_the_program(elfs):
    flat = _run(elfs, "stm32f4-like", "flat", "rarely", "plain")
    timed = _run(elfs, "stm32f4-like", "cortex-m4", "rarely", "plain")
    zero_wait = _run(elfs, "mps2-an386", "cortex-m4", "rarely", "plain")
    assert flat.cycles == flat.instructions
    # The same instructions: the flash's wait states only add cycles.
    assert timed.instructions == zero_wait.instructions
    assert timed.cycles > 2 * zero_wait.cycles
