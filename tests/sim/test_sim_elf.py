"""Loading firmware (elf.py, machine.py reset): what is not ARM firmware for this board
is refused with a UserError that names the file and the problem; a minimal image that
is right runs. The same inputs through `tlscosim run` are in test_sim_cli.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tlscosim.errors import UserError
from tlscosim.sim.board.elf import Firmware
from tlscosim.sim.frontends.runner import load_simulation, run_elf

# image -> what the error message must say
REFUSED = {
    "missing": "no such file",
    "text_file": "not an ELF file",
    "truncated": "truncated ELF",
    "object_file": "ET_REL, not an executable",
    "no_segments": "no loadable segments",
    "outside": "lies outside the board's memories",
    "straddling": "lies outside the board's memories",
    "no_reset_vector": "is not a Thumb address in the board's memory",
    "arm_reset_vector": "is not a Thumb address in the board's memory",
    "stack_in_a_device": "is not in RAM",
}


def host_executable() -> Path:
    """An ELF of the machine running the tests (not ARM firmware)."""
    return Path(sys.executable).resolve()


def test_a_minimal_correct_image_runs(raw_images):
    result = run_elf(raw_images["good"], max_cycles=10_000)
    assert (result.stop_reason, result.exit_code) == ("exit", 0)
    assert result.instructions == 3, "movs, ldr, bkpt"


@pytest.mark.parametrize("image", REFUSED)
def test_bad_image_is_refused_with_a_clear_message(raw_images, image):
    path = raw_images[image]
    with pytest.raises(UserError) as info:
        load_simulation(path)
    message = str(info.value)
    assert message.startswith(str(path)), "names the file"
    assert REFUSED[image] in message


def test_elf_of_another_machine_is_refused():
    path = host_executable()
    with path.open("rb") as fh:
        machine = ELFFile(fh)["e_machine"]
    assert machine != "EM_ARM", "the test needs a host that is not 32-bit ARM"
    with pytest.raises(UserError, match=f"ELF for {machine}, not ARM"):
        Firmware.load(path)


@pytest.mark.parametrize("image, where", [("outside", "past_all"), ("straddling", "data_end")])
def test_segment_error_names_the_segment_and_the_memories(raw_images, board_desc, image, where):
    data = board_desc.data_memory
    start = {"past_all": max(m.end for m in board_desc.memories), "data_end": data.end - 2}[where]
    with pytest.raises(UserError) as info:
        load_simulation(raw_images[image])
    message = str(info.value)
    assert f"segment at {start:#010x}" in message
    for memory in board_desc.memories:
        assert f"{memory.name} {memory.base:#010x}-{memory.end:#010x}" in message


def test_reset_vector_error_names_the_vector(raw_images, board_desc):
    with pytest.raises(UserError) as info:
        load_simulation(raw_images["no_reset_vector"])
    assert f"reset vector 0x00000000 at {board_desc.code_memory.base + 4:#010x}" in str(info.value)
