"""`tlscosim handshake` end to end: the board's tls_client against the host HTTPS server on
the TAP link, TLS 1.3 with offload on and off, --verify-offload, all outputs. The oracles
are the other end (Python's ssl reports what it negotiated and sent), scapy's TLS layer on
the pcap, the simulator's own accelerator counters, the profiler and the reference
implementations behind --verify-offload. A broken RTL variant must fail the run and the
report must name the first wrong accelerator operation."""

from __future__ import annotations

import pytest

DEFAULT = ("--tls", "1.3", "--accel", "both", "--verify-offload")
REQUIRED_RUN_KEYS = {"tls", "accel", "ok", "handshake_cycles", "phases", "aes_blocks_hw", "sha256_blocks_hw",
                     "resumed_handshake_cycles"}
CATEGORIES = {"ecdhe", "ecdsa_verify", "x509_parse", "hashing", "aes_gcm", "bignum", "network", "waiting", "other"}


@pytest.fixture(scope="module")
def tls13(handshake):
    return handshake(*DEFAULT)


def run_of(report, tls, accel):
    return next(r for r in report["runs"] if r["tls"] == tls and r["accel"] == accel)


def test_exit_status_zero_and_every_check_passes(tls13):
    assert tls13.report is not None, tls13.stderr[-3000:]
    failed = [(r["accel"], c) for r in tls13.report["runs"] for c in r["checks"] if not c["ok"]]
    assert not failed, failed
    assert tls13.returncode == 0, tls13.stdout[-3000:] + tls13.stderr[-3000:]
    assert tls13.report["ok"] is True


def test_json_schema(tls13):
    report = tls13.report
    assert [(r["tls"], r["accel"]) for r in report["runs"]] == [("1.3", "on"), ("1.3", "off")]
    for r in report["runs"]:
        assert REQUIRED_RUN_KEYS <= set(r)
        assert set(r["phases"]) == {"full_handshake", "resumed_handshake", "http", "close"}
        for phase in r["phases"].values():
            assert set(phase["categories"]) == CATEGORIES
            assert sum(phase["categories"].values()) == phase["cycles"]   # every cycle in one kind
        assert r["version"] == "TLSv1.3" and r["suite"] == "TLS1-3-AES-128-GCM-SHA256"
        assert r["resumed"] is True
        # Public-key work dominates: two ECDSA verifications and one ECDHE, tens of millions.
        cats = r["phases"]["full_handshake"]["categories"]
        assert 30_000_000 < cats["ecdsa_verify"] < 80_000_000
        assert 10_000_000 < cats["ecdhe"] < 40_000_000
        assert r["resumed_handshake_cycles"] < r["handshake_cycles"]
        assert [s["state"] for s in r["states"]][:3] == ["HELLO_REQUEST", "CLIENT_HELLO", "SERVER_HELLO"]
    fp = report["footprint"]
    assert {"Mbed TLS", "lwIP", "board", "app"} <= set(fp["components"])


def test_offload_counters_exactly_when_on(tls13):
    on, off = run_of(tls13.report, "1.3", "on"), run_of(tls13.report, "1.3", "off")
    assert on["aes_blocks_hw"] > 0 and on["sha256_blocks_hw"] > 0
    assert on["accelerator_blocks"]["sha256"] > 0
    assert off["aes_blocks_hw"] == off["sha256_blocks_hw"] == 0
    assert not any(off["accelerator_blocks"].values())
    assert on["verify_offload"]["mismatches"] == 0 and on["verify_offload"]["checked"] > 0
    # Hashing in software costs more than on the accelerator (deterministic cycle counts).
    assert (on["phases"]["full_handshake"]["categories"]["hashing"]
            < off["phases"]["full_handshake"]["categories"]["hashing"])


def test_server_view_agrees(tls13):
    for r in tls13.report["runs"]:
        server = r["server"]["connections"]
        assert [c["session_reused"] for c in server] == [False, True]
        assert all(c["cipher_iana"] == "TLS_AES_128_GCM_SHA256" and c["close_notify_received"] for c in server)


def test_pcap_parsed_by_scapy(tls13):
    for r in tls13.report["runs"]:
        pcap = r["pcap"]
        assert pcap["frames"] > 20
        hello = [c for c in pcap["connections"] if c["direction"] == "board->host"]
        assert all(c["handshake_messages"][0] == "TLSClientHello" for c in hello) and len(hello) == 2
        assert all(s == "TLS_AES_128_GCM_SHA256" for c in pcap["connections"] for s in c["server_hello_suites"])
    assert "TLS records in 4 TCP directions (scapy)" in tls13.stdout


def test_table_png_and_progress(tls13):
    out = tls13.stdout
    assert "handshake (DWT)" in out and "server_certificate" in out
    assert "TLS 1.3 full handshake: offload saves" in out
    assert "ECDHE keygen + shared secret" in out and "footprint (tls_client)" in out
    assert (tls13.folder / "phases.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tls13.folder / "run-tls1.3-accel-on.pcap").exists()
    assert "tlscosim handshake: TLS 1.3 accel on: handshake 1 ok" in tls13.stderr
    import json
    profile = json.loads((tls13.folder / "profile.json").read_text())
    assert [(r["tls"], r["accel"]) for r in profile["runs"]] == [("1.3", "on"), ("1.3", "off")]
    top = {f["function"] for f in profile["runs"][0]["top"]}
    assert "mbedtls_ssl_handshake_step" in top or any(name.startswith("mbedtls_mpi") for name in top)


def test_broken_rtl_fails_and_names_the_first_wrong_operation(handshake):
    run = handshake("--tls", "1.3", "--accel", "on", "--rtl-fault", "sha-k", "--verify-offload", outputs=False)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "TLS 1.3 accel on FAILED:" in run.stdout
    first = run.stdout.split("TLS 1.3 accel on FAILED:\n", 1)[1].splitlines()[0]
    assert first.startswith("  first wrong accelerator operation: sha256: ")
    assert "the reference gives" in first


@pytest.mark.slow
def test_tls12_both_modes(handshake):
    run = handshake("--tls", "1.2", "--accel", "both", "--verify-offload")
    assert run.returncode == 0, run.stdout[-3000:]
    for r in run.report["runs"]:
        assert r["version"] == "TLSv1.2" and r["suite"] == "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"
        assert r["resumed"] is True


@pytest.mark.slow
def test_verilator_back_end_passes_the_same_checks(handshake):
    # Cycle counts differ from run to run (the peer's keys and signatures are random), so
    # the back ends' cycle-for-cycle agreement is tests/accel's job; here: every check.
    run = handshake("--tls", "1.3", "--accel", "on", "--rtl", "verilator", "--verify-offload")
    assert run.returncode == 0, run.stdout[-3000:]
    (r,) = run.report["runs"]
    assert r["rtl"] == "verilator" and r["aes_blocks_hw"] > 0 and r["verify_offload"]["mismatches"] == 0


@pytest.mark.slow
def test_tls_debug_lines_are_counted_and_the_run_still_passes(handshake):
    run = handshake("--tls", "1.3", "--accel", "on", "--tls-debug", "1")
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.report["runs"][0]["debug_lines"] > 5        # Mbed TLS's own lines, not events
