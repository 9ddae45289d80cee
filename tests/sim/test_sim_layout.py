"""The simulator's layout (docs/simulator.md): modules import each other without cycles
(imports inside functions included: a lazy import only hides a cycle), and every way of
running firmware goes through sim/runner.py."""

import ast
from pathlib import Path

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.sim import runner
from tlscosim.sim.elf import Firmware
from tlscosim.sim.machine import RunOptions

SIM_DIR = Path(runner.__file__).parent
REPO = SIM_DIR.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SIM_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["sim", *parts])


def _imported(module: str, is_package: bool, node) -> list[str]:
    """Candidate sim modules an import statement names (a package, or a module in it)."""
    if isinstance(node, ast.Import):
        return [".".join(["sim", *a.name.split(".")[2:]]) for a in node.names if a.name.startswith("tlscosim.sim")]
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
    elif (node.module or "").startswith("tlscosim.sim"):
        base = ["sim", *node.module.split(".")[2:]]
    else:
        return []
    return [".".join(base)] + [".".join([*base, a.name]) for a in node.names]


def sim_import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SIM_DIR.rglob("*.py")}
    graph = {}
    for module, path in files.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps.update(d for d in _imported(module, path.name == "__init__.py", node) if d in files)
        deps.discard(module)
        graph[module] = deps
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_sim_modules_import_without_cycles():
    graph = sim_import_graph()
    assert {"sim.cli", "sim.run_command", "sim.machine", "sim.results", "sim.fault_escalation"} <= set(graph)
    assert import_cycles(graph) == []


def test_cycle_finder_sees_a_lazy_import_cycle():
    # The shape the cli <-> run_command pair had: a module-level import one way, a lazy one back.
    source = {"cli": "def _run(args):\n    from .run_command import run_command\n",
              "run_command": "from .cli import EXIT_LIMIT\n"}
    graph = {}
    for name, text in source.items():
        deps = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                deps.update(d for d in _imported(f"sim.{name}", False, node) if d in {"sim.cli", "sim.run_command"})
        graph[f"sim.{name}"] = deps
    assert import_cycles(graph) == [["sim.cli", "sim.run_command"]]


def test_front_ends_build_their_simulation_through_the_runner():
    front_ends = [SIM_DIR / "run_command.py", SIM_DIR / "bench.py", SIM_DIR / "profile_bench.py",
                  REPO / "tlscosim" / "api.py", REPO / "tlscosim" / "bench_crypto.py"]
    for path in front_ends:
        text = path.read_text()
        assert "Simulation(" not in text, path.name
        assert "load_simulation" in text or "run_elf" in text, path.name


def test_runner_takes_loaded_firmware_and_board(test_elfs):
    elf = test_elfs["exit3"]
    by_name = runner.run_elf(elf, max_cycles=2_000_000)
    loaded = runner.run_elf(Firmware.load(elf), BoardDescription.load("mps2-an386"),
                            options=RunOptions(max_cycles=2_000_000))
    assert by_name.exit_code == 3
    assert (loaded.stop_reason, loaded.exit_code, loaded.cycles, loaded.instructions) == \
        (by_name.stop_reason, by_name.exit_code, by_name.cycles, by_name.instructions)


def test_runner_refuses_options_given_twice(test_elfs):
    elf = test_elfs["exit3"]
    with pytest.raises(TypeError) as info:
        runner.load_simulation(elf, options=RunOptions(), max_cycles=5)
    assert str(info.value) == "give options or RunOptions fields, not both (max_cycles)"
