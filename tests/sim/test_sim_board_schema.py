"""Strict descriptions (issue 8, items 7 and 8): a board or SoC file with an unknown key,
a value of the wrong type or out of range, a missing or cyclic include, overlapping
windows or an interrupt line the NVIC lacks is refused with one message naming the file,
the entry and the key; `tlscosim build` and `tlscosim run` report it with status 2 before
doing any work. Each message is pinned whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.errors import DescriptionError, UserError
from tlscosim.paths import PLATFORM_DIR
from tlscosim.rtl.regmaps import CORES
from tlscosim.sim.board.peripherals import known_models

from simtest import EXIT_BAD_INPUT, tlscosim

# A small valid board over the real SoC layer (copied beside it, so includes resolve).
GOOD_BOARD = """\
include = "soc.toml"

[board]
name = "test-board"
clock_hz = 25_000_000

[firmware]
code = "code"
data = "data"

[[memory]]
name = "code"
base = 0x00000000
size = 0x00100000
access = "rx"

[[memory]]
name = "data"
base = 0x20000000
size = 0x00100000

[[peripheral]]
name = "uart0"
model = "cmsdk_uart"
base = 0x40004000
size = 0x1000
irq = { rx = 0, tx = 1 }
registers = "cmsdk_uart"

[[peripheral]]
name = "trng"
model = "trng"
base = 0x40102000
size = 0x1000
irq = 30
registers = "trng"
"""
SOC = PLATFORM_DIR / "soc" / "cortex-m4.toml"
SOC_IRQ_LINES = 32         # cpu.nvic_irq_lines of the SoC file
MEMORIES = "code, data"

# case -> (text replaced in GOOD_BOARD, its replacement, message after "<board file>: ").
# "{soc}" in a message is the SoC file's path.
CASES = {
    "misspelt key": ('access = "rx"', 'access = "rx"\nwait_state = 5',
                     "memory 'code': unknown key 'wait_state' (did you mean 'wait_states'?)"),
    "unknown key": ('clock_hz = 25_000_000', 'clock_hz = 25_000_000\nfrobnicate = 1',
                    "board: unknown key 'frobnicate'"),
    "unknown table": ('[board]', '[boards]\nname = "x"\n\n[board]',
                      "unknown key 'boards' (did you mean 'board'?)"),
    "unknown device option": ('registers = "cmsdk_uart"', 'registers = "cmsdk_uart"\nbaud = 9600',
                              "peripheral 'uart0': unknown key 'baud'"),
    "string base": ('base = 0x20000000', 'base = "0x20000000"',
                    "memory 'data': base must be an integer, not a string ('0x20000000')"),
    "boolean clock": ('clock_hz = 25_000_000', 'clock_hz = true',
                      "board: clock_hz must be an integer, not a boolean (True)"),
    "zero clock": ('clock_hz = 25_000_000', 'clock_hz = 0', "board: clock_hz must be greater than 0, not 0"),
    "unknown model": ('model = "cmsdk_uart"', 'model = "cmsdk_uartt"',
                      "peripheral 'uart0': model = 'cmsdk_uartt' is not a known model (did you mean "
                      "'cmsdk_uart'?); known: {models}"),
    "string irq": ('irq = 30', 'irq = "30"',
                   "peripheral 'trng': irq must be an integer or a table, not a string ('30')"),
    "string irq line": ('irq = { rx = 0, tx = 1 }', 'irq = { rx = "0", tx = 1 }',
                        "peripheral 'uart0': irq.rx must be an integer, not a string ('0')"),
    "irq past the NVIC": ('irq = 30', f'irq = {SOC_IRQ_LINES}',
                          f"peripheral 'trng': irq = {SOC_IRQ_LINES} is not below cpu.nvic_irq_lines "
                          f"({SOC_IRQ_LINES})"),
    "negative irq": ('irq = { rx = 0, tx = 1 }', 'irq = { rx = -1, tx = 1 }',
                     "peripheral 'uart0': irq.rx must be in 0..495, not -1"),
    "numeric access": ('access = "rx"', 'access = 5',
                       "memory 'code': access must be a string, not an integer (5)"),
    "bad access letters": ('access = "rx"', 'access = "rz"',
                           "memory 'code': access = 'rz' must be a non-empty subset of 'rwx'"),
    "size not in KiB": ('size = 0x00100000\n\n[[peripheral]]', 'size = 0x00100001\n\n[[peripheral]]',
                        "memory 'data': size = 0x100001 is not a positive multiple of 1 KiB (0x400)"),
    "negative size": ('size = 0x00100000\n\n[[peripheral]]', 'size = -1024\n\n[[peripheral]]',
                      "memory 'data': size = -0x400 is not a positive multiple of 1 KiB (0x400)"),
    "zero size": ('size = 0x00100000\n\n[[peripheral]]', 'size = 0\n\n[[peripheral]]',
                  "memory 'data': size = 0x0 is not a positive multiple of 1 KiB (0x400)"),
    "base not in KiB": ('base = 0x20000000', 'base = 0x20000100',
                        "memory 'data': base = 0x20000100 is not a multiple of 1 KiB (0x400)"),
    "base past 4 GiB": ('base = 0x20000000', 'base = 0x100000000',
                        "memory 'data': base = 0x100000000 is not a 32-bit address (0..0xffffffff)"),
    "memory past 4 GiB": ('base = 0x20000000', 'base = 0xFFF00400',
                          "memory 'data' ends at 0x100000400, past the 32-bit address space"),
    "negative wait states": ('access = "rx"', 'access = "rx"\nwait_states = -1',
                             "memory 'code': wait_states must be in 0..1000, not -1"),
    "overlapping memories": ('base = 0x20000000', 'base = 0x00080000',
                             "memory 'data' (0x00080000-0x00180000) overlaps memory 'code' (0x00000000-0x00100000)"),
    "overlap with a SoC device": ('base = 0x40102000', 'base = 0xE000E800',
                                  "peripheral 'trng' (0xe000e800-0xe000f800) overlaps peripheral 'scs' of {soc} "
                                  "(0xe000e000-0xe000f000)"),
    "registers past the window": ('size = 0x1000\nirq = 30', 'size = 0x10\nirq = 30',
                                  "peripheral 'trng': its registers (trng, 0x14 bytes) do not fit its 0x10-byte window"),
    "device option out of range": ('irq = 30', 'irq = 30\nlatency_cycles = 0',
                                   "peripheral 'trng': latency_cycles must be at least 1, not 0"),
    "unknown register map": ('registers = "trng"', 'registers = "trgn"',
                             "peripheral 'trng': registers = 'trgn': no such register map "
                             "(platform/peripherals/trgn.toml)"),
    "unknown accelerator core": ('registers = "trng"', 'registers = "rtl:des"',
                                 "peripheral 'trng': registers = 'rtl:des': no accelerator core 'des'; "
                                 "known cores: {cores}"),
    "missing name": ('[[memory]]\nname = "data"\n', '[[memory]]\n',
                     "memory #2: missing key 'name'"),
    "missing table": ('[firmware]\ncode = "code"\ndata = "data"\n', '', "missing table [firmware]"),
    "duplicate names": ('name = "trng"', 'name = "uart0"', "duplicate names ['uart0']"),
    "unknown code memory": ('code = "code"', 'code = "flash"',
                            f"firmware.code = 'flash' names no memory; memories: {MEMORIES}"),
    "data memory not writable": ('data = "data"', 'data = "code"',
                                 "firmware.data = 'code': memory 'code' has access 'rx', without 'w'"),
    "unknown CPU model": ('[board]', '[cpu]\nmodel = "cortex-m0"\n\n[board]',
                          "cpu: model = 'cortex-m0' is not one of 'cortex-m4'"),
    "too few priority bits": ('[board]', '[cpu]\nnvic_priority_bits = 2\n\n[board]',
                              "cpu: nvic_priority_bits must be in 3..8, not 2"),
    "VTOR not aligned": ('[board]', '[cpu]\nvtor_reset = 0x40\n\n[board]',
                         "cpu.vtor_reset = 0x40 is not a multiple of 0x80 (VTOR.TBLOFF starts at bit 7)"),
    "VTOR in no memory": ('[board]', '[cpu]\nvtor_reset = 0x10000000\n\n[board]',
                          "cpu.vtor_reset = 0x10000000 is in no memory"),
}


@pytest.fixture
def board_dir(tmp_path) -> Path:
    shutil.copy(SOC, tmp_path / "soc.toml")
    return tmp_path


def write_board(folder: Path, case: str | None = None) -> Path:
    text = GOOD_BOARD
    if case is not None:
        old, new, _message = CASES[case]
        assert text.count(old) == 1, f"case {case!r} edits one place"
        text = text.replace(old, new)
    path = folder / "board.toml"
    path.write_text(text)
    return path


def expected(case: str, board: Path) -> str:
    message = CASES[case][2].format(soc=board.parent / "soc.toml", models=", ".join(sorted(known_models())),
                                    cores=", ".join(CORES))
    return f"{board}: {message}"


def test_the_reference_board_loads_with_its_defaults(board_dir):
    desc = BoardDescription.load(write_board(board_dir))
    assert [(m.name, m.base, m.size, m.access, m.wait_states) for m in desc.memories] == [
        ("code", 0, 0x100000, "rx", 0), ("data", 0x20000000, 0x100000, "rwx", 0)]
    assert desc.peripheral("trng").options == {"latency_cycles": 64}
    assert desc.peripheral("uart0").irqs == {"rx": 0, "tx": 1}
    assert desc.cpu.nvic_irq_lines == SOC_IRQ_LINES and desc.cpu.vtor_reset == 0


@pytest.mark.parametrize("board", ["mps2-an386", "stm32f4-like"])
def test_the_project_boards_pass_the_strict_schema(board):
    desc = BoardDescription.load(board)
    assert desc.name == board
    assert desc.memory_at(desc.cpu.vtor_reset) is desc.code_memory


@pytest.mark.parametrize("case", CASES)
def test_bad_description_is_refused_naming_file_entry_and_key(board_dir, case):
    board = write_board(board_dir, case)
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert isinstance(info.value, UserError) and info.value.exit_code == EXIT_BAD_INPUT
    assert str(info.value) == expected(case, board)


def test_a_mistake_in_the_soc_file_names_the_soc_file(board_dir):
    soc = board_dir / "soc.toml"
    soc.write_text(soc.read_text().replace("nvic_priority_bits = 3", "nvic_priority_bit = 3"))
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(write_board(board_dir))
    assert str(info.value) == (f"{soc}: cpu: unknown key 'nvic_priority_bit' "
                               "(did you mean 'nvic_priority_bits'?)")


def test_missing_include(board_dir):
    board = write_board(board_dir)
    board.write_text(board.read_text().replace('include = "soc.toml"', 'include = "soc/nope.toml"'))
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert str(info.value) == f"{board}: include = 'soc/nope.toml': no such file ({board_dir / 'soc' / 'nope.toml'})"


def test_include_of_a_folder(board_dir):
    board = write_board(board_dir)
    board.write_text(board.read_text().replace('include = "soc.toml"', 'include = "."'))
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert str(info.value) == f"{board}: include = '.': is a folder, not a file ({board_dir})"


def test_include_cycle(board_dir):
    board, soc = write_board(board_dir), board_dir / "soc.toml"
    soc.write_text('include = "board.toml"\n' + soc.read_text())
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert str(info.value) == f"{soc}: include = 'board.toml' makes a cycle: {board} -> {soc} -> {board}"


def test_an_array_of_tables_that_is_not_one(board_dir):
    board = board_dir / "board.toml"
    board.write_text('include = "soc.toml"\nmemory = 5\n')
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert str(info.value) == f"{board}: memory must be an array, not an integer (5)"


def test_a_file_that_is_not_toml(board_dir):
    board = write_board(board_dir)
    board.write_bytes(b"\xff\xfe not text")
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load(board)
    assert str(info.value) == f"{board}: not UTF-8 text"


def test_unknown_board_name_suggests_the_close_one():
    with pytest.raises(DescriptionError) as info:
        BoardDescription.load("mps2-an385")
    assert str(info.value) == ("unknown board 'mps2-an385' (did you mean 'mps2-an386'?); known boards: "
                               + ", ".join(sorted(p.stem for p in (PLATFORM_DIR / "boards").glob("*.toml"))))


# -- the command line: reported before any work, status 2, no traceback ---------------------------

CLI_CASES = ("misspelt key", "zero clock", "string irq", "unknown model", "size not in KiB", "overlapping memories")


@pytest.mark.parametrize("case", CLI_CASES)
def test_run_reports_a_bad_board_before_running(board_dir, test_elfs, case):
    board = write_board(board_dir, case)
    proc = tlscosim("run", "--board", board, test_elfs["exit3"])
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr == f"tlscosim: error: {expected(case, board)}\n"
    assert proc.stdout == ""


@pytest.mark.parametrize("case", CLI_CASES)
def test_build_reports_a_bad_board_before_building(board_dir, case):
    board = write_board(board_dir, case)
    proc = tlscosim("build", "hello", "--board", board)
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr == f"tlscosim: error: {expected(case, board)}\n"
    assert proc.stdout == ""
