"""`tlscosim handshake`: the board's TLS client against a host HTTPS server, per TLS
version and offload mode; checks, table, JSON, PNG, pcap records (docs/tls.md)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.outputs import check_output_file

from .board_run import Configuration, run_board
from .checks import evaluate, run_record


def _progress(text: str) -> None:
    print(f"tlscosim handshake: {text}", file=sys.stderr, flush=True)


def configurations(args) -> list[Configuration]:
    versions = ["1.3", "1.2"] if args.tls == "both" else [args.tls]
    accels = ["on", "off"] if args.accel == "both" else [args.accel]
    if args.suite and len(versions) > 1:
        raise UserError("--suite names one ciphersuite, of one TLS version: give --tls 1.2 or --tls 1.3 with it")
    return [Configuration(tls=v, accel=a, rtl=args.rtl, rtl_fault=args.rtl_fault, verify_offload=args.verify_offload,
                          suite=args.suite, group=args.group, tls_debug=args.tls_debug, board=args.board,
                          timeout_s=args.timeout_s)
            for v in versions for a in accels]


def pcap_path(base: str, config: Configuration, many: bool) -> Path:
    path = Path(base)
    if not many:
        return path
    return path.with_name(f"{path.stem}-tls{config.tls}-accel-{config.accel}{path.suffix or '.pcap'}")


def handshake_command(args) -> int:
    started = time.perf_counter()
    configs = configurations(args)
    for option in ("json", "plot", "profile"):
        if getattr(args, option):
            check_output_file(getattr(args, option), f"--{option}")
    if args.pcap:
        for c in configs:
            check_output_file(pcap_path(args.pcap, c, len(configs) > 1), "--pcap")
    from tlscosim.boarddesc import BoardDescription
    from tlscosim.fw.build import build_firmware
    from .certs import make_pki
    from .footprint import parse_map

    board = BoardDescription.load(args.board)
    _progress(f"building tls_client for {board.name}")
    build = build_firmware(["tls_client"], board=args.board)
    elf = Path(build.elfs["tls_client"])
    map_path = elf.with_suffix(".map")
    footprint = parse_map(map_path).to_dict() if map_path.exists() else None
    folder = Path(tempfile.mkdtemp(prefix="tlscosim-handshake-"))
    runs = []
    try:
        make_pki(folder)
        for config in configs:
            _progress(f"{config.label}: starting (rtl {config.rtl}"
                      + (f", RTL fault {config.rtl_fault}" if config.rtl_fault else "")
                      + (", verifying offload" if config.verify_offload else "") + ")")
            pcap = pcap_path(args.pcap, config, len(configs) > 1) if args.pcap else None
            run = run_board(elf, config, folder, pcap=pcap, progress=_progress)
            checks, phases = evaluate(run)
            record = run_record(run, checks, phases, board.clock_hz)
            if pcap is not None and pcap.exists():
                from .checks import iana_from_mbedtls
                from .pcap_records import pcap_check, tls_records
                record["pcap"] = {"file": str(pcap), **tls_records(pcap)}
                ok, detail = pcap_check(record["pcap"], iana_from_mbedtls(record["suite"]))
                record["checks"].append({"name": "pcap parsed by scapy agrees", "ok": ok, "detail": detail})
                if not ok:
                    record["ok"] = False
                    record["failures"].append(f"check failed: pcap parsed by scapy agrees: {detail}")
            if args.profile and run.profile is not None:
                record["profile_top"] = [{"function": f.name, "self_cycles": f.self_cycles,
                                          "inclusive_cycles": f.inclusive_cycles}
                                         for f in run.profile.functions[:40]]
            if args.tls_debug:
                record["debug_lines"] = len(run.events.other_lines)
            runs.append(record)
            verdict = "ok" if record["ok"] else "FAILED: " + record["failures"][0]
            _progress(f"{config.label}: {verdict} ({record['wall_s']:.1f} s wall)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from .table import format_report
    print(format_report(runs, footprint, board.clock_hz))
    for r in runs:
        if "pcap" in r:
            seen = sum(c["records"] for c in r["pcap"]["connections"])
            print(f"pcap TLS {r['tls']} accel {r['accel']}: {r['pcap']['file']}: {r['pcap']['frames']} frames, "
                  f"{seen} TLS records in {len(r['pcap']['connections'])} TCP directions (scapy)")
        if not r["ok"]:
            print(f"TLS {r['tls']} accel {r['accel']} FAILED:")
            for reason in r["failures"]:
                print(f"  {reason}")
    total_wall = time.perf_counter() - started
    print(f"wall time: {total_wall:.1f} s in all")
    data = {"board": board.name, "clock_hz": board.clock_hz, "elf": str(elf), "rtl": args.rtl,
            "footprint": footprint, "runs": runs, "ok": all(r["ok"] for r in runs), "wall_s": round(total_wall, 3)}
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    if args.profile:
        Path(args.profile).write_text(json.dumps({"runs": [{"tls": r["tls"], "accel": r["accel"],
                                                            "phases": r["phases"], "top": r.get("profile_top")}
                                                           for r in runs]}, indent=2) + "\n")
    if args.plot:
        from .plot import write_plot
        write_plot(runs, args.plot, board.clock_hz)
    return 0 if data["ok"] else 1
