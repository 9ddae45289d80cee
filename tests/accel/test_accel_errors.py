"""Bad input around the accelerators: accesses the RTL's bus cannot take are bus errors
(BusFault for the firmware, never a simulator error), and bad options are clear errors."""

from __future__ import annotations

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.cli import main
from tlscosim.errors import UserError
from tlscosim.sim.board.board import Board
from tlscosim.sim.board.bus import BusError
from tlscosim.sim.board.peripherals import accelerator
from tlscosim.sim.board.peripherals.accelerator import AcceleratorSettings, configure_accelerators


@pytest.fixture
def board():
    b = Board(BoardDescription.load())
    yield b
    b.core.cpu.close()


def test_a_misaligned_access_is_a_bus_error(board):
    aes = board.devices["aes"]
    with pytest.raises(BusError) as info:
        aes.read(0x2, 4)
    assert str(info.value) == "read at 0x00000002: aes: 4-byte access at 0x2 is not aligned"


def test_id_registers_read_through_the_rtl(board):
    for name, tag in (("aes", b"AES1"), ("sha256", b"SHA2")):
        device = board.devices[name]
        assert device.read(device.regmap.offset("ID"), 4) == int.from_bytes(tag, "little")
        assert device.read(device.regmap.offset("ID"), 1) == tag[0]      # byte lanes


def test_missing_verilator_is_a_clear_error(board, monkeypatch):
    monkeypatch.setattr(accelerator.shutil, "which", lambda tool: None)
    with pytest.raises(UserError) as info:
        configure_accelerators(board.devices, AcceleratorSettings(backend="verilator"))
    assert str(info.value) == ("--rtl verilator needs Verilator (Debian package `verilator`); "
                               "--rtl amaranth works without it")
    configure_accelerators(board.devices, AcceleratorSettings(backend="amaranth"))   # still works
    assert board.devices["aes"].read(0, 4) != 0


def test_unknown_fault_is_a_usage_error(accel_check_elf, capsys):
    assert main(["run", str(accel_check_elf), "--rtl-fault", "aes-everything"]) == 2
    assert capsys.readouterr().err.strip() == (
        "tlscosim: error: unknown RTL fault 'aes-everything'; known faults: aes-sbox, aes-final-round, sha-k, sha-chain, "
        "gcm-ghash, gcm-counter")


def test_a_fault_needs_its_accelerator_on_the_board(board):
    from tlscosim.sim.board.peripherals.accelerator_faults import fault_named
    devices = {name: d for name, d in board.devices.items() if name != "aes"}
    with pytest.raises(UserError) as info:
        configure_accelerators(devices, AcceleratorSettings(fault=fault_named("aes-sbox")))
    assert str(info.value) == "--rtl-fault aes-sbox: the board has no aes accelerator"


def test_run_reports_the_offload(accel_check_elf, capsys, tmp_path):
    out = tmp_path / "run.json"
    assert main(["run", str(accel_check_elf), "--verify-offload", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "tlscosim: accelerators: aes 20 blocks, sha256 32 blocks\n" in err
    assert "tlscosim: verify-offload: 52 operations, 52 checked, 0 mismatches\n" in err
