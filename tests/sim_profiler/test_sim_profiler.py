"""The cycle-weighted profiler (sim/frontends/profiler.py, sim/engine/native/profilehook.c) on firmware with a
known call structure (firmware/profcalls/main.c) and on the project's own firmware."""

from __future__ import annotations

import json

import capstone
import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.cli import main as tlscosim_main
from tlscosim.fw.vectors import spare_irq_line
from tlscosim.sim.engine.decode import decode_block
from tlscosim.sim.board.elf import Firmware
from tlscosim.sim.architecture.exceptions import ENTRY_CYCLES, RETURN_CYCLES, TAIL_CHAIN_CYCLES
from tlscosim.sim.board.peripherals.trng import DEFAULT_LATENCY
from tlscosim.sim.frontends.profile_bench import measure_profiler_overhead
from tlscosim.sim.engine.profile_native import KEY_UNKNOWN
from tlscosim.sim.frontends.profiler import (EXCEPTION_OVERHEAD, SLEEP, SPEEDSCOPE_SCHEMA, FunctionKeys, Profiler,
                                   speedscope, text_path_for)
from tlscosim.sim.frontends.runner import load_simulation
from tlscosim.sim.engine.timing import CortexM4Timing

# firmware/profcalls/main.c
MIDDLE_CALLS, LEAF_PER_MIDDLE, RECURSE_DEPTH, TRNG_WORDS, TICKS, STRADDLE_CALLS = 10, 3, 5, 20, 4, 7
SYSTICK, PENDSV = "[exception 15 SysTick]", "[exception 14 PendSV]"
STARTUP = {"Reset_Handler", "memcpy", "memset", "uart_init", "__libc_init_array", "_init", "exit",
           "__call_exitprocs", "register_fini", "_exit", "semihosting_exit"}


def only_context(report, name):
    contexts = report.contexts(name)
    assert len(contexts) == 1, [report.stack(c) for c in contexts]
    return contexts[0]


def first_block(elf, name):
    """The decoded instructions from a function's start up to the first PC write (the block
    Unicorn translates there, even past the symbol's end), and their timing."""
    firmware = Firmware.load(elf)
    sym = next(s for s in firmware.symbols.functions() if s.name == name)
    seg = next(s for s in firmware.segments if s.address <= sym.address < s.address + len(s.data))
    code = seg.data[sym.address - seg.address:][:256]
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    end = sym.address
    for address, size, mnemonic, _ops in md.disasm_lite(code, sym.address):
        end = address + size
        if mnemonic.startswith(("bx", "pop", "b")):
            break
    insns = decode_block(code[:end - sym.address], sym.address)
    return insns, CortexM4Timing().block(insns)


# -- function keys -----------------------------------------------------------------------------


@pytest.mark.parametrize("app", ["selfcheck", "bench"])
def test_function_intervals_agree_with_symbol_lookup_everywhere(standard_elfs, app):
    """The native cache trusts an interval's key for every address in it."""
    firmware = Firmware.load(standard_elfs[app])
    keys = FunctionKeys(firmware.symbols)
    code = firmware.segments[0]
    address, intervals = code.address, 0
    while address < code.address + len(code.data):
        key, lo, hi = keys.interval(address)
        assert lo <= address < hi
        end = min(hi, code.address + len(code.data))
        for a in range(address, end, 2):
            sym = firmware.symbols.lookup(a)
            assert key == (sym.address if sym else KEY_UNKNOWN), hex(a)
        address, intervals = end, intervals + 1
    assert intervals < len(firmware.symbols) * 3


# -- exact totals ---------------------------------------------------------------------------


def assert_exact(run):
    result, report = run.result, run.report
    assert report.notes == []
    assert report.total_cycles == result.cycles
    assert report.total_instructions == result.instructions
    assert sum(r.self_cycles for r in report.functions) == result.cycles
    assert sum(r.self_instructions for r in report.functions) == result.instructions
    by_name = {r.name: r for r in report.functions}
    assert by_name.get(SLEEP, None) is None or by_name[SLEEP].self_cycles == result.counters["sleep_cycles"]
    if result.counters["exception_cycles"]:
        assert by_name[EXCEPTION_OVERHEAD].self_cycles == result.counters["exception_cycles"]
    # The call tree holds every cycle and instruction once.
    assert sum(n.self_cycles for n in report.nodes) == result.cycles
    assert sum(n.self_instructions for n in report.nodes) == result.instructions
    assert report.nodes[0].total_cycles == result.cycles
    assert sum(e.overhead_cycles for e in report.exceptions) == result.counters["exception_cycles"]
    assert sum(n.self_cycles for n in report.nodes if n.name == SLEEP) == result.counters["sleep_cycles"]


