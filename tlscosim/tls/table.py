"""The text table `tlscosim handshake` prints: per configuration and phase the cycles and
simulated milliseconds, the handshake states, offload on vs off with the saving, blocks
offloaded, footprint, peak heap/stack, wall time."""

from __future__ import annotations

from .categories import CATEGORIES, LABELS
from .plot import PHASE_ORDER


def _ms(cycles, hz):
    return "-" if cycles is None else f"{cycles * 1e3 / hz:,.1f}"


def _c(cycles):
    return "-" if cycles is None else f"{cycles:,}"


def format_report(runs: list[dict], footprint: dict | None, clock_hz: int) -> str:
    out = []
    head = f"{'configuration':<26}{'phase':<34}{'cycles':>15}{'sim ms':>10}"
    out.append(head)
    out.append("-" * len(head))
    for r in runs:
        name = f"TLS {r['tls']} accel {r['accel']}" + ("" if r["ok"] else " FAILED")
        out.append(f"{name:<26}{'handshake (DWT)':<34}{_c(r['handshake_cycles']):>15}{_ms(r['handshake_cycles'], clock_hz):>10}")
        for s in r["states"]:
            label = "  " + s["state"].lower()
            out.append(f"{'':<26}{label:<34}{_c(s['cycles']):>15}{_ms(s['cycles'], clock_hz):>10}"
                       + (f"   + wait {_c(s['wait_cycles'])}" if s["wait_cycles"] else ""))
        out.append(f"{'':<26}{'resumed (DWT)':<34}{_c(r['resumed_handshake_cycles']):>15}"
                   f"{_ms(r['resumed_handshake_cycles'], clock_hz):>10}")
        for phase in PHASE_ORDER:
            p = r["phases"].get(phase)
            if p:
                out.append(f"{'':<26}{phase.replace('_', ' ') + ' (prof)':<34}{_c(p['cycles']):>15}"
                           f"{_ms(p['cycles'], clock_hz):>10}")
        out.append(f"{'':<26}blocks offloaded: handshake aes {r['aes_blocks_hw']}, sha256 {r['sha256_blocks_hw']}, "
                   f"gcm {r.get('gcm_blocks_hw', 0)}; HTTP aes {r['http_aes_blocks_hw']}, "
                   f"sha256 {r['http_sha256_blocks_hw']}, gcm {r.get('http_gcm_blocks_hw', 0)}")
        out.append(f"{'':<26}peak heap {_c(r['heap_peak'])} B, peak stack {_c(r['stack_peak'])} B, "
                   f"wall {r['wall_s']:.1f} s")
    out.append("")
    out.append("kinds of work in the full handshake (profiler, cycles):")
    names = [f"{r['tls']}/{r['accel']}" for r in runs]
    out.append(f"{'category':<44}" + "".join(f"{n:>14}" for n in names))
    for cat in CATEGORIES:
        row = [r["phases"].get("full_handshake", {}).get("categories", {}).get(cat) for r in runs]
        out.append(f"{LABELS[cat]:<44}" + "".join(f"{_c(v):>14}" for v in row))
    out.append("")
    for tls in dict.fromkeys(r["tls"] for r in runs):
        on = next((r for r in runs if r["tls"] == tls and r["accel"] == "on"), None)
        off = next((r for r in runs if r["tls"] == tls and r["accel"] == "off"), None)
        if on and off:
            # Handshakes compare the firmware's work: its waits for the peer depend on how
            # fast the host answers (a loaded machine stretches them), not on the offload.
            for key, label, what in (("handshake_work_cycles", "full handshake", " of work"),
                                     ("resumed_handshake_work_cycles", "resumed handshake", " of work"),
                                     ("http_cycles", "HTTP exchange", "")):
                a, b = on.get(key), off.get(key)
                if a and b:
                    out.append(f"TLS {tls} {label}: offload saves {b - a:,} cycles{what} "
                               f"({_ms(b - a, clock_hz)} ms, {100 * (b - a) / b:.2f} %)")
    if footprint:
        out.append("")
        out.append(f"{'footprint (tls_client)':<24}{'flash B':>10}{'RAM B':>10}")
        for name, v in footprint["components"].items():
            out.append(f"{name:<24}{v['flash']:>10,}{v['ram']:>10,}")
        out.append(f"{'total':<24}{footprint['total']['flash']:>10,}{footprint['total']['ram']:>10,}")
    return "\n".join(out)
