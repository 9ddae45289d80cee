"""`tlscosim rtl report`: cycles per block measured in simulation (single blocks and
streamed through the bus), area and Fmax after place and route, side by side with
published figures of comparable cores."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .busdev import RtlBusDevice
from .clients import AesClient, GcmClient, Sha256Client
from .regmaps import AES_KEYLEN_CODES, CORES, GCM_OPS

# Published figures the README compares with (issue 4); not measured here.
STREAM_BLOCKS = 16        # blocks per streaming measurement (the period is steady after 2)

REFERENCES = {
    "secworks/aes": {"aes_cycles_per_block": 46, "luts": "~3k"},
    "secworks/sha256": {"sha256_cycles_per_block": 66, "luts": "~2k"},
    "OpenTitan AES (unmasked)": {"aes_cycles_per_block": {"128": 12, "192": 14, "256": 16}},
    "OpenTitan HMAC (SHA-256)": {"sha256_cycles_per_block": 80},
}


def measure_aes(backend: str = "pysim") -> dict:
    """START-to-DONE cycles (STATUS polled every cycle) for every key size and direction,
    and the sustained period of streamed blocks (two in flight, firmware-like bus traffic)."""
    client = AesClient(RtlBusDevice("aes", backend=backend))
    client.wait_idle()                                          # the wipe after power-on
    by_mode, first_block, sustained = {}, {}, {}
    for bits in AES_KEYLEN_CODES:
        client.set_key(bytes(range(bits // 8)))
        start = client.start_block(bytes(16), decrypt=False)       # expands the new key first
        first_block[str(bits)] = client.poll_done() - start
        for direction in ("encrypt", "decrypt"):
            start = client.start_block(bytes(16), decrypt=direction == "decrypt")
            by_mode[f"{bits}-{direction}"] = client.poll_done() - start
        sustained[str(bits)] = max(
            _period(client.stream(bytes(range(bits // 8)), bytes(16 * STREAM_BLOCKS), decrypt)[1])
            for decrypt in (False, True))
    return {
        "cycles_per_block": {str(b): max(by_mode[f"{b}-encrypt"], by_mode[f"{b}-decrypt"])
                             for b in AES_KEYLEN_CODES},
        "cycles_by_mode": by_mode,
        "first_block_with_key_expansion": first_block,
        "sustained_cycles_per_block": sustained,
    }


def _period(ready_cycles: list[int]) -> float:
    """Cycles per block in steady state: between the third result and the last."""
    steady = ready_cycles[2:]
    return (steady[-1] - steady[0]) / (len(steady) - 1)


def measure_sha256(backend: str = "pysim") -> dict:
    client = Sha256Client(RtlBusDevice("sha256", backend=backend))
    by_mode = {}
    for mode, init, sha224 in (("sha256-first", True, False), ("sha224-first", True, True),
                               ("chained", False, False)):
        start = client.start_block(bytes(64), init=init, sha224=sha224)
        by_mode[mode] = client.poll_done() - start
    written = client.stream_blocks([bytes(64)] * STREAM_BLOCKS, init=True)
    return {"cycles_per_block": max(by_mode.values()), "cycles_by_mode": by_mode,
            "sustained_cycles_per_block": _period(written)}


def measure_gcm(backend: str = "pysim") -> dict:
    """Cycles per operation (START written to DONE read, AES-128) and the streamed period."""
    client = GcmClient(RtlBusDevice("gcm", backend=backend))
    client.wait_idle()
    client.set_key(0, bytes(16))
    by_op = {}
    for name, op in (("INIT (new key: expansion and H)", "INIT"), ("INIT", "INIT"), ("AAD", "AAD"),
                     ("ENCRYPT", "ENCRYPT"), ("TAG", "TAG")):
        start = client.start(op=GCM_OPS[op], keylen=0)
        by_op[name] = client.poll_done() - start
    client.begin(bytes(12))
    start = client.cycle
    client.crypt_streaming(bytes(16 * STREAM_BLOCKS))
    per_block = (client.cycle - start) / STREAM_BLOCKS
    return {"cycles_by_op": by_op, "sustained_cycles_per_block": round(per_block, 2),
            "cycles_per_byte": round(per_block / 16, 3)}


def build_report(synth_dir: Path | None, backend: str = "pysim") -> dict:
    """The report; synthesis runs (both cores in parallel) unless `synth_dir` is None."""
    report = {"aes": measure_aes(backend), "sha256": measure_sha256(backend),
              "gcm": measure_gcm(backend), "simulator": backend, "references": REFERENCES}
    if synth_dir is not None:
        from .synth import synthesize
        from .verilog import module_name, write_verilog

        def run(core):
            workdir = synth_dir / core
            return synthesize(write_verilog(core, workdir), module_name(core), workdir)
        with ThreadPoolExecutor(max_workers=len(CORES)) as pool:
            for core, result in zip(CORES, pool.map(run, CORES)):
                report[core].update(result.as_dict())
    return report


def format_report(report: dict) -> str:
    aes, sha = report["aes"], report["sha256"]
    lines = ["cycles per block, measured in simulation through the bus: single (START written "
             "to DONE read) and sustained (streamed, two blocks in flight):"]
    for bits, cycles in aes["cycles_per_block"].items():
        lines.append(f"  AES-{bits:<4} {cycles:3d}  sustained {aes['sustained_cycles_per_block'][bits]:5.1f}"
                     f"   (first block after a key change: {aes['first_block_with_key_expansion'][bits]})")
    lines.append(f"  SHA-256  {sha['cycles_per_block']:3d}  sustained {sha['sustained_cycles_per_block']:5.1f}")
    gcm = report["gcm"]
    ops = ", ".join(f"{op} {cycles}" for op, cycles in gcm["cycles_by_op"].items())
    lines.append(f"  AES-128-GCM: {ops}; streamed {gcm['sustained_cycles_per_block']} cycles/block "
                 f"({gcm['cycles_per_byte']} cycles/byte, bus traffic included)")
    if "luts" in aes:
        lines.append(f"place and route on {aes['device']}:")
        lines.append(f"  {'core':8} {'LUT4':>6} {'FF':>6} {'RAM4K':>6} {'LCs':>11} "
                     f"{'Fmax MHz (core only)':>21} {'Fmax MHz (with I/O)':>20}")
        for core in CORES:
            r = report[core]
            lines.append(f"  {core:8} {r['luts']:6d} {r['flip_flops']:6d} {r['ram_blocks']:6d} "
                         f"{r['logic_cells']:5d}/{r['logic_cells_available']:<5d} "
                         f"{r['fmax_mhz']:21.2f} {r['fmax_mhz_io']:20.2f}")
    lines.append("published: secworks/aes 46 cycles/block (~3k LUTs), secworks/sha256 66 "
                 "(~2k LUTs), OpenTitan AES 12/14/16, OpenTitan HMAC 80")
    return "\n".join(lines)