def test_totals_are_exact_on_the_test_firmware(profcalls):
    assert_exact(profcalls)
    assert profcalls.result.counters["sleep_cycles"] > 0


def test_totals_are_exact_with_faults_interrupts_and_sleep(standard_elfs, profile_elf):
    """selfcheck takes faults (blocks cut short and rolled back), nested interrupts, WFI,
    divides and IT blocks (costs settled at run time)."""
    run = profile_elf(standard_elfs["selfcheck"])
    assert run.result.exit_code == 0 and len(run.result.handled_faults) == 3
    assert_exact(run)
    names = {e.name for e in run.report.exceptions}
    spare = spare_irq_line(BoardDescription.load("mps2-an386"))   # the line selfcheck triggers
    spare_name = f"[exception {16 + spare} IRQ{spare}]"
    assert {"[exception 3 HardFault]", "[exception 6 UsageFault]", SYSTICK, spare_name} <= names


def test_totals_are_exact_with_memory_wait_states(profcalls_elf_wait_states, profile_elf):
    run = profile_elf(profcalls_elf_wait_states, board="stm32f4-like")
    assert run.result.exit_code == 0
    assert run.result.counters["lsu"] > 0
    assert_exact(run)


def test_profiling_does_not_change_the_run(profcalls, profcalls_elf):
    plain = load_simulation(profcalls_elf).run()
    assert (plain.cycles, plain.instructions, plain.uart_output) == \
        (profcalls.result.cycles, profcalls.result.instructions, profcalls.result.uart_output)


# -- the call structure ---------------------------------------------------------------------


def test_call_counts(profcalls):
    report = profcalls.report
    assert report.function("middle").calls == MIDDLE_CALLS
    assert report.function("leaf").calls == MIDDLE_CALLS * LEAF_PER_MIDDLE
    assert report.function("recurse").calls == RECURSE_DEPTH + 1
    assert report.function("on_tick").calls == TICKS
    assert report.function("on_pendsv").calls == 1
    assert report.function("main").calls == 1
    leaf = only_context(report, "leaf")
    assert report.stack(leaf) == ["Reset_Handler", "main", "middle", "leaf"]
    assert leaf.calls == MIDDLE_CALLS * LEAF_PER_MIDDLE


def test_leaf_self_figures_are_its_code_times_its_calls(profcalls, profcalls_elf):
    insns, timing = first_block(profcalls_elf, "leaf")
    calls = MIDDLE_CALLS * LEAF_PER_MIDDLE
    row = profcalls.report.function("leaf")
    # Each call runs the block once and pays the refill of the branch that reached it.
    assert row.self_instructions == calls * len(insns)
    assert row.self_cycles == calls * (timing.cycles + timing.refill)
    node = only_context(profcalls.report, "leaf")
    assert (node.self_cycles, node.self_instructions) == (row.self_cycles, row.self_instructions)
    assert row.inclusive_cycles == row.self_cycles


def test_inclusive_of_a_caller_holds_its_callees(profcalls):
    report = profcalls.report
    middle, leaf = report.function("middle"), report.function("leaf")
    assert middle.inclusive_cycles == middle.self_cycles + leaf.self_cycles
    main = only_context(report, "main")
    assert report.function("main").inclusive_cycles == main.total_cycles
    # Everything outside main is start-up and exit code.
    reset = only_context(report, "Reset_Handler")
    assert reset.total_cycles == report.total_cycles
    outside = {n.name for n in report.nodes[1:] if "main" not in report.stack(n)}
    assert outside <= STARTUP
    startup_cycles = sum(n.self_cycles for n in report.nodes[1:] if "main" not in report.stack(n))
    assert main.total_cycles == report.total_cycles - startup_cycles
    assert main.total_cycles > 0.9 * report.total_cycles


