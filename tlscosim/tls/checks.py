"""Judging one `tlscosim handshake` run (board_run.BoardRun): the checks, each with a
name, a verdict and what was compared, and the run's record for the JSON report."""

from __future__ import annotations

from dataclasses import dataclass

from .categories import PHASES, phase_breakdown

# The firmware's DWT handshake cycles cover tls_step_handshake's loop; the profiler's
# inclusive cycles of tls_handshake_full add the call, the DWT reads around the loop and
# printing the handshake event (a constant: 134,563 cycles measured for the full and
# 134,728 for the resumed TLS 1.3 handshake); allowed: 0 up to this many.
PROFILER_SLACK_CYCLES = 200_000

PHASE_KEYS = {"tls_handshake_full": "full_handshake", "tls_handshake_resumed": "resumed_handshake",
              "tls_http_exchange": "http", "tls_close": "close"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def iana_from_mbedtls(name: str | None) -> str | None:
    """Mbed TLS ciphersuite name -> IANA name (TLS1-3-AES-128-GCM-SHA256 -> TLS_AES_128_GCM_SHA256)."""
    if not name:
        return None
    if name.startswith("TLS1-3-"):
        return "TLS_" + name[len("TLS1-3-"):].replace("-", "_")
    return name.replace("-", "_")


def describe_error(event: dict) -> str:
    code = f" ({event['hex']})" if "hex" in event else f" ({event.get('code')})"
    conn = f" on connection {event['conn']}" if "conn" in event else ""
    return f"firmware error in {event.get('where')}{conn}: {event.get('text')}{code}"


def failure_reasons(run) -> list[str]:
    """Why a run failed, most telling first: the first offload mismatch, the firmware's
    error events (Mbed TLS error decoded), certificate verification flags, the simulator's
    stop (fault, limit)."""
    reasons = []
    if run.error:
        reasons.append(f"the run could not complete: {run.error}")
    if run.first_mismatch:
        reasons.append(f"first wrong accelerator operation: {run.first_mismatch}")
    for event in run.events.of("verify"):
        reasons.append(f"certificate verification failed (flags {event['flags']:#x}): {event['text'].strip()}")
    reasons += [describe_error(e) for e in run.events.errors()]
    result = run.result
    if result is not None and result.stop_reason != "exit":
        reasons.append(f"simulator: {result.stop_reason}: {result.message}")
    if run.event_error:
        reasons.append(f"malformed event line: {run.event_error}")
    return reasons


def _blocks(sample: dict | None, device: str) -> int:
    return (sample or {}).get(device, 0)


def evaluate(run) -> tuple[list[Check], dict]:
    ev = run.events
    cfg = run.config
    checks: list[Check] = []

    def check(name, ok, detail):
        checks.append(Check(name, bool(ok), detail))

    result = run.result
    done = ev.first("done")
    exit_ok = result is not None and result.stop_reason == "exit" and result.exit_code == 0
    check("firmware exit", exit_ok and done is not None and done.get("ok") is True,
          "exit code 0 and done ok" if exit_ok else
          (f"stop {result.stop_reason}, code {result.exit_code}" if result else "no result"))
    errors = ev.errors()
    check("no firmware errors", not errors, "; ".join(describe_error(e) for e in errors) or "none")
    check("event lines well-formed", run.event_error is None, run.event_error or "all parsed")

    hs1, hs2 = ev.first("handshake", conn=1), ev.first("handshake", conn=2)
    check("full handshake", hs1 is not None and hs1["ok"] and not hs1.get("resumed"),
          f"conn 1: ok={hs1 and hs1['ok']} resumed={hs1 and hs1.get('resumed')}")
    check("resumed handshake", hs2 is not None and hs2["ok"] and hs2.get("resumed") is True,
          f"conn 2: ok={hs2 and hs2['ok']} resumed={hs2 and hs2.get('resumed')}")

    server = (run.server_report or {}).get("connections", [])
    check("server report", len(server) == 2, f"{len(server)} connection(s) in the server's report")
    for conn in (1, 2):
        hs = ev.first("handshake", conn=conn) or {}
        http = ev.first("http", conn=conn) or {}
        close = ev.first("close", conn=conn) or {}
        peer = server[conn - 1] if len(server) >= conn else {}
        check(f"conn {conn} version agrees", hs.get("version") and hs.get("version") == peer.get("version"),
              f"board {hs.get('version')}, server {peer.get('version')}")
        iana = iana_from_mbedtls(hs.get("suite"))
        check(f"conn {conn} suite agrees", iana and iana == peer.get("cipher_iana"),
              f"board {hs.get('suite')} ({iana}), server {peer.get('cipher_iana')}")
        check(f"conn {conn} session reuse agrees", bool(hs.get("resumed")) == bool(peer.get("session_reused"))
              and bool(peer.get("session_reused")) == (conn == 2),
              f"board resumed={hs.get('resumed')}, server session_reused={peer.get('session_reused')}")
        check(f"conn {conn} HTTP body intact", http.get("status") == 200 and http.get("body_sha256")
              and http.get("body_sha256") == peer.get("body_sha256") and http.get("body_bytes") == peer.get("body_bytes"),
              f"status {http.get('status')}, board {http.get('body_bytes')} B sha256 {str(http.get('body_sha256'))[:16]}, "
              f"server {peer.get('body_bytes')} B sha256 {str(peer.get('body_sha256'))[:16]}")
        check(f"conn {conn} close_notify", close.get("close_notify") is True and peer.get("close_notify_received") is True,
              f"board close_notify={close.get('close_notify')}, server received={peer.get('close_notify_received')}")
        for phase in ("handshake", "http"):
            fw = ev.first(phase, conn=conn) or {}
            before = run.samples.get(("connected", conn) if phase == "handshake" else ("handshake", conn))
            after = run.samples.get((phase, conn))
            if not fw or after is None:
                continue
            # The GCM core is compared where the firmware counts it (gcm_blocks_hw).
            devices = [d for d in ("aes", "sha256", "gcm") if f"{d}_blocks_hw" in fw]
            got = {d: _blocks(after, d) - _blocks(before, d) for d in devices}
            want = {d: fw.get(f"{d}_blocks_hw") for d in devices}
            check(f"conn {conn} {phase} blocks = BLOCKS counters", got == want,
                  f"firmware {want}, simulator {got}")

    device_blocks = {name: n or 0 for name, n in run.offload["blocks"].items()}
    fw_aes = sum(e.get("aes_blocks_hw", 0) for e in ev.of("handshake") + ev.of("http"))
    fw_sha = sum(e.get("sha256_blocks_hw", 0) for e in ev.of("handshake") + ev.of("http"))
    if cfg.accel == "on":
        ok = fw_aes > 0 and fw_sha > 0 and device_blocks.get("aes", 0) > 0 and device_blocks.get("sha256", 0) > 0
    else:
        ok = fw_aes == 0 and fw_sha == 0 and not any(device_blocks.values())
    check("accelerators used exactly when offload is on", ok,
          f"accel {cfg.accel}: firmware aes {fw_aes}, sha256 {fw_sha}; devices {device_blocks}")

    phases = {}
    if run.profile is not None:
        for func in PHASES:
            breakdown = phase_breakdown(run.profile, func)
            if breakdown is not None:
                phases[PHASE_KEYS[func]] = breakdown
        for hs, key, func in ((hs1, "full_handshake", "tls_handshake_full"),
                              (hs2, "resumed_handshake", "tls_handshake_resumed")):
            prof = phases.get(key)
            if hs is not None and prof is not None:
                diff = prof["cycles"] - hs["cycles"]
                check(f"{key.replace('_', ' ')}: DWT cycles = profiler", 0 <= diff <= PROFILER_SLACK_CYCLES,
                      f"firmware {hs['cycles']:,}, profiler {func} {prof['cycles']:,} "
                      f"(difference {diff:,}, allowed 0..{PROFILER_SLACK_CYCLES:,})")
    if cfg.verify_offload:
        v = run.offload.get("verify_offload", {})
        check("verify-offload: no mismatches", v.get("mismatches") == 0 and v.get("operations", 0) > 0
              if cfg.accel == "on" else v.get("mismatches") == 0,
              f"{v.get('operations', 0):,} operations, {v.get('checked', 0):,} checked, "
              f"{v.get('mismatches')} mismatches" + (f"; first: {run.first_mismatch}" if run.first_mismatch else ""))
    return checks, phases


def run_record(run, checks: list[Check], phases: dict, clock_hz: int) -> dict:
    ev = run.events
    hs1, hs2 = ev.first("handshake", conn=1) or {}, ev.first("handshake", conn=2) or {}
    http1 = ev.first("http", conn=1) or {}
    ms = lambda cycles: round(cycles * 1e3 / clock_hz, 3) if cycles is not None else None  # noqa: E731
    for phase in phases.values():
        phase["ms"] = ms(phase["cycles"])
    result = run.result
    ok = all(c.ok for c in checks)
    return {
        "tls": run.config.tls, "accel": run.config.accel, "rtl": run.config.rtl, "rtl_fault": run.config.rtl_fault,
        "ok": ok, "failures": [] if ok else failure_reasons(run) + [f"check failed: {c.name}: {c.detail}"
                                                          for c in checks if not c.ok],
        "checks": [c.to_dict() for c in checks],
        "version": hs1.get("version"), "suite": hs1.get("suite"), "group": hs1.get("group"),
        "handshake_cycles": hs1.get("cycles"), "handshake_ms": ms(hs1.get("cycles")),
        "handshake_work_cycles": hs1.get("work_cycles"), "handshake_wait_cycles": hs1.get("wait_cycles"),
        "resumed": hs2.get("resumed"), "resumed_handshake_cycles": hs2.get("cycles"),
        "resumed_handshake_work_cycles": hs2.get("work_cycles"),
        "resumed_handshake_ms": ms(hs2.get("cycles")),
        "states": [{"state": s["state"], "cycles": s["cycles"], "wait_cycles": s["wait_cycles"], "ms": ms(s["cycles"])}
                   for s in ev.of("step", conn=1)],
        "resumed_states": [{"state": s["state"], "cycles": s["cycles"], "wait_cycles": s["wait_cycles"]}
                           for s in ev.of("step", conn=2)],
        "phases": phases,
        "aes_blocks_hw": hs1.get("aes_blocks_hw", 0), "sha256_blocks_hw": hs1.get("sha256_blocks_hw", 0),
        "gcm_blocks_hw": hs1.get("gcm_blocks_hw", 0),
        "http_aes_blocks_hw": http1.get("aes_blocks_hw", 0), "http_sha256_blocks_hw": http1.get("sha256_blocks_hw", 0),
        "http_gcm_blocks_hw": http1.get("gcm_blocks_hw", 0),
        "http_cycles": http1.get("cycles"),
        "heap_peak": hs1.get("heap_peak"), "stack_peak": hs1.get("stack_peak"),
        "accelerator_blocks": run.offload["blocks"],
        "verify_offload": run.offload.get("verify_offload"),
        "server": run.server_report,
        "simulator": None if result is None else {
            "stop_reason": result.stop_reason, "exit_code": result.exit_code, "cycles": result.cycles,
            "instructions": result.instructions, "wall_s": round(result.wall_s, 3)},
        "wall_s": round(run.wall_s, 3),
    }
