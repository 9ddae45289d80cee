"""The accelerator window served from C (a Verilator model driven by sim/engine/native/
mmio_port.c) against the same window served by Python: every form of load and store the
CPU has, the same values, cycles and access log, access for access."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.board.elf import Firmware
from tlscosim.sim.board.machine import RunOptions, Simulation
from tlscosim.sim.board.offload_verify import OffloadVerifier
from tlscosim.sim.board.peripherals.accelerator import AcceleratorSettings, configure_accelerators

from conftest import run_on_board

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")

FIRMWARE_DIR = Path(__file__).parent / "firmware"


class Recorder(OffloadVerifier):
    """The offload verifier, keeping every access it is shown."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.accesses = []

    def observe(self, access):
        self.accesses.append(access)
        super().observe(access)


def _run(elf, backend: str, native: bool, board: str = "mps2-an386"):
    sim = Simulation(BoardDescription.load(board), Firmware.load(elf), RunOptions(max_cycles=50_000_000))
    recorder = Recorder(describe=sim.firmware.symbols.describe)
    devices = configure_accelerators(sim.board.devices, AcceleratorSettings(
        backend=backend, observer=recorder, native=native, describe=sim.firmware.symbols.describe))
    result = sim.run()
    stats = {d.name: d.stats() for d in devices}
    blocks = {d.name: d.blocks() for d in devices}
    for d in devices:
        d.close()
    return result, recorder, stats, blocks


@pytest.fixture(scope="module")
def window_elf():
    return build_firmware(["accel_window"], apps_dir=FIRMWARE_DIR,
                          out_dir=BUILD_DIR / "test-accel" / "fw").elfs["accel_window"]


def test_every_load_and_store_form_gives_the_same_log(window_elf):
    native = _run(window_elf, "verilator", native=True)
    python = _run(window_elf, "verilator", native=False)
    reference = _run(window_elf, "amaranth", native=True)     # Python's RtlBusDevice on Amaranth's simulator
    for result, _recorder, _stats, _blocks in (native, python, reference):
        assert result.exit_code == 0, result.uart_output.decode()
    uart = native[0].uart_output.decode()
    assert uart.count("round ") == 3 and "id bytes 41 45 53 31" in uart, uart
    assert uart == python[0].uart_output.decode() == reference[0].uart_output.decode()
    assert native[0].cycles == python[0].cycles == reference[0].cycles
    assert native[0].instructions == python[0].instructions
    # Access for access: register, value, mask, busy, the RTL's cycle and the PC.
    assert len(native[1].accesses) > 100
    assert native[1].accesses == python[1].accesses == reference[1].accesses
    assert native[3]["aes"] == python[3]["aes"] == reference[3]["aes"] == 6
    assert native[1].summary() == python[1].summary() and native[1].summary()["mismatches"] == 0
    aes_native, aes_python = native[2]["aes"], python[2]["aes"]
    for key in ("accesses", "rtl_cycles", "rtl_cycles_simulated"):
        assert aes_native[key] == aes_python[key]
    # All but the first access (which hands the RTL over) were served from C.
    assert aes_native["accesses_native"] == aes_native["accesses"] - 1
    assert aes_python["accesses_native"] == 0


def test_interrupts_and_misuse_leave_the_native_window_to_python(accel_check_elf):
    """accel_check enables the DONE interrupt once (the window goes back to Python and
    returns), and misuses the core twice: warnings, cycles and output as served by Python."""
    fast = run_on_board(accel_check_elf, backend="verilator")
    slow = _run(accel_check_elf, "verilator", native=False)
    assert fast.result.uart_output == slow[0].uart_output
    assert fast.result.cycles == slow[0].cycles
    assert [w for w in fast.result.warnings if w.startswith("aes:")] == \
        [w for w in slow[0].warnings if w.startswith("aes:")]
    assert len([w for w in fast.result.warnings if w.startswith("aes:")]) == 2
    aes = fast.offload["rtl"]["aes"]
    assert 0 < aes["accesses_native"] < aes["accesses"] == slow[2]["aes"]["accesses"]


def test_qemu_finds_no_accelerator(window_elf):
    """The same ELF under QEMU's mps2-an386 (no accelerators: the window reads 0)."""
    from tlscosim.fw.qemu import run_qemu

    result = run_qemu(window_elf, timeout_s=20)
    assert result.exit_code == 0
    assert result.output.decode().splitlines() == ["accel_window on mps2-an386", "id bytes 00 00 00 00",
                                                   "aes absent"]