def test_recursion_is_counted_once(profcalls):
    report = profcalls.report
    contexts = report.contexts("recurse")
    assert len(contexts) == RECURSE_DEPTH + 1
    outermost = min(contexts, key=lambda n: len(report.stack(n)))
    deepest = max(contexts, key=lambda n: len(report.stack(n)))
    assert report.stack(deepest) == ["Reset_Handler", "main"] + ["recurse"] * (RECURSE_DEPTH + 1)
    row = report.function("recurse")
    assert row.inclusive_cycles == outermost.total_cycles
    assert row.inclusive_cycles < sum(n.total_cycles for n in contexts)
    assert row.inclusive_cycles == row.self_cycles      # it calls nothing else


def test_tail_call_replaces_the_caller_frame(profcalls):
    report = profcalls.report
    target = only_context(report, "tail_target")
    assert report.stack(target) == ["Reset_Handler", "main", "tail_target"]
    assert target.calls == 1
    assert report.stack(only_context(report, "tail_caller")) == ["Reset_Handler", "main", "tail_caller"]


def test_flat_profile_splits_a_block_straddling_two_functions(profcalls, profcalls_elf):
    report = profcalls.report
    a, b = report.function("straddle_a"), report.function("straddle_b")
    assert a.self_instructions == b.self_instructions == 2 * STRADDLE_CALLS
    insns, timing = first_block(profcalls_elf, "straddle_a")
    assert [i.mnemonic for i in insns] == ["adds", "adds", "adds", "bx"]   # one block, two functions
    assert a.self_cycles == STRADDLE_CALLS * (timing.costs[0].cycles + timing.costs[1].cycles + timing.refill)
    assert b.self_cycles == STRADDLE_CALLS * (timing.costs[2].cycles + timing.costs[3].cycles)
    # The call tree charges the whole block to straddle_a; inclusive is never below self.
    assert only_context(report, "straddle_a").self_cycles == a.self_cycles + b.self_cycles
    assert report.contexts("straddle_b") == []
    assert b.inclusive_cycles == b.self_cycles


# -- exceptions, sleep and waiting ----------------------------------------------------------


def test_interrupt_handlers_run_under_exception_frames(profcalls):
    report = profcalls.report
    on_tick = only_context(report, "on_tick")
    assert report.stack(on_tick) == ["Reset_Handler", "main", SYSTICK, "SysTick_Handler", "on_tick"]
    assert report.stack(only_context(report, "on_pendsv")) == ["Reset_Handler", "main", PENDSV, "on_pendsv"]
    rows = {e.name: e for e in report.exceptions}
    assert rows[SYSTICK].entries == TICKS and rows[PENDSV].entries == 1
    # PendSV is tail-chained: it replaces SysTick's last return.
    assert rows[SYSTICK].overhead_cycles == TICKS * ENTRY_CYCLES + (TICKS - 1) * RETURN_CYCLES
    assert rows[PENDSV].overhead_cycles == TAIL_CHAIN_CYCLES + RETURN_CYCLES
    systick = only_context(report, SYSTICK)
    assert rows[SYSTICK].inclusive_cycles == systick.total_cycles == \
        systick.self_cycles + report.function("SysTick_Handler").inclusive_cycles
    assert report.function(EXCEPTION_OVERHEAD).calls == TICKS + 1


def test_sleep_is_charged_where_the_core_slept(profcalls):
    report = profcalls.report
    sleep = only_context(report, SLEEP)
    assert report.stack(sleep) == ["Reset_Handler", "main", SLEEP]
    assert sleep.self_cycles == report.function(SLEEP).self_cycles == profcalls.result.counters["sleep_cycles"]


def test_polling_a_device_is_charged_to_the_polling_function(profcalls):
    trng, = BoardDescription.load("mps2-an386").peripherals_of("trng")
    latency = int(trng.options.get("latency_cycles", DEFAULT_LATENCY))
    row = profcalls.report.function("trng_words")
    assert row.self_cycles >= TRNG_WORDS * latency
    assert row.inclusive_cycles == row.self_cycles
    assert profcalls.report.stack(only_context(profcalls.report, "trng_words")) == \
        ["Reset_Handler", "main", "trng_words"]


