"""The parts of `tlscosim handshake` that need no board: the event-line parser, the
checks and the run record on a recorded transcript, the kinds-of-work categories on a
hand-made call tree, the map-file footprint (against arm-none-eabi-size), the table,
the PNG, and the command's input errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tlscosim.sim.frontends.profiler import CallNode, ProfileReport
from tlscosim.tls.board_run import BoardRun, Configuration
from tlscosim.tls.categories import CATEGORIES, phase_breakdown
from tlscosim.tls.checks import PROFILER_SLACK_CYCLES, evaluate, iana_from_mbedtls, run_record
from tlscosim.tls.events import EventError, parse_events
from tlscosim.tls.peer_common import http_body, sha256_hex

BODY_SHA = sha256_hex(http_body(1024))
HZ = 25_000_000

# A TLS 1.3 transcript as the firmware prints it (figures from a real accel-on run, shortened).
TRANSCRIPT = """\
@tls {"ev":"boot","app":"tls_client","mbedtls":"3.6.6","accel":{"aes":true,"sha256":true,"used":true},"clock_hz":25000000}
@tls {"ev":"config","role":"client","transport":"tls","tls":"1.3","suite":"TLS1-3-AES-128-GCM-SHA256","group":"secp256r1","server":"192.0.2.1:4433","host":"tlscosim.test"}
net: up ip=192.0.2.2 mac=52:54:00:12:34:56
@tls {"ev":"connected","conn":1,"cycles":45919}
@tls {"ev":"step","conn":1,"state":"CLIENT_HELLO","cycles":5464634,"wait_cycles":0}
@tls {"ev":"step","conn":1,"state":"SERVER_HELLO","cycles":15142592,"wait_cycles":25061}
@tls {"ev":"handshake","conn":1,"ok":true,"resumed":false,"cycles":67000000,"work_cycles":66900000,"wait_cycles":100000,"version":"TLSv1.3","suite":"TLS1-3-AES-128-GCM-SHA256","group":"secp256r1","heap_peak":58780,"stack_peak":3180,"aes_blocks_hw":25,"sha256_blocks_hw":44}
@tls {"ev":"http","conn":1,"request_bytes":58,"status":200,"body_bytes":1024,"body_sha256":"%(sha)s","cycles":900000,"aes_blocks_hw":90,"sha256_blocks_hw":12}
@tls {"ev":"close","conn":1,"cycles":5000,"close_notify":true}
@tls {"ev":"connected","conn":2,"cycles":40000}
@tls {"ev":"handshake","conn":2,"ok":true,"resumed":true,"cycles":24000000,"work_cycles":23900000,"wait_cycles":100000,"version":"TLSv1.3","suite":"TLS1-3-AES-128-GCM-SHA256","group":"secp256r1","heap_peak":50000,"stack_peak":3000,"aes_blocks_hw":20,"sha256_blocks_hw":40}
@tls {"ev":"http","conn":2,"request_bytes":58,"status":200,"body_bytes":1024,"body_sha256":"%(sha)s","cycles":800000,"aes_blocks_hw":90,"sha256_blocks_hw":12}
@tls {"ev":"close","conn":2,"cycles":5000,"close_notify":true}
@tls {"ev":"done","ok":true,"connections":2}
""" % {"sha": BODY_SHA}


def server_view(conn, reused):
    return {"conn": conn, "version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256",
            "cipher_iana": "TLS_AES_128_GCM_SHA256", "session_reused": reused, "body_bytes": 1024,
            "body_sha256": BODY_SHA, "close_notify_received": True, "ok": True}


class FakeResult:
    stop_reason, message, exit_code, cycles, instructions, wall_s = "exit", "", 0, 1, 1, 1.0


def node(i, parent, name, self_cycles, total):
    return CallNode(id=i, parent=parent, name=name, address=None, key=i, calls=1, self_cycles=self_cycles,
                    self_instructions=0, total_cycles=total, total_instructions=0)


def profile(full_cycles, resumed_cycles):
    """main -> tls_handshake_full -> (mbedtls_ssl_handshake_step -> psa_raw_key_agreement ->
    mbedtls_mpi_mul_mpi, mbedtls_sha256_update), tls_tcp_wait -> [sleep]; a resumed one."""
    nodes = [node(0, None, "[root]", 0, full_cycles + resumed_cycles),
             node(1, 0, "main", 0, full_cycles + resumed_cycles),
             node(2, 1, "tls_handshake_full", 1000, full_cycles),
             node(3, 2, "mbedtls_ssl_handshake_step", 500, full_cycles - 1000 - 3000),
             node(4, 3, "psa_raw_key_agreement", 100, full_cycles - 1000 - 3000 - 500 - 2000),
             node(5, 4, "mbedtls_mpi_mul_mpi", full_cycles - 1000 - 3000 - 500 - 2000 - 100, full_cycles - 6600),
             node(6, 3, "mbedtls_sha256_update", 2000, 2000),
             node(7, 2, "tls_tcp_wait", 1000, 3000),
             node(8, 7, "[sleep]", 2000, 2000),
             node(9, 1, "tls_handshake_resumed", resumed_cycles, resumed_cycles)]
    return ProfileReport(elf="x.elf", total_cycles=0, total_instructions=0, sleep_cycles=0, exception_cycles=0,
                         functions=[], exceptions=[], nodes=nodes)


def board_run(transcript=TRANSCRIPT, accel="on", server=None, samples=None, blocks=None, prof=None,
              verify=None, first_mismatch=None):
    config = Configuration(tls="1.3", accel=accel, verify_offload=verify is not None)
    default_samples = {("connected", 1): {"aes": 0, "sha256": 0}, ("handshake", 1): {"aes": 25, "sha256": 44},
                       ("http", 1): {"aes": 115, "sha256": 56}, ("connected", 2): {"aes": 115, "sha256": 56},
                       ("handshake", 2): {"aes": 135, "sha256": 96}, ("http", 2): {"aes": 225, "sha256": 108}}
    offload = {"blocks": blocks or {"aes": 225, "sha256": 108}}
    if verify is not None:
        offload["verify_offload"] = verify
    return BoardRun(config=config, events=parse_events(transcript), uart_text=transcript, result=FakeResult(),
                    offload=offload, first_mismatch=first_mismatch,
                    samples=default_samples if samples is None else samples,
                    profile=prof or profile(67_000_000 + 134_563, 24_000_000 + 134_728),
                    server_report={"connections": server or [server_view(1, False), server_view(2, True)]})


# -- events ------------------------------------------------------------------------------------

def test_events_parsed_and_other_lines_kept():
    log = parse_events(TRANSCRIPT)
    assert [e["ev"] for e in log.events][:3] == ["boot", "config", "connected"]
    assert log.first("handshake", conn=2)["resumed"] is True
    assert log.other_lines == ["net: up ip=192.0.2.2 mac=52:54:00:12:34:56"]
    assert log.connections() == [1, 2]


@pytest.mark.parametrize("line, message", [
    ('@tls {"ev":"step","conn":1', "line 2: not JSON after '@tls ' (Expecting ',' delimiter at column 27): "
                                   '@tls {"ev":"step","conn":1'),
    ('@tls [1, 2]', "line 2: the JSON after '@tls ' is not an object: @tls [1, 2]"),
    ('@tls {"conn":1}', 'line 2: the event has no "ev" name: @tls {"conn":1}'),
    ('@tls {"ev":"handshake","conn":1}', "line 2: handshake event without ok, cycles: @tls {\"ev\":\"handshake\",\"conn\":1}"),
])
def test_malformed_event_line_is_named(line, message):
    with pytest.raises(EventError) as info:
        parse_events("hello\n" + line + "\n")
    assert str(info.value) == message


# -- checks ------------------------------------------------------------------------------------

def test_recorded_good_run_passes_every_check():
    checks, phases = evaluate(board_run())
    failed = [c for c in checks if not c.ok]
    assert not failed, failed
    names = {c.name for c in checks}
    assert {"conn 1 suite agrees", "conn 2 session reuse agrees", "conn 1 handshake blocks = BLOCKS counters",
            "full handshake: DWT cycles = profiler", "accelerators used exactly when offload is on"} <= names
    record = run_record(board_run(), checks, phases, HZ)
    assert record["ok"] is True and record["failures"] == []
    assert record["handshake_cycles"] == 67_000_000 and record["handshake_ms"] == 2680.0
    assert record["resumed_handshake_cycles"] == 24_000_000
    assert (record["aes_blocks_hw"], record["sha256_blocks_hw"]) == (25, 44)
    assert record["states"][1] == {"state": "SERVER_HELLO", "cycles": 15142592, "wait_cycles": 25061,
                                   "ms": 605.704}
    assert set(record["phases"]) == {"full_handshake", "resumed_handshake"}


def failed_names(run):
    return [c.name for c in evaluate(run)[0] if not c.ok]


def test_body_hash_disagreement_fails():
    bad = dict(server_view(1, False), body_sha256="00" * 32)
    assert failed_names(board_run(server=[bad, server_view(2, True)])) == ["conn 1 HTTP body intact"]


def test_server_not_resuming_fails():
    assert failed_names(board_run(server=[server_view(1, False), server_view(2, False)])) == [
        "conn 2 session reuse agrees"]


def test_firmware_block_count_not_matching_the_hardware_fails():
    samples = board_run().samples
    samples[("handshake", 1)] = {"aes": 24, "sha256": 44}
    assert failed_names(board_run(samples=samples)) == ["conn 1 handshake blocks = BLOCKS counters",
                                                        "conn 1 http blocks = BLOCKS counters"]


def test_offload_off_with_hardware_blocks_fails():
    text = TRANSCRIPT.replace('"aes_blocks_hw":25', '"aes_blocks_hw":0')
    names = failed_names(board_run(text, accel="off", blocks={"aes": 0, "sha256": 0, "gcm": 3}))
    assert "accelerators used exactly when offload is on" in names


def test_profiler_disagreeing_with_dwt_fails():
    prof = profile(67_000_000 + PROFILER_SLACK_CYCLES + 1, 24_000_000)
    assert failed_names(board_run(prof=prof)) == ["full handshake: DWT cycles = profiler"]


def test_firmware_error_and_mismatch_are_the_reasons():
    text = TRANSCRIPT.replace('@tls {"ev":"done","ok":true,"connections":2}',
                              '@tls {"ev":"error","conn":2,"where":"read","code":-30592,"hex":"-0x7780",'
                              '"text":"SSL - A fatal alert message was received from our peer"}\n'
                              '@tls {"ev":"done","ok":false,"connections":2}')
    mismatch = "aes: encrypt started at cycle 5 by pc=0x00000100 (f): DOUT[0] read 0x1, the reference gives 0x2"
    run = board_run(text, verify={"operations": 9, "checked": 9, "mismatches": 1}, first_mismatch=mismatch)
    checks, phases = evaluate(run)
    record = run_record(run, checks, phases, HZ)
    assert record["ok"] is False
    assert record["failures"][0] == f"first wrong accelerator operation: {mismatch}"
    assert record["failures"][1] == ("firmware error in read on connection 2: SSL - A fatal alert message was "
                                     "received from our peer (-0x7780)")


def test_iana_names():
    assert iana_from_mbedtls("TLS1-3-AES-128-GCM-SHA256") == "TLS_AES_128_GCM_SHA256"
    assert iana_from_mbedtls("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256") == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"


# -- categories --------------------------------------------------------------------------------

def test_categories_split_the_phase_exactly():
    full = 10_000_000
    b = phase_breakdown(profile(full, 5), "tls_handshake_full")
    assert b["cycles"] == full
    assert sum(b["categories"].values()) == full          # every self cycle in one category
    assert b["categories"]["ecdhe"] == full - 6600 + 100  # bignum under key agreement is ECDHE
    assert b["categories"]["hashing"] == 2000
    assert b["categories"]["waiting"] == 3000             # the wait loop and its sleep
    assert b["categories"]["other"] == 1500               # phase function + state machine
    assert b["categories"]["bignum"] == 0
    assert set(b["categories"]) == set(CATEGORIES)
    assert phase_breakdown(profile(full, 5), "tls_close") is None


# -- footprint ---------------------------------------------------------------------------------

def test_footprint_matches_size_of_the_elf():
    from tlscosim.fw.build import build_firmware
    from tlscosim.tls.footprint import parse_map
    elf = Path(build_firmware(["tls_client"]).elfs["tls_client"])
    fp = parse_map(elf.with_suffix(".map")).to_dict()
    size = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    sections = {line.split()[0]: int(line.split()[1]) for line in size.splitlines() if line.startswith(".")}
    flash = sum(v for k, v in sections.items()
                if k in (".isr_vector", ".text", ".rodata", ".ARM.exidx", ".init_array", ".fini_array", ".data"))
    ram = sum(v for k, v in sections.items() if k in (".data", ".bss"))
    # Input sections sum to the output sections but for alignment fill (within 1 %).
    assert abs(fp["total"]["flash"] - flash) <= 0.01 * flash
    assert abs(fp["total"]["ram"] - ram) <= 0.01 * ram
    assert {"Mbed TLS", "lwIP", "board", "app", "TLS library", "C library"} <= set(fp["components"])
    assert fp["components"]["Mbed TLS"]["flash"] > fp["components"]["lwIP"]["flash"]
    assert "ecp" in fp["mbedtls_modules"] and "ssl_tls13_client" in fp["mbedtls_modules"]


def test_not_a_map_file(tmp_path):
    from tlscosim.tls.footprint import parse_map
    (tmp_path / "x.map").write_text("hello\n")
    with pytest.raises(ValueError, match="not a GNU ld map file"):
        parse_map(tmp_path / "x.map")


# -- table and plot ----------------------------------------------------------------------------

def test_table_and_png(tmp_path):
    from tlscosim.tls.plot import write_plot
    from tlscosim.tls.table import format_report
    on = run_record(board_run(), *evaluate(board_run()), HZ)
    off_run = board_run(TRANSCRIPT.replace('"cycles":67000000,"work_cycles":66900000', '"cycles":68000000,"work_cycles":67900000'))
    off = run_record(off_run, *evaluate(off_run), HZ)
    off["accel"] = "off"
    text = format_report([on, off], None, HZ)
    assert "TLS 1.3 full handshake: offload saves 1,000,000 cycles of work (40.0 ms, 1.47 %)" in text
    assert "server_hello" in text and "ECDHE keygen + shared secret" in text
    write_plot([on, off], tmp_path / "p.png", HZ)
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- command-line errors -----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--tls", "both", "--suite", "TLS1-3-AES-128-GCM-SHA256"],
     "tlscosim: error: --suite names one ciphersuite, of one TLS version: give --tls 1.2 or --tls 1.3 with it"),
    (["--rtl-fault", "nope"], "tlscosim: error: unknown RTL fault 'nope'; known faults: "),
    (["--tls-debug", "7"], "argument --tls-debug: must be 0..4, not '7'"),
    (["--json", "/nonexistent-folder/r.json"], "tlscosim: error: cannot write --json /nonexistent-folder/r.json: "
                                                "folder /nonexistent-folder does not exist"),
])
def test_bad_input_is_a_clear_error(args, message):
    done = subprocess.run([sys.executable, "-m", "tlscosim.cli", "handshake", *args], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_peers_are_runnable_modules():
    for module in ("tlscosim.tls.https_server", "tlscosim.tls.https_client"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and "--report" in done.stdout
    assert shutil.which("openssl")


def test_gcm_core_counted_when_the_firmware_reports_it():
    text = TRANSCRIPT.replace('"sha256_blocks_hw":12}', '"sha256_blocks_hw":12,"gcm_blocks_hw":70}')
    samples = board_run().samples
    for key in samples:
        samples[key] = dict(samples[key], gcm=0)
    samples[("http", 1)]["gcm"] = 70
    for key in (("connected", 2), ("handshake", 2)):
        samples[key]["gcm"] = 70
    samples[("http", 2)]["gcm"] = 139                 # one block the firmware did not count
    assert failed_names(board_run(text, samples=samples)) == ["conn 2 http blocks = BLOCKS counters"]
