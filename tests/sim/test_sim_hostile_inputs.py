"""Hostile inputs to `tlscosim run` and friends (issue 8, items 9, 11, 12 and 13): bad
limits and seeds are argparse errors; files that are not firmware for the board are
refused naming the file and the problem; output paths that cannot be written are
refused before the run, and results are kept if writing fails after it; firmware exit
codes a process status cannot carry are in --json and warned about, with the status
QEMU gives. Every message is pinned whole; none ends in a traceback."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tlscosim.cli import main as tlscosim_main
from tlscosim.errors import UserError
from tlscosim.fw.qemu import run_qemu
from tlscosim.argtypes import SEED_MAX
from tlscosim.sim.board.elf import Firmware
from tlscosim.sim.board.machine import Simulation
from tlscosim.sim.frontends.runner import load_simulation

from simtest import EXIT_BAD_INPUT, EXIT_FAULT, EXIT_LIMIT, RAW_DIR, _cross, tlscosim

UNWRITABLE = Path("/sys")      # even root cannot create files here


def assert_no_traceback(proc):
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


# -- limits and seed (item 11) ---------------------------------------------------------------------

BAD_OPTIONS = {
    ("--max-cycles", "-5"): "argument --max-cycles: must be a whole number greater than 0, not '-5'",
    ("--max-cycles", "0"): "argument --max-cycles: must be a whole number greater than 0, not '0'",
    ("--max-cycles", "1e6"): "argument --max-cycles: must be a whole number greater than 0, not '1e6'",
    ("--timeout-s", "nan"): "argument --timeout-s: must be a finite number of seconds greater than 0, not 'nan'",
    ("--timeout-s", "-1"): "argument --timeout-s: must be a finite number of seconds greater than 0, not '-1'",
    ("--timeout-s", "inf"): "argument --timeout-s: must be a finite number of seconds greater than 0, not 'inf'",
    ("--timeout-s", "0"): "argument --timeout-s: must be a finite number of seconds greater than 0, not '0'",
    ("--seed", "-1"): f"argument --seed: must be an integer in 0..{SEED_MAX} (2**64 - 1), not '-1'",
    ("--seed", str(2**64)): f"argument --seed: must be an integer in 0..{SEED_MAX} (2**64 - 1), not '{2**64}'",
    ("--seed", "abc"): f"argument --seed: must be an integer in 0..{SEED_MAX} (2**64 - 1), not 'abc'",
}


@pytest.mark.parametrize("option", BAD_OPTIONS, ids=lambda o: " ".join(o))
def test_bad_limit_or_seed_is_an_argparse_error(test_elfs, option):
    proc = tlscosim("run", *option, test_elfs["exit3"])
    assert proc.returncode == EXIT_BAD_INPUT
    assert last_line(proc.stderr) == f"tlscosim run: error: {BAD_OPTIONS[option]}"
    assert proc.stderr.startswith("usage: tlscosim run ")
    assert_no_traceback(proc)


@pytest.mark.parametrize("seed", [str(SEED_MAX), "0x10", "0"])
def test_seeds_in_range_are_accepted(test_elfs, seed):
    proc = tlscosim("run", "--quiet", "--seed", seed, test_elfs["exit3"])
    assert (proc.returncode, proc.stderr) == (3, "")


OTHER_COMMANDS = {
    ("bench", "--repeat", "0"): "tlscosim bench: error: argument --repeat: must be a whole number greater than 0, not '0'",
    ("build", "hello", "-j", "-3"): "tlscosim build: error: argument -j/--jobs: must be a whole number greater than 0, "
                                    "not '-3'",
    ("bench-net", "--bytes", "-5"): "tlscosim bench-net: error: argument --bytes: must be a whole number greater "
                                    "than 0, not '-5'",
}


@pytest.mark.parametrize("args", OTHER_COMMANDS, ids=" ".join)
def test_counts_of_other_commands_must_be_positive(args):
    proc = tlscosim(*args)
    assert proc.returncode == EXIT_BAD_INPUT
    assert last_line(proc.stderr) == OTHER_COMMANDS[args]
    assert_no_traceback(proc)


# -- ELF files (item 12) ---------------------------------------------------------------------------


def _link(out: Path, source: str, script: str, defines=(), **symbols) -> Path:
    _cross("gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib", *defines, "-T", RAW_DIR / script,
           *(f"-Wl,--defsym={name}={value:#x}" for name, value in symbols.items()), RAW_DIR / source, "-o", out)
    return out


def exit_image(folder: Path, board_desc, code: int) -> Path:
    code_mem, data = board_desc.code_memory, board_desc.data_memory
    return _link(folder / f"exit{code}.elf", "exit_code.S", "minimal.ld", (f"-DEXIT_CODE={code}",),
                 VECTORS_ADDR=code_mem.base, EXTRA_ADDR=data.base, __initial_sp=data.end)


def elf_header(path: Path) -> dict:
    with path.open("rb") as fh:
        elf = ELFFile(fh)
        return {"header": dict(elf.header), "load": [dict(s.header) for s in elf.iter_segments()
                                                     if s["p_type"] == "PT_LOAD"]}


def refused(path: Path) -> str:
    with pytest.raises(UserError) as info:
        load_simulation(path)
    return str(info.value)


def test_a_folder(tmp_path):
    folder = tmp_path / "fw.elf"
    folder.mkdir()
    assert refused(folder) == f"{folder}: is a folder, not an ELF file"


def test_dev_null():
    assert refused(Path("/dev/null")) == "/dev/null: not a regular file, not an ELF file"


def test_an_empty_file(tmp_path):
    empty = tmp_path / "empty.elf"
    empty.write_bytes(b"")
    assert refused(empty) == f"{empty}: empty file, not an ELF file"


def test_an_elf_cut_inside_its_header(tmp_path, test_elfs):
    cut = tmp_path / "cut.elf"
    cut.write_bytes(test_elfs["exit3"].read_bytes()[:40])
    assert refused(cut) == f"{cut}: truncated ELF: 40 bytes, less than the 52-byte ELF header"


def test_an_elf_cut_inside_its_program_headers(tmp_path, test_elfs):
    h = elf_header(test_elfs["exit3"])["header"]
    size = h["e_phoff"] + 10
    cut = tmp_path / "cut.elf"
    cut.write_bytes(test_elfs["exit3"].read_bytes()[:size])
    end = h["e_phoff"] + h["e_phnum"] * h["e_phentsize"]
    assert refused(cut) == f"{cut}: truncated ELF: {size} bytes, but its program headers end at byte {end}"


def test_an_elf_cut_inside_a_segment(tmp_path, test_elfs):
    first = elf_header(test_elfs["exit3"])["load"][0]
    size = first["p_offset"] + 16
    cut = tmp_path / "cut.elf"
    cut.write_bytes(test_elfs["exit3"].read_bytes()[:size])
    assert refused(cut) == (f"{cut}: truncated ELF: {size} bytes, but its segment at {first['p_paddr']:#010x} "
                            f"ends at byte {first['p_offset'] + first['p_filesz']}")


def test_an_elf_cut_before_its_section_headers(tmp_path, test_elfs):
    h = elf_header(test_elfs["exit3"])["header"]
    data = test_elfs["exit3"].read_bytes()
    cut = tmp_path / "cut.elf"
    cut.write_bytes(data[:-10])
    end = h["e_shoff"] + h["e_shnum"] * h["e_shentsize"]
    assert end == len(data), "the section headers end the file"
    assert refused(cut) == f"{cut}: truncated ELF: {len(data) - 10} bytes, but its section headers end at byte {end}"


def test_an_elf_of_another_machine():
    host = Path(sys.executable).resolve()
    machine = elf_header(host)["header"]["e_machine"]
    assert machine != "EM_ARM"
    assert refused(host) == f"{host}: ELF for {machine}, not ARM"


def test_a_segment_outside_the_memories(raw_images, board_desc):
    past_all = max(m.end for m in board_desc.memories)
    mems = ", ".join(f"{m.name} {m.base:#010x}-{m.end:#010x}" for m in board_desc.memories)
    path = raw_images["outside"]
    assert refused(path) == (f"{path}: segment at {past_all:#010x}-{past_all + 4:#010x} lies outside the "
                             f"board's memories ({mems})")


def test_an_oversized_bss_is_reported_at_its_run_time_address(tmp_path, board_desc):
    code, data = board_desc.code_memory, board_desc.data_memory
    start, size = data.base + 0x100, data.size
    path = _link(tmp_path / "big_bss.elf", "minimal.S", "big_bss.ld", VECTORS_ADDR=code.base, EXTRA_ADDR=data.base,
                 __initial_sp=data.end, BSS_ADDR=start, BSS_LOAD_ADDR=code.base + 0x1000, BSS_SIZE=size)
    bss, = (s for s in elf_header(path)["load"] if s["p_filesz"] == 0)
    assert bss["p_paddr"] != bss["p_vaddr"] == start, "the .bss has a load address of its own"
    assert refused(path) == (f"{path}: .bss at run-time address {start:#010x}-{start + size:#010x} ({size:#x} bytes) "
                             f"does not fit in memory {data.name} {data.base:#010x}-{data.end:#010x} "
                             f"({start + size - data.end:#x} bytes too many)")


def test_a_bss_that_fits_is_accepted(test_elfs, board_desc):
    firmware = Firmware.load(test_elfs["exit3"])
    firmware.check_fits(board_desc)
    zero = [s for s in firmware.segments if s.zero_sections]
    assert zero and all(board_desc.data_memory.contains(*s.zero_fill) for s in zero)


def test_elf_errors_through_the_command_line(tmp_path):
    empty = tmp_path / "empty.elf"
    empty.write_bytes(b"")
    for path, message in ((tmp_path, f"{tmp_path}: is a folder, not an ELF file"),
                          (Path("/dev/null"), "/dev/null: not a regular file, not an ELF file"),
                          (empty, f"{empty}: empty file, not an ELF file")):
        proc = tlscosim("run", path)
        assert (proc.returncode, proc.stderr) == (EXIT_BAD_INPUT, f"tlscosim: error: {message}\n")


DAMAGE_SEED, DAMAGED_FILES = 8, 400


def test_damaged_elf_files_load_or_are_refused(tmp_path, test_elfs, board_desc):
    """Bytes changed in the headers, anywhere, or the file cut short: the loader either
    accepts the image or refuses it with a UserError, never another exception."""
    import random
    original = test_elfs["exit3"].read_bytes()
    rng = random.Random(DAMAGE_SEED)
    path = tmp_path / "damaged.elf"
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(DAMAGED_FILES):
        data = bytearray(original)
        how = rng.choice(["headers", "anywhere", "cut"])
        if how == "cut":
            data = data[:rng.randrange(len(data))]
        for _ in range(0 if how == "cut" else rng.randint(1, 8)):
            where = rng.randrange(len(data)) if how == "anywhere" else \
                rng.choice([rng.randrange(256), rng.randrange(len(data) - 1024, len(data))])
            data[where] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            Firmware.load(path).check_fits(board_desc)
            outcomes["loaded"] += 1
        except UserError as exc:
            assert str(exc).startswith(f"{path}: ")
            outcomes["refused"] += 1
    assert outcomes["loaded"] and outcomes["refused"], outcomes


# -- outputs (item 9) ------------------------------------------------------------------------------


def output_cases(tmp_path: Path) -> dict:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    missing = tmp_path / "missing" / "run.json"
    return {
        "json in a missing folder": (("--json", missing), f"cannot write --json {missing}: folder {missing.parent} does not exist"),
        "json under a file": (("--json", a_file / "run.json"),
                              f"cannot write --json {a_file / 'run.json'}: {a_file} is not a folder"),
        "json is a folder": (("--json", tmp_path), f"cannot write --json {tmp_path}: it is a folder"),
        "json unwritable": (("--json", UNWRITABLE / "run.json"),
                            f"cannot write --json {UNWRITABLE / 'run.json'}: Permission denied"),
        "profile in a missing folder": (("--profile", missing.with_name("p.json")),
                                        f"cannot write --profile {missing.with_name('p.json')}: folder "
                                        f"{missing.parent} does not exist"),
        "pcap in a missing folder": (("--pcap", missing.with_name("w.pcap")),
                                     f"cannot write --pcap {missing.with_name('w.pcap')}: folder "
                                     f"{missing.parent} does not exist"),
    }


@pytest.mark.parametrize("case", ["json in a missing folder", "json under a file", "json is a folder",
                                  "json unwritable", "profile in a missing folder", "pcap in a missing folder"])
def test_run_refuses_an_output_it_cannot_write_before_running(tmp_path, test_elfs, case):
    option, message = output_cases(tmp_path)[case]
    proc = tlscosim("run", *option, test_elfs["timing"])
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr == f"tlscosim: error: {message}\n", "no summary: nothing ran"
    assert proc.stdout == "", "no UART output: nothing ran"


def test_bench_refuses_its_json_output_before_measuring(tmp_path):
    missing = tmp_path / "missing" / "bench.json"
    proc = tlscosim("bench", "--json", missing)
    assert (proc.returncode, proc.stdout) == (EXIT_BAD_INPUT, "")
    assert proc.stderr == f"tlscosim: error: cannot write --json {missing}: folder {missing.parent} does not exist\n"


@pytest.mark.parametrize("command", ["regs", "verilog"])
def test_rtl_outputs_refused_before_writing(tmp_path, command):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for outdir, message in ((a_file / "out", f"cannot write OUTDIR {a_file / 'out'}: {a_file} is not a folder"),
                            (UNWRITABLE / "out", f"cannot write OUTDIR {UNWRITABLE / 'out'}: {UNWRITABLE}: "
                                                 "Permission denied")):
        proc = tlscosim("rtl", command, outdir)
        assert (proc.returncode, proc.stdout) == (EXIT_BAD_INPUT, "")
        assert proc.stderr == f"tlscosim: error: {message}\n"


def _remove_after_the_run(monkeypatch, folder: Path) -> None:
    """The output folder disappears while the firmware runs (the run itself is real)."""
    real_run = Simulation.run

    def run_then_remove(self):
        result = real_run(self)
        shutil.rmtree(folder)
        return result
    monkeypatch.setattr(Simulation, "run", run_then_remove)


FALLBACK = re.compile(r"it was written to (\S+) instead$")


def test_json_that_cannot_be_written_after_the_run_is_kept(tmp_path, test_elfs, monkeypatch, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "run.json"
    _remove_after_the_run(monkeypatch, folder)
    status = tlscosim_main(["run", "--quiet", "--json", str(out), str(test_elfs["exit3"])])
    err = capsys.readouterr().err
    fallback = Path(FALLBACK.search(err).group(1))
    assert status == EXIT_BAD_INPUT
    assert err == (f"tlscosim: error: cannot write --json {out} (No such file or directory); "
                   f"it was written to {fallback} instead\n")
    data = json.loads(fallback.read_text())
    assert (data["stop_reason"], data["firmware_exit_code"], data["exit_status"]) == ("exit", 3, 3)
    shutil.rmtree(fallback.parent)


def test_json_to_a_full_device_is_kept(test_elfs):
    """/dev/full accepts the open and refuses the write: the check passes, the write fails."""
    proc = tlscosim("run", "--quiet", "--json", "/dev/full", test_elfs["exit3"])
    fallback = Path(FALLBACK.search(proc.stderr.rstrip("\n")).group(1))
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr == (f"tlscosim: error: cannot write --json /dev/full (No space left on device); "
                           f"it was written to {fallback} instead\n")
    assert json.loads(fallback.read_text())["firmware_exit_code"] == 3
    shutil.rmtree(fallback.parent)


def test_profile_that_cannot_be_written_after_the_run_is_kept(tmp_path, test_elfs, monkeypatch, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "prof.json"
    _remove_after_the_run(monkeypatch, folder)
    status = tlscosim_main(["run", "--quiet", "--profile", str(out), str(test_elfs["exit3"])])
    err = capsys.readouterr().err
    fallback = Path(FALLBACK.search(err).group(1))
    assert status == EXIT_BAD_INPUT
    assert err.endswith(f"tlscosim: error: cannot write --profile {out} (No such file or directory); "
                        f"it was written to {fallback} instead\n")
    assert json.loads(fallback.read_text())["$schema"].startswith("https://www.speedscope.app/")
    assert fallback.with_name(fallback.name + ".txt").read_text()
    shutil.rmtree(fallback.parent)


def test_an_output_that_cannot_be_kept_either_says_so(tmp_path, monkeypatch):
    import tempfile

    from tlscosim.errors import OutputError
    from tlscosim.outputs import write_text_or_keep

    monkeypatch.setattr(tempfile, "tempdir", str(UNWRITABLE))
    out = tmp_path / "gone" / "run.json"
    with pytest.raises(OutputError) as info:
        write_text_or_keep(out, "{}", "--json")
    assert str(info.value) == (f"cannot write --json {out} (No such file or directory), nor a copy in the "
                               "temporary folder (Operation not permitted): the results are lost")


TOO_LONG = "a" * 300        # longer than a file name may be (NAME_MAX is 255 on Linux)


def test_names_too_long_are_clear_errors(tmp_path, test_elfs):
    name = tmp_path / TOO_LONG
    elf = test_elfs["exit3"]
    cases = {
        ("run", name): f"{name}: cannot read (File name too long)",
        ("run", elf, "--json", name): f"cannot write --json {name}: File name too long",
        ("run", elf, "--board", f"{name}.toml"): f"board '{name}.toml': File name too long",
        ("run", elf, "--board", TOO_LONG): f"board '{TOO_LONG}': File name too long",
        ("rtl", "regs", name / "out"): f"cannot write OUTDIR {name / 'out'}: File name too long",
    }
    for args, message in cases.items():
        proc = tlscosim(*args)
        assert (proc.returncode, proc.stderr) == (EXIT_BAD_INPUT, f"tlscosim: error: {message}\n"), args


# -- firmware exit codes (item 13) -----------------------------------------------------------------


def test_a_run_that_did_not_exit_has_no_firmware_exit_code(tmp_path, test_elfs):
    out = tmp_path / "run.json"
    proc = tlscosim("run", "--quiet", "--max-cycles", "100000", "--json", out, test_elfs["spin"])
    data = json.loads(out.read_text())
    assert proc.returncode == EXIT_LIMIT
    assert (data["stop_reason"], data["firmware_exit_code"], data["exit_status"]) == ("cycle-limit", None, EXIT_LIMIT)

STATUS_WARNING = ("tlscosim: warning: firmware exit code {code} is not a process status (0..255): "
                  "the status is {status}; --json firmware_exit_code holds the code")
CLASH_WARNING = ("tlscosim: warning: exit status {status} is also the status of {meaning}: "
                 "--json stop_reason tells them apart")


@pytest.mark.parametrize("code", [3, 256, EXIT_LIMIT, EXIT_FAULT, 256 + EXIT_LIMIT, 0xFFFF_FFFF])
def test_exit_codes_are_in_the_json_and_the_status_is_qemus(tmp_path, board_desc, code):
    elf = exit_image(tmp_path, board_desc, code)
    out = tmp_path / "run.json"
    proc = tlscosim("run", "--json", out, elf)
    qemu = run_qemu(elf, board=board_desc)
    assert proc.returncode == qemu.exit_code == code & 0xFF, "the status a POSIX process can carry, as QEMU's"
    data = json.loads(out.read_text())
    assert (data["stop_reason"], data["firmware_exit_code"], data["exit_status"]) == ("exit", code, code & 0xFF)
    status = code & 0xFF
    expected = []
    if status != code:
        expected.append(STATUS_WARNING.format(code=code, status=status))
    if status in (EXIT_LIMIT, EXIT_FAULT):
        meaning = "a cycle or time limit" if status == EXIT_LIMIT else "a fault"
        expected.append(CLASH_WARNING.format(status=status, meaning=meaning))
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("tlscosim: warning:")]
    assert warnings == expected
    assert_no_traceback(proc)
