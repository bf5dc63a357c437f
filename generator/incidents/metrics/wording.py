"""The honest figures in words, shared by the text output of `metrics` and the metrics page.

Durations read as durations (`12.5 min`, `3 h 05 min`, `41 days`), ratios as
factors (`×2.3`), small samples and verdicts as sentences. Plain strings: the
page escapes them like any other text.
"""

from __future__ import annotations

import math

MISSING = "-"


def duration(minutes: float | None, missing: str = MISSING) -> str:
    """12.5 min; 3 h 05 min (under two days); 4.5 days; 41 days."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return missing
    if minutes < 59.95:
        return f"{minutes:.1f} min"
    if minutes < 48 * 60:
        whole = int(round(minutes))
        return f"{whole // 60} h {whole % 60:02d} min"
    days = minutes / 1440
    return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"


def interval(low: float | None, high: float | None, missing: str = MISSING) -> str:
    if low is None or high is None:
        return missing
    return f"{duration(low)} – {duration(high)}"


def factor(ratio: float | None, missing: str = MISSING) -> str:
    """×2.3, ×0.45, ×12."""
    if ratio is None:
        return missing
    if ratio >= 10:
        return f"×{ratio:.0f}"
    return f"×{ratio:.1f}" if ratio >= 1 else f"×{ratio:.2f}"


def p_value(p: float | None) -> str:
    if p is None:
        return "p unknown"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2f}" if p >= 0.1 else f"p = {p:.2g}"  # 0.41, 0.052, 0.0031: never 0.05 for 0.052


def sample(n: int, noun: str = "incident") -> str:
    """How large a sample is, and whether it can tell anything: `2 incidents: too few to tell`."""
    plural = noun if n == 1 else noun + "s"
    if n == 0:
        return f"no {noun}s"
    if n <= 5:
        return f"{n} {plural}: too few to tell"
    return f"{n} {plural}"


def verdict(group: dict) -> str | None:
    """The comparison of a month/quarter with the one before, as a sentence; None for the first."""
    trend = group.get("mttr_trend")
    if trend is None:
        return None
    ratio, p = group["mttr_change_ratio"], group["mttr_change_p"]
    detectable = group["mttr_detectable_ratio"]
    change = (
        f"median {factor(ratio)} vs {group['mttr_compared_with']}"
        if ratio is not None
        else f"vs {group['mttr_compared_with']} (its median is 0)"
    )
    if trend in ("better", "worse"):
        faster = "shorter" if trend == "better" else "longer"
        return f"{trend}: {change}, resolution {faster} ({p_value(p)})"
    if detectable is None:
        return (
            f"no detectable change ({p_value(p)}; {change}); too few durations above 0 to say "
            "how large a change could have been seen"
        )
    return (
        f"no detectable change ({p_value(p)}; {change}); only a change of {factor(detectable)} or more "
        "could have been seen with these samples"
    )


def rate(group: dict) -> str:
    """0.54 a week (0.22 – 1.11)."""
    return (
        f"{group['incidents_per_week']:.2f} a week "
        f"({group['incidents_per_week_ci_low']:.2f} – {group['incidents_per_week_ci_high']:.2f})"
    )


def budget(group: dict) -> str:
    """SLO 99.9%: 48.0% of the error budget used (52.0% left)."""
    slo, used = group.get("slo_pct"), group.get("error_budget_used_pct")
    if slo is None or used is None:
        return "no SLO set"
    left = 100.0 - used
    left_text = f"{left:.1f}% left" if left >= 0 else f"overspent by {-left:.1f}%"
    return f"SLO {slo:g}%: {used:.1f}% of the error budget used ({left_text})"


IMPORTED_RULE = (
    "Imported incidents count for MTTR and how often, never for MTTD, MTTA or MTTI (nor their targets): "
    "the system they came from recorded no detection or acknowledgement."
)


def _excluded(group: dict) -> str:
    parts = [
        f"{name} {group[f'{name.lower()}_excluded_imported']}"
        for name in ("MTTD", "MTTA", "MTTI")
        if group[f"{name.lower()}_excluded_imported"]
    ]
    return f", left out of {', '.join(parts)}" if parts else ""


def left_out_by_group(group: dict) -> str:
    """`SEV-1: 3 imported, left out of MTTD 3, MTTA 3, MTTI 2` for one group."""
    return f"{group['key']}: {group['imported_count']} imported{_excluded(group)}"


def left_out(groups: list[dict]) -> str | None:
    """For groups that hold each incident once (by severity): `4 imported incidents, left out of MTTD 4, ...`
    and why; None when no imported incident is counted."""
    total = {"key": "", "imported_count": sum(g["imported_count"] for g in groups)}
    for name in ("mttd", "mtta", "mtti"):
        total[f"{name}_excluded_imported"] = sum(g[f"{name}_excluded_imported"] for g in groups)
    if not total["imported_count"]:
        return None
    n = total["imported_count"]
    return f"{n} imported incident{'s' if n != 1 else ''}{_excluded(total)}. {IMPORTED_RULE}"
