"""The PNG chart of `tlscosim handshake --plot`: simulated milliseconds per phase, one
bar group per TLS version, offload on beside off, each bar split by kind of work."""

from __future__ import annotations

from pathlib import Path

from .categories import CATEGORIES, LABELS

PHASE_ORDER = ("full_handshake", "resumed_handshake", "http", "close")


def write_plot(runs: list[dict], path: str | Path, clock_hz: int) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = [(f"TLS {r['tls']}\n{phase.replace('_', ' ')}\naccel {r['accel']}", r["phases"][phase])
            for r in runs for phase in PHASE_ORDER if phase in r.get("phases", {})]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(bars) + 2), 5.5))
    bottoms = [0.0] * len(bars)
    colors = plt.get_cmap("tab10")
    for i, category in enumerate(CATEGORIES):
        heights = [phase["categories"].get(category, 0) * 1e3 / clock_hz for _, phase in bars]
        if not any(heights):
            continue
        ax.bar(range(len(bars)), heights, bottom=bottoms, label=LABELS[category], color=colors(i))
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    ax.set_xticks(range(len(bars)), [label for label, _ in bars], fontsize=7)
    ax.set_ylabel(f"simulated ms at {clock_hz / 1e6:g} MHz")
    ax.set_title("TLS client on the simulated board: cycles per phase, offload on vs off")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(str(path), format="png", dpi=100)
    plt.close(fig)
