"""Semihosting against QEMU: the probe firmware (tests/fw/firmware/semihosting) calls every
operation, with good and bad handles, names and pointers, and prints each return value and
errno. Under tlscosim and under QEMU (`target=native`, run in the same kind of folder) the
output must be identical; what tlscosim alone defines (confinement, SYS_SYSTEM refused,
pointers QEMU silently ignores) is pinned line by line."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu
from tlscosim.paths import BUILD_DIR, ROOT
from tlscosim.sim.frontends.runner import load_simulation
from tlscosim.sim.board.semihosting import attach
from tlscosim.sim.board.semihosting_files import HostError, HostFiles

MAX_CYCLES = 200_000_000


@pytest.fixture(scope="module")
def probe_elf():
    result = build_firmware(["semihosting"], apps_dir=ROOT / "tests" / "fw" / "firmware",
                            out_dir=BUILD_DIR / "tests" / "fw")
    return result.elfs["semihosting"]


def run_tlscosim(elf, root, args):
    """UART plus semihosting `:tt` writes in order (QEMU's stdout), and the SYS_WRITEC/
    SYS_WRITE0 console (QEMU's stderr)."""
    stream = []
    sim = load_simulation(elf, max_cycles=MAX_CYCLES, uart_sink=lambda _n, d: stream.append(("stdout", d)),
                          semihosting_sink=lambda n, d: stream.append((n, d)))
    attach(sim, root=root, args=args)
    result = sim.run()
    stdout = b"".join(d for n, d in stream if n == "stdout")
    console = b"".join(d for n, d in stream if n == "console")
    return result, stdout, console


def test_every_operation_as_qemu(probe_elf, tmp_path):
    (tmp_path / "qemu").mkdir()
    (tmp_path / "sim").mkdir()
    qemu = run_qemu(probe_elf, timeout_s=30, semihosting_args=["probe", "a,b"], cwd=tmp_path / "qemu")
    result, stdout, console = run_tlscosim(probe_elf, tmp_path / "sim", ["probe", "a,b"])
    assert qemu.exit_code == result.exit_code == 0
    assert stdout.decode() == qemu.output.decode()
    assert console == qemu.stderr == b"W and SYS_WRITE0\n"
    lines = stdout.decode().splitlines()
    assert lines[0] == "argc 2: [probe] [a,b]"
    assert "features: 53 48 46 42 03" in lines and "fgets: line two 42" in lines
    assert lines[-1] == "done"
    # Every file the probe made was removed again, on both.
    assert os.listdir(tmp_path / "qemu") == os.listdir(tmp_path / "sim") == []


TLSCOSIM_ONLY = f"""\
open outside root: -1 errno={errno.EACCES}
open absolute outside root: -1 errno={errno.EACCES}
system: -1 errno={errno.ENOSYS}
tmpnam: 0
tmpnam: tlscosim-tmp-07
tmpnam small: -1 errno={errno.E2BIG}
unknown op 0x40: -1 errno={errno.ENOSYS}
istty :tt: 1
get_cmdline bad buffer: -1 errno={errno.EFAULT}
read bad buffer: 4
errno: {errno.EFAULT}
heapinfo bad block: -1 errno={errno.EFAULT}
done
"""


def test_tlscosim_only_operations(probe_elf, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    result, stdout, _console = run_tlscosim(probe_elf, root, ["probe", "tlscosim"])
    assert result.exit_code == 0
    assert stdout.decode().endswith("\nfgets: one\nfclose: 0\nremove: 0\nfopen missing: NULL\n" + TLSCOSIM_ONLY)
    assert result.warnings == ["semihosting SYS_SYSTEM refused: firmware does not run host commands",
                               "semihosting operation 0x40 is not supported (returns -1)"]
    assert not (tmp_path / "sh_outside.txt").exists()


def test_heapinfo_reports_the_firmwares_heap_and_stack(probe_elf, tmp_path):
    sim = load_simulation(probe_elf, max_cycles=MAX_CYCLES)
    semihosting = attach(sim, root=tmp_path)
    symbols = subprocess.run(["arm-none-eabi-nm", str(probe_elf)], capture_output=True, text=True, check=True)
    table = {name: int(value, 16) for value, _kind, name in (line.split() for line in symbols.stdout.splitlines())
             if name in ("_heap_start", "_heap_end", "_stack_top", "_stack_limit")}
    assert semihosting._heap == (table["_heap_start"], table["_heap_end"], table["_stack_top"], table["_stack_limit"])


def test_paths_are_confined_to_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "secret").write_text("x")
    (root / "link").symlink_to(tmp_path / "secret")
    files = HostFiles(root, root / "sub")
    assert files.host_path(b"../a.txt") == root / "a.txt"
    for name in (b"../../secret", b"/etc/hostname", b"../link"):
        with pytest.raises(HostError) as exc:
            files.host_path(name)
        assert exc.value.errno == errno.EACCES
    with pytest.raises(ValueError) as exc:
        HostFiles(root, tmp_path)
    assert str(exc.value) == f"the semihosting working directory {tmp_path} is outside the root {root}"


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tlscosim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_command_line_and_root(probe_elf, tmp_path):
    proc = run_cli("run", str(probe_elf), "-q", "--semihosting-root", str(tmp_path), "--", "one", "two")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"argc 3: [{probe_elf.name}] [one] [two]"
    assert os.listdir(tmp_path) == []


def test_cli_bad_semihosting_folders(probe_elf, tmp_path):
    proc = run_cli("run", str(probe_elf), "--semihosting-root", str(tmp_path / "missing"))
    assert (proc.returncode, proc.stderr) == (
        2, f"tlscosim: error: --semihosting-root {tmp_path / 'missing'}: not a folder\n")
    proc = run_cli("run", str(probe_elf), "--semihosting-root", str(tmp_path), "--semihosting-cwd", "..")
    assert (proc.returncode, proc.stderr) == (
        2, f"tlscosim: error: --semihosting-cwd ..: the semihosting working directory {tmp_path}/.. "
           f"is outside the root {tmp_path}\n")
    proc = run_cli("build", "--", "x")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == "tlscosim: error: `--` and what follows it go with `tlscosim run` only: x"
