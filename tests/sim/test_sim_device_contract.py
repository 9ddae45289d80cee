"""One device contract for every bus target (issue 8): every model a board may name is
built as model(spec, ctx), has read/write/reset/close, and a register-map handler that
names no register is refused at start-up; a board and a simulation release everything
with close()."""

from __future__ import annotations

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import build_firmware
from tlscosim.sim.board.board import Board
from tlscosim.sim.board.peripherals import device_models
from tlscosim.sim.board.peripherals.trng import Trng
from tlscosim.sim.frontends.runner import load_simulation

BOARDS = ("mps2-an386", "stm32f4-like")


@pytest.mark.parametrize("board_name", BOARDS)
def test_every_device_of_every_board_follows_the_contract(board_name):
    desc = BoardDescription.load(board_name)
    board = Board(desc)
    try:
        assert {spec.model for spec in desc.peripherals} <= set(device_models())
        for name, device in board.devices.items():
            for method in ("read", "write", "reset", "close"):
                assert callable(getattr(device, method, None)), (name, method)
    finally:
        board.close()
    assert board.devices == {}


def test_a_handler_naming_no_register_is_refused_at_start_up(bench, board_desc):
    class MisspelledTrng(Trng):
        def read_DATAA(self, index):   # the map calls it DATA
            return 0

    with pytest.raises(TypeError) as err:
        MisspelledTrng(board_desc.peripheral("trng"), bench.ctx)
    assert str(err.value) == "MisspelledTrng (trng): handler(s) read_DATAA name no register of its map 'trng'"


def test_simulation_close_releases_the_board():
    elf = build_firmware(["hello"]).elfs["hello"]
    with load_simulation(elf) as sim:
        result = sim.run()
        assert result.exit_code == 0
        devices = dict(sim.board.devices)
    assert sim.board.devices == {} and devices
