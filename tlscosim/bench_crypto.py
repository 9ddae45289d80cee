"""`tlscosim bench crypto`: what AES, AES-GCM/CCM and SHA-256 cost on the board through
Mbed TLS, in software and on the accelerators, measured with the DWT cycle counter by
the firmware itself (sw/apps/accel_bench, built twice: plain Mbed TLS and Mbed TLS on
the accelerators); and what co-simulating the RTL costs in wall time on each back end.

The hardware run has --verify-offload on: every accelerator operation of the benchmark
is recomputed with a reference implementation. Cycle figures are the same on every RTL
back end (they simulate the same RTL); the command checks that.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from .errors import UserError
from .paths import BUILD_DIR

APPS = {"sw": "accel_bench_sw", "hw": "accel_bench"}
LINE = re.compile(r"^bench (\w+) bytes=(\d+) cycles=(\d+)$")
MAX_CYCLES = 200_000_000
DEFAULT_PNG = BUILD_DIR / "bench" / "crypto.png"
AEAD_SIZES = (16, 1024, 16384)
SHA_SIZES = (64, 1024, 16384)
SHA_BLOCK = 64


def add_subcommand(bench_parser) -> None:
    sub = bench_parser.add_subparsers(dest="bench_target", metavar="TARGET")
    p = sub.add_parser("crypto", help="AES/GCM/CCM/SHA-256 cycles, software vs accelerators",
                       description="Run the crypto benchmark firmware with plain Mbed TLS and with Mbed TLS "
                                   "on the accelerators (offload verified), print a table, write a PNG bar "
                                   "chart and optionally JSON, and measure the co-simulation speed of each "
                                   "RTL back end.")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    p.add_argument("--png", type=Path, default=DEFAULT_PNG, metavar="FILE",
                   help=f"bar chart (default {DEFAULT_PNG.relative_to(BUILD_DIR.parent)})")
    p.add_argument("--rtl", choices=("amaranth", "verilator"), action="append",
                   help="RTL back end(s) for the hardware run (default: both, verilator if installed)")
    p.add_argument("--board", default="mps2-an386", help="board name or TOML file")
    p.set_defaults(func=_command)


def _command(args) -> int:
    from .outputs import check_output_folder
    for option, path in (("--png", args.png), ("--json", args.json)):
        if path is not None:
            check_output_folder(path.parent, option)   # before the runs; created below if missing
    backends = args.rtl or (["amaranth", "verilator"] if shutil.which("verilator") else ["amaranth"])
    report = bench_crypto(backends, board=args.board)
    print(format_table(report))
    write_chart(report, args.png)
    print(f"wrote {args.png}")
    if args.json:
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n")
        except OSError as exc:
            raise UserError(f"--json {args.json}: {exc.strerror}") from None
        print(f"wrote {args.json}")
    return 0 if report["verify_offload"]["mismatches"] == 0 else 1


# -- running ------------------------------------------------------------------------------------

def _run(elf: Path, board: str, backend: str, verify: bool, profile: bool = False) -> dict:
    from .sim.board.peripherals import accelerator_run
    from .sim.frontends.runner import load_simulation

    sim = load_simulation(elf, board, max_cycles=MAX_CYCLES)
    offload = accelerator_run.attach(sim, backend, None, verify)
    profiler = None
    if profile:
        from .sim.frontends.profiler import Profiler
        profiler = Profiler.attach(sim)
    started = time.perf_counter()
    result = sim.run()
    wall = time.perf_counter() - started
    uart = result.uart_output.decode(errors="replace")
    if result.exit_code != 0:
        raise UserError(f"{elf.name} did not pass on the board ({result.stop_reason}: {result.message}):\n{uart}")
    figures: dict[str, dict[int, int]] = {}
    for line in uart.splitlines():
        m = LINE.match(line)
        if m:
            figures.setdefault(m[1], {})[int(m[2])] = int(m[3])
    run = {"figures": figures, "wall_s": wall, "cycles": result.cycles, "instructions": result.instructions,
           "offload": offload.summary()}
    if profiler is not None:
        run["profile"] = profiler.report()
    offload.close()
    return run


def bench_crypto(backends: list[str], board: str = "mps2-an386") -> dict:
    from .fw.build import build_firmware

    elfs = build_firmware(list(APPS.values()), board=board).elfs
    sw = _run(elfs[APPS["sw"]], board, backends[0], verify=False)
    hw_runs = {b: _run(elfs[APPS["hw"]], board, b, verify=True, profile=(i == 0)) for i, b in enumerate(backends)}
    first = hw_runs[backends[0]]
    for backend, run in hw_runs.items():
        if run["figures"] != first["figures"] or run["cycles"] != first["cycles"]:
            raise UserError(f"the RTL back ends disagree: {backends[0]} and {backend} measured different cycles")
    return _report(sw, first, hw_runs)


# -- figures ----------------------------------------------------------------------------------------

def _per_block(f: dict, name: str) -> int:
    return f[name][16]


def _sha_per_block(f: dict) -> float:
    """Marginal cost of a block: the 1 KiB -> 16 KiB difference over its blocks (no
    fixed costs, no padding block)."""
    return (f["sha256"][16384] - f["sha256"][1024]) / ((16384 - 1024) / SHA_BLOCK)


def _side(f: dict) -> dict:
    return {
        "aes128": {"cycles_per_block": _per_block(f, "aes128_enc"), "decrypt_cycles_per_block": _per_block(f, "aes128_dec"),
                   "first_block_after_setkey": f["aes128_enc_first"][16], "setkey_cycles": f["aes128_setkey"][0]},
        "aes256": {"cycles_per_block": _per_block(f, "aes256_enc"), "decrypt_cycles_per_block": _per_block(f, "aes256_dec"),
                   "first_block_after_setkey": f["aes256_enc_first"][16], "setkey_cycles": f["aes256_setkey"][0]},
        "gcm128": {"cycles_per_byte": f["gcm128"][16384] / 16384, "cycles": f["gcm128"]},
        "ccm128": {"cycles_per_byte": f["ccm128"][16384] / 16384, "cycles": f["ccm128"]},
        "sha256": {"cycles_per_block": _sha_per_block(f), "cycles": f["sha256"]},
    }


def _report(sw: dict, hw: dict, hw_runs: dict) -> dict:
    s, h = _side(sw["figures"]), _side(hw["figures"])
    report: dict = {}
    for algo in s:
        report[algo] = {}
        for key in s[algo]:
            report[algo][f"sw_{key}"] = s[algo][key]
            report[algo][f"hw_{key}"] = h[algo][key]
    verify = hw["offload"]["verify_offload"]
    report["verify_offload"] = {"checked": verify["checked"], "mismatches": verify["mismatches"],
                                "operations": verify["operations"], "first_mismatch": verify["first_mismatch"]}
    report["blocks"] = hw["offload"]["blocks"]
    report["gcm128"]["hw_profile"] = _gcm_profile(hw.get("profile"))
    report["cosim"] = {backend: _cosim(run, sw) for backend, run in hw_runs.items()}
    return report


GCM_DRIVER = ("accel_gcm_init", "accel_gcm_aad", "accel_gcm_crypt_blocks", "accel_gcm_crypt_block", "accel_gcm_tag")
SOFTWARE_GHASH = "gcm_mult_smalltable"


def _gcm_profile(profile) -> dict | None:
    """Where AES-128-GCM's cycles go in the accelerated build: the GCM core's driver
    (MBEDTLS_GCM_ALT, sw/drivers/accel_gcm.c) and GHASH in software (Mbed TLS's gcm.c,
    which runs only where the core cannot take a message)."""
    if profile is None:
        return None
    rows = {r.name: r for r in profile.functions}
    gcm = rows["mbedtls_gcm_crypt_and_tag"].inclusive_cycles
    ghash = rows[SOFTWARE_GHASH].inclusive_cycles if SOFTWARE_GHASH in rows else 0
    driver = sum(rows[name].inclusive_cycles for name in GCM_DRIVER if name in rows)
    top = [{"function": r.name, "self_cycles": r.self_cycles} for r in profile.functions[:8]]
    return {"gcm_cycles": gcm, "ghash_cycles": ghash, "ghash_share": round(ghash / gcm, 3),
            "driver_cycles": driver, "driver_share": round(driver / gcm, 3), "top_functions": top}


def _cosim(run: dict, sw: dict) -> dict:
    stats = [s for s in run["offload"]["rtl"].values() if s]
    rtl_wall = sum(s["rtl_wall_s"] for s in stats)
    simulated = sum(s["rtl_cycles_simulated"] for s in stats)
    return {"wall_s": round(run["wall_s"], 3), "rtl_wall_s": round(rtl_wall, 3),
            "rtl_cycles_simulated": simulated,
            "rtl_cycles_per_wall_s": round(simulated / rtl_wall) if rtl_wall else None,
            "accesses": sum(s["accesses"] for s in stats),
            # How much longer the run took than it would without the RTL's time.
            "slowdown_from_rtl": round(run["wall_s"] / (run["wall_s"] - rtl_wall), 2),
            "software_run_wall_s": round(sw["wall_s"], 3)}


# -- output ----------------------------------------------------------------------------------------

ROWS = (
    ("AES-128 encrypt, cycles/block", "aes128", "cycles_per_block"),
    ("AES-128 decrypt, cycles/block", "aes128", "decrypt_cycles_per_block"),
    ("AES-128 key setup, cycles", "aes128", "setkey_cycles"),
    ("AES-128 first block, after key setup", "aes128", "first_block_after_setkey"),
    ("AES-256 encrypt, cycles/block", "aes256", "cycles_per_block"),
    ("AES-256 decrypt, cycles/block", "aes256", "decrypt_cycles_per_block"),
    ("AES-256 key setup, cycles", "aes256", "setkey_cycles"),
    ("AES-128-GCM, 16 KiB: cycles/byte", "gcm128", "cycles_per_byte"),
    ("AES-128-CCM, 16 KiB: cycles/byte", "ccm128", "cycles_per_byte"),
    ("SHA-256, cycles/block", "sha256", "cycles_per_block"),
)


def format_table(report: dict) -> str:
    lines = [f"{'':40} {'software':>10} {'accelerated':>12} {'speed-up':>9}"]
    for label, algo, key in ROWS:
        sw, hw = report[algo][f"sw_{key}"], report[algo][f"hw_{key}"]
        lines.append(f"{label:40} {sw:10.1f} {hw:12.1f} {sw / hw:8.1f}x")
    for algo, sizes in (("gcm128", AEAD_SIZES), ("ccm128", AEAD_SIZES), ("sha256", SHA_SIZES)):
        for size in sizes:
            sw, hw = report[algo]["sw_cycles"][size], report[algo]["hw_cycles"][size]
            lines.append(f"{f'{algo} {size} B, cycles':40} {sw:10d} {hw:12d} {sw / hw:8.1f}x")
    v = report["verify_offload"]
    lines.append(f"verify-offload: {v['checked']:,} of {v['operations']:,} operations checked, "
                 f"{v['mismatches']} mismatches")
    prof = report["gcm128"]["hw_profile"]
    if prof:
        lines.append(f"AES-128-GCM on the accelerators: {prof['driver_share']:.0%} of its cycles in the GCM "
                     f"core's driver, {prof['ghash_share']:.0%} in software GHASH ({SOFTWARE_GHASH})")
    for backend, c in report["cosim"].items():
        lines.append(f"co-simulation, {backend}: {c['rtl_cycles_per_wall_s']:,} RTL cycles per wall second "
                     f"({c['rtl_cycles_simulated']:,} simulated, {c['accesses']:,} bus accesses in "
                     f"{c['rtl_wall_s']} s); run {c['wall_s']} s wall, x{c['slowdown_from_rtl']} from the RTL "
                     f"(software build: {c['software_run_wall_s']} s)")
    return "\n".join(lines)


def write_chart(report: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label.replace(", ", "\n") for label, _a, _k in ROWS]
    sw = [report[a][f"sw_{k}"] for _l, a, k in ROWS]
    hw = [report[a][f"hw_{k}"] for _l, a, k in ROWS]
    fig, ax = plt.subplots(figsize=(12, 5))
    xs = range(len(ROWS))
    ax.bar([x - 0.2 for x in xs], sw, 0.4, label="Mbed TLS software")
    ax.bar([x + 0.2 for x in xs], hw, 0.4, label="Mbed TLS on the accelerators")
    ax.set_yscale("log")
    ax.set_xticks(list(xs), labels, fontsize=7)
    ax.set_ylabel("cycles (DWT), log scale")
    ax.set_title("Crypto on the Cortex-M4 board: software vs accelerators")
    ax.legend()
    fig.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    except OSError as exc:
        raise UserError(f"--png {path}: {exc.strerror}") from None
    finally:
        plt.close(fig)
