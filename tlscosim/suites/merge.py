"""The outcome of a suite run in parts (`--split N`): the parts' outcomes and offload
summaries put together as if the suite had run whole, the parts given in order."""

from __future__ import annotations

from collections import Counter

from .outcome import SuiteOutcome


def merge_outcomes(suite: str, parts: list[SuiteOutcome]) -> SuiteOutcome:
    """Counts and skip reasons summed, failures in the suite's order; complete if every
    part printed its summary; the exit code and the error of the first part that has one
    (a part's error named by its number)."""
    merged = SuiteOutcome(suite, complete=all(p.complete for p in parts), skip_reasons=Counter())
    for p in parts:
        merged.passed += p.passed
        merged.failed += p.failed
        merged.skipped += p.skipped
        merged.skip_reasons.update(p.skip_reasons)
        merged.failures += p.failures
    codes = [p.exit_code for p in parts]
    merged.exit_code = next((c for c in codes if c != 0), 0)
    merged.error = next((f"part {i + 1}/{len(parts)}: {p.error}" for i, p in enumerate(parts) if p.error), None)
    return merged


def merge_offload_summaries(parts: list[dict]) -> dict:
    """offload.run_with_rtl's summaries of the parts: blocks and RTL figures summed per
    accelerator (None: no part used it), verify-offload's figures summed, its first
    mismatch the earliest part's."""
    first = parts[0]
    devices = list(first["blocks"])
    merged = {"blocks": {d: _sum_or_none(p["blocks"][d] for p in parts) for d in devices},
              "rtl_fault": first["rtl_fault"], "rtl_backend": first["rtl_backend"],
              "rtl": {d: _merge_rtl_stats([p["rtl"][d] for p in parts]) for d in devices}}
    if "verify_offload" in first:
        checks = [p["verify_offload"] for p in parts]
        merged["verify_offload"] = {
            "operations": sum(c["operations"] for c in checks), "checked": sum(c["checked"] for c in checks),
            "mismatches": sum(c["mismatches"] for c in checks),
            "first_mismatch": next((c["first_mismatch"] for c in checks if c["first_mismatch"]), None),
            "unverified_devices": sorted({d for c in checks for d in c["unverified_devices"]})}
    return merged


def _sum_or_none(values) -> int | None:
    used = [v for v in values if v is not None]
    return sum(used) if used else None


def _merge_rtl_stats(stats: list[dict | None]) -> dict | None:
    used = [s for s in stats if s is not None]
    if not used:
        return None
    merged = {key: sum(s[key] for s in used) for key in ("accesses", "rtl_cycles", "rtl_cycles_simulated")}
    merged["rtl_wall_s"] = round(sum(s["rtl_wall_s"] for s in used), 6)
    merged["simulated_cycles_per_s"] = (round(merged["rtl_cycles_simulated"] / merged["rtl_wall_s"])
                                        if merged["rtl_wall_s"] else None)
    return merged
