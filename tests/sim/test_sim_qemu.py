"""QEMU cross-check of exception handling: QEMU's mps2-an386 is an independent model of
ARMv7-M exception entry and return, so the exceptions app must print the same frames,
EXC_RETURN values, stack pointers, event orders and status registers under both. Only
what QEMU 7.2 lacks differs: its DWT reads as zero (the EXCCNT figures)."""

from __future__ import annotations

from tlscosim.fw.qemu import run_qemu

from simtest import reports, run

NOT_IN_QEMU = (".exccnt",)


def test_exceptions_app_prints_the_same_under_qemu(test_elfs):
    elf = test_elfs["exceptions"]
    qemu = run_qemu(elf, timeout_s=20)
    assert not qemu.timed_out and qemu.exit_code == 0, qemu.stderr
    sim = run(elf, max_cycles=50_000_000)[1]
    assert sim.exit_code == 0, sim.message
    theirs, ours = reports(qemu.output), reports(sim.uart_output)
    assert theirs.keys() == ours.keys()
    compared = [key for key in ours if not key.endswith(NOT_IN_QEMU)]
    differ = {key: f"qemu {theirs[key]:#x}, tlscosim {ours[key]:#x}" if isinstance(ours[key], int)
              else f"qemu {theirs[key]}, tlscosim {ours[key]}"
              for key in compared if theirs[key] != ours[key]}
    assert len(compared) > 400
    assert not differ, differ