# -- limits ----------------------------------------------------------------------------------


def test_depth_limit_merges_deep_calls_and_says_so(profcalls_elf, profile_elf):
    run = profile_elf(profcalls_elf, max_depth=4)
    assert any("depth limit" in note for note in run.report.notes)
    assert max(len(run.report.stack(n)) for n in run.report.nodes if n.name == "recurse") <= 4
    assert sum(n.self_cycles for n in run.report.nodes) == run.result.cycles
    assert sum(r.self_cycles for r in run.report.functions) == run.result.cycles


def test_node_limit_merges_contexts_and_says_so(profcalls_elf, profile_elf):
    run = profile_elf(profcalls_elf, node_limit=6)
    assert len(run.report.nodes) == 6
    assert any("node limit" in note for note in run.report.notes)
    assert sum(n.self_cycles for n in run.report.nodes) == run.result.cycles


def test_detach_stops_profiling(profcalls_elf):
    sim = load_simulation(profcalls_elf)
    profiler = Profiler.attach(sim)
    profiler.detach()
    assert profiler not in sim.core.observers
    assert sim.run().exit_code == 0
    with pytest.raises(RuntimeError, match="detached"):
        profiler.report()


# -- output formats ----------------------------------------------------------------------------


def test_speedscope_file_is_consistent(profcalls, tmp_path):
    report = profcalls.report
    data = json.loads(json.dumps(speedscope(report)))
    assert data["$schema"] == SPEEDSCOPE_SCHEMA
    frames = data["shared"]["frames"]
    assert all(isinstance(f["name"], str) for f in frames)
    cycles, insns = data["profiles"]
    for profile, total in ((cycles, report.total_cycles), (insns, report.total_instructions)):
        assert profile["type"] == "sampled" and profile["unit"] == "none"
        assert len(profile["samples"]) == len(profile["weights"])
        assert all(w > 0 for w in profile["weights"])
        assert sum(profile["weights"]) == total == profile["endValue"] - profile["startValue"]
        for stack in profile["samples"]:
            assert all(0 <= i < len(frames) for i in stack)
            assert frames[stack[0]]["name"] == "Reset_Handler"
    # One sample per context with self cycles, its stack the context's frames.
    stacks = {tuple(frames[i]["name"] for i in s): w for s, w in zip(cycles["samples"], cycles["weights"])}
    leaf = only_context(report, "leaf")
    assert stacks[tuple(report.stack(leaf))] == leaf.self_cycles
    assert len(stacks) == sum(1 for n in report.nodes[1:] if n.self_cycles)


def test_write_produces_speedscope_text_and_table(profcalls, tmp_path, capsys):
    import sys

    path = tmp_path / "prof.json"
    profcalls.profiler.write(path, top=5, stream=sys.stderr)
    err = capsys.readouterr().err
    header = err.splitlines()[1].split()
    assert header[:3] == ["function", "self", "cycles"]
    assert len([line for line in err.splitlines() if line.split()[0] in {r.name for r in profcalls.report.functions}]) == 5
    assert json.loads(path.read_text())["profiles"][0]["weights"]
    text = text_path_for(path).read_text()
    assert text_path_for(path).name == "prof.json.txt"
    assert "call tree" in text and SYSTICK in text
    assert all(r.name in text for r in profcalls.report.functions)


def test_run_command_profile_option(profcalls_elf, tmp_path, capfd):
    path = tmp_path / "run.json"
    status = tlscosim_main(["run", str(profcalls_elf), "--profile", str(path), "-q"])
    assert status == 0
    err = capfd.readouterr().err
    assert "trng_words" in err and "incl. cycles" in err
    assert path.is_file() and text_path_for(path).is_file()


# -- speed -------------------------------------------------------------------------------------


def test_profiling_a_long_run_costs_less_than_10x(bench_elf):
    figures = measure_profiler_overhead(bench_elf, repeat=1)
    assert figures["stop_reason"] == "exit" and figures["instructions"] > 10**8
    assert figures["ratio"] < 10
