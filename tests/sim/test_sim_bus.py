"""The board's address decoder (bus.py, board.py) and the unimplemented regions
(peripherals/unimplemented.py): every device answers in its window, devices win over the
background regions they sit in, background regions read as zero and ignore writes (as
QEMU's), and an address nothing decodes is a bus error."""

from __future__ import annotations

import pytest

from tlscosim.sim.board.bus import BusError
from tlscosim.sim.board.peripherals.unimplemented import Unimplemented

from simtest import DeviceBench


def foreground(desc):
    return [p for p in desc.peripherals if not p.is_background]


def background(desc):
    return [p for p in desc.peripherals if p.is_background]


def test_every_device_answers_in_its_whole_window(board, board_desc):
    for spec in foreground(board_desc):
        for address in (spec.base, spec.end - 1):
            window = board.address_map.find(address)
            assert window is not None and window.device is board.devices[spec.name], spec.name
            assert window.device_base == spec.base


def test_devices_inside_background_regions_win(board, board_desc):
    regions = background(board_desc)
    inside = [(spec, region) for spec in foreground(board_desc) for region in regions
              if region.base <= spec.base and spec.end <= region.end]
    assert inside, "the board places devices inside unimplemented regions"
    devices = foreground(board_desc)
    for spec, region in inside:
        assert board.address_map.find(spec.base).device is board.devices[spec.name]
        below = spec.base - 4
        if below >= region.base and not any(d.base <= below < d.end for d in devices):
            assert board.address_map.find(below).device is board.devices[region.name]


def test_identification_register_seen_through_the_bus(board, board_desc):
    trng = board_desc.peripheral("trng")
    address = trng.base + trng.regmap.offset("ID")
    assert board.address_map.read(address, 4) == trng.regmap["ID"].reset


def test_background_regions_read_zero_and_ignore_writes(board, board_desc):
    for region in background(board_desc):
        free = next(a for a in range(region.base, region.end, 0x1000)
                    if board.address_map.find(a).device is board.devices[region.name])
        board.address_map.write(free, 4, 0xFFFFFFFF)
        assert board.address_map.read(free, 4) == 0, region.name


def test_unmapped_address_is_a_bus_error(board, board_desc):
    top = max(m.end for m in board_desc.memories)
    assert board_desc.memory_at(top) is None and board.address_map.find(top) is None
    with pytest.raises(BusError) as info:
        board.address_map.read(top, 4)
    assert info.value.address == top and not info.value.write
    with pytest.raises(BusError):
        board.address_map.write(top, 4, 0)


def test_unimplemented_region_warns_once_per_region(board_desc):
    bench = DeviceBench(board_desc)
    region = background(board_desc)[0]
    device = Unimplemented(region, bench.ctx)
    for offset in (0, 4, 0x100):
        assert device.read(offset, 4) == 0
        device.write(offset, 4, 0x55)
    assert len(bench.warnings) == 1 and region.name in bench.warnings[0]


def test_undecoded_device_register_faults_with_the_bus_address(tmp_path):
    """A load from a device window offset that no register decodes is a precise BusFault
    whose BFAR is the bus address (the device only knows its offset)."""
    import shutil

    from tlscosim.boarddesc import BoardDescription
    from tlscosim.fw.build import build_firmware
    from tlscosim.sim.frontends.runner import load_simulation

    uart = BoardDescription.load().peripheral("uart0")
    target = uart.base + -(-uart.regmap.extent // 0x100) * 0x100 + 0x10   # past the last register
    assert uart.regmap.extent <= target - uart.base < uart.size
    elf = tmp_path / "hello.elf"
    shutil.copy(build_firmware(["hello"]).elfs["hello"], elf)   # built here: no test order assumed
    sim = load_simulation(elf, fault_policy="stop", max_cycles=100_000)
    reset = sim.cpu.read_u32(sim.core.scb.vtor + 4) & ~1  # the reset vector
    literal = ((reset + 4) & ~3) + 4               # word read by the first instruction
    code = ((0x4900 | (literal - ((reset + 4) & ~3)) // 4).to_bytes(2, "little")  # ldr r1, [pc, #imm]
            + (0x6808).to_bytes(2, "little")       # ldr r0, [r1]
            + (0xE7FE).to_bytes(2, "little"))      # b .
    sim.cpu.write_memory(reset, code)
    sim.cpu.write_u32(literal, target)
    result = sim.run()
    assert result.stop_reason == "fault"
    assert result.fault.status["BFAR"] == target
    assert result.fault.pc == reset + 2
    assert f"{target:#010x}" in result.fault.cause
