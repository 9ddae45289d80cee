"""`tlscosim bench-handshake`: wall time of one full TLS 1.3 handshake with offload, per RTL
back end, beside its simulated cycles and the real board's time at its clock. Prints
figures; asserts none (targets: 10 s amaranth, 3 s verilator, whole process)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

TARGETS_S = {"amaranth": 10.0, "verilator": 3.0}

# One process per back end, so "whole process" includes start-up and imports.
_CHILD = r"""
import json, sys, tempfile, time
t0 = time.perf_counter()
from pathlib import Path
from tlscosim.fw.build import build_firmware
from tlscosim.tls.board_run import Configuration, run_board
from tlscosim.tls.certs import make_pki
elf = Path(build_firmware(["tls_client"], board=sys.argv[2]).elfs["tls_client"])
folder = Path(tempfile.mkdtemp(prefix="tlscosim-bench-"))
make_pki(folder)
cfg = Configuration(tls="1.3", accel="on", rtl=sys.argv[1], board=sys.argv[2], profile=False, resume=False)
t1 = time.perf_counter()
marks = {}
def progress(text):
    if "handshake 1 " in text:
        marks["handshake_done"] = time.perf_counter()
    elif text.endswith("connected 1"):
        marks["connected"] = time.perf_counter()
    elif text.endswith(": done") or text.endswith("http 1"):
        marks[text.rsplit(": ", 1)[1]] = time.perf_counter()
run = run_board(elf, cfg, folder, progress=progress)
hs = run.events.first("handshake", conn=1) or {}
print(json.dumps({"setup_s": t1 - t0, "run_s": run.wall_s,
                  "handshake_s": marks.get("handshake_done", 0) - marks.get("connected", 0),
                  "cycles": hs.get("cycles"), "ok": bool(hs.get("ok")),
                  "marks": {k: round(v - t1, 3) for k, v in sorted(marks.items(), key=lambda kv: kv[1])}}))
"""


def bench_command(args) -> int:
    import json
    from tlscosim.boarddesc import BoardDescription
    hz = BoardDescription.load(args.board).clock_hz
    backends = ("amaranth", "verilator") if args.rtl == "both" else (args.rtl,)
    print(f"{'rtl':<10}{'whole process s':>16}{'CPU s':>8}{'setup s':>9}{'board run s':>13}{'handshake s':>13}{'target s':>10}{'cycles':>14}"
          f"{'board ms':>10}")
    status = 0
    marks = []
    for backend in backends:
        start = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-c", _CHILD, backend, args.board], capture_output=True, text=True)
        whole = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        lines = [l for l in done.stdout.splitlines() if l.startswith("{")]
        if done.returncode != 0 or not lines:
            print(f"{backend:<10} failed: {(done.stderr or done.stdout).strip()[-400:]}")
            status = 1
            continue
        r = json.loads(lines[-1])
        cycles = r["cycles"] or 0
        print(f"{backend:<10}{whole:>16.2f}{cpu:>8.2f}{r['setup_s']:>9.2f}{r['run_s']:>13.2f}{r['handshake_s']:>13.2f}{TARGETS_S[backend]:>10.0f}"
              f"{cycles:>14,}{cycles * 1e3 / hz:>10.1f}" + ("" if r["ok"] else "  (handshake FAILED)"))
        marks.append(f"{backend}: " + ", ".join(f"{k} at {v:.2f} s" for k, v in r["marks"].items()))
    print("whole process: interpreter start, firmware build check, PKI, board boot, one connection "
          "(full handshake, HTTP GET, close); setup: imports, build check (make), PKI; board run: server start "
          "to firmware exit; CPU: user + system seconds of that process and its children (the "
          "server); handshake: connected -> handshake event (wall)")
    for line in marks:
        print(f"wall time from the end of setup, {line}")
    load = " ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    print(f"load average while measuring: {load} (wall times grow with it; CPU seconds much less)")
    return status
