"""accel_check drives both accelerators through their drivers on the simulated board;
every printed result is recomputed here with `cryptography` and hashlib."""

from __future__ import annotations

import hashlib
import re

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tlscosim.fw.qemu import run_qemu

LINE = re.compile(r"^(aes(?:128|192|256) (?:enc|dec)|sha(?:224|256)(?: interleaved)?) (.*)$")


def _cases(uart: str):
    for line in uart.splitlines():
        m = LINE.match(line)
        if m:
            fields = dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
            yield m.group(1), fields


def _aes(key: bytes, data: bytes, decrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def test_every_result_matches_the_references(accel_check_run):
    run = accel_check_run
    assert run.result.exit_code == 0, run.uart
    kinds = {"aes": 0, "sha": 0}
    for kind, f in _cases(run.uart):
        if kind.startswith("aes"):
            key, data = bytes.fromhex(f["key"]), bytes.fromhex(f["in"])
            assert len(key) * 8 == int(kind[3:6]), kind   # KEYLEN=3 runs as 256 (rtl/regmaps.py)
            assert bytes.fromhex(f["out"]) == _aes(key, data, kind.endswith("dec")), (kind, f)
            kinds["aes"] += 1
        else:
            h = hashlib.sha224 if kind.startswith("sha224") else hashlib.sha256
            assert f["digest"] == h(bytes.fromhex(f["msg"])).hexdigest(), (kind, f)
            kinds["sha"] += 1
    assert kinds == {"aes": 20, "sha": 14}
    assert "passed: 0 failures" in run.uart


def test_block_counters_and_verification_agree(accel_check_run):
    """The RTL's BLOCKS counters as the firmware read them, as the simulator read them
    after the run, and the verifier's count of operations are the same, none wrong."""
    run = accel_check_run
    printed = re.search(r"^blocks aes=(\d+) sha256=(\d+)$", run.uart, re.M)
    assert printed, run.uart
    blocks = {core: run.offload["blocks"][core] for core in ("aes", "sha256")}
    assert blocks == {"aes": int(printed[1]), "sha256": int(printed[2])} == {"aes": 20, "sha256": 32}
    verify = run.offload["verify_offload"]
    assert verify == {"operations": 52, "checked": 52, "mismatches": 0, "first_mismatch": None,
                      "unverified_devices": []}


def test_done_interrupt_wakes_the_sleeping_core(accel_check_run):
    m = re.search(r"irq sleeps=(\d+) cycles=(\d+)$", accel_check_run.uart, re.M)
    assert m, accel_check_run.uart
    # The core slept (WFI) and was woken by the DONE interrupt: first block after a key
    # change (>= 56 cycles, docs/rtl.md) plus exception entry (12, Cortex-M4 TRM).
    assert int(m[1]) >= 1
    assert int(m[2]) >= 56 + 12


def test_misuse_is_reported_once_per_kind_with_pc_and_symbol(accel_check_run):
    warnings = [w for w in accel_check_run.result.warnings if w.startswith("aes:")]
    assert len(warnings) == 2, warnings
    assert re.fullmatch(r"aes: START with reserved KEYLEN 3 at pc=0x[0-9a-f]{8} \(main\+0x[0-9a-f]+\): "
                        r"the RTL runs it as a 256-bit key \(reported once\)", warnings[0]), warnings[0]
    assert re.fullmatch(r"aes: DOUT read while BUSY at pc=0x[0-9a-f]{8} \(main\+0x[0-9a-f]+\): "
                        r"the RTL returns the previous operation's result \(reported once\)", warnings[1]), warnings[1]


def test_qemu_reads_the_id_registers_as_zero(accel_check_elf):
    """QEMU's mps2-an386 has no accelerators: the same ELF finds their IDs 0 and stops."""
    result = run_qemu(accel_check_elf, timeout_s=20)
    assert result.exit_code == 0
    assert result.output.decode().splitlines() == ["accel_check on mps2-an386", "aes absent, sha256 absent"]
