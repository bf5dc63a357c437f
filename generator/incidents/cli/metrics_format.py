"""The three outputs of `incidents metrics`: the text report, CSV and JSON.

JSON and CSV carry every figure unrounded; the text report rounds to one
decimal and writes durations as durations (`3 h 05 min`, `41 days`).
"""

from __future__ import annotations

import csv
import io
import json

from incidents.metrics import wording as words
from incidents.text import csv_text

# Column headers of the text table, per JSON key; durations are printed as durations.
HEADERS = {
    "count": "count",
    "mttd_median_min": "MTTD med",
    "mtta_median_min": "MTTA med",
    "mtta_mean_min": "MTTA mean",
    "mtti_median_min": "MTTI med",
    "mttr_median_min": "MTTR med",
    "mttr_mean_min": "MTTR mean",
    "mttr_p90_min": "MTTR p90",
    "ack_within_target_pct": "ack ok %",
    "resolve_within_target_pct": "resolve ok %",
    "detect_within_target_pct": "detect ok %",
    "mtbf_mean_min": "MTBF mean",
}


def _cell(key: str, value) -> str:
    if value is None:
        return "-"
    if key.endswith("_min"):
        return words.duration(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _intervals(groups: list[dict], by: str) -> list[str]:
    """One line per group: n, the MTTR median and its 95% interval, and (months, quarters) the verdict."""
    rows = [[by, "MTTR n", "MTTR median", "95% interval of the median", "MTTA median", "95% interval"]]
    for g in groups:
        rows.append(
            [
                str(g["key"]),
                str(g["mttr_n"]),
                words.duration(g["mttr_median_min"]),
                words.interval(g["mttr_median_ci_low_min"], g["mttr_median_ci_high_min"], words.sample(g["mttr_n"])),
                words.duration(g["mtta_median_min"]),
                words.interval(g["mtta_median_ci_low_min"], g["mtta_median_ci_high_min"], words.sample(g["mtta_n"])),
            ]
        )
    return _table(rows)


def format_text(groups: list[dict], by: str, mttr_from: str, total: int | None, window: str | None) -> str:
    keys = [k for k in HEADERS if k != "mtbf_mean_min" or by == "service"]
    lines = _table(
        [[by] + [HEADERS[k] for k in keys]] + [[str(g["key"])] + [_cell(k, g[k]) for k in keys] for g in groups]
    )
    counted = f"{total} incident{'s' if total != 1 else ''}; " if total is not None else ""
    lines += [
        "",
        f"{counted}median, mean and 90th percentile; MTTR from {mttr_from}; "
        "`ok %` = share within the severity's target; - = nothing to measure",
    ]
    imported = [g for g in groups if g["imported_count"]]
    if imported:
        lines += ["", words.IMPORTED_RULE]
        lines += [f"  {words.left_out_by_group(g)}" for g in imported]
    if groups and any(g["count"] for g in groups):
        lines += ["", "Medians with their 95% distribution-free interval (none for 5 values or fewer):", ""]
        lines += _intervals(groups, by)
    if by in ("month", "quarter") and groups:
        lines += ["", f"MTTR {by} over {by} (Mann-Whitney U, 5% level; detectable = 80% power):"]
        for g in groups:
            lines.append(
                f"  {g['key']}: {words.verdict(g) or 'first ' + by + ' with resolved incidents: nothing to compare'}"
                if g["mttr_n"]
                else f"  {g['key']}: no resolved incident"
            )
        lines += ["", "Incidents per week (exact 95% Poisson interval):"]
        lines += [
            f"  {g['key']}: {g['count']} incident{'s' if g['count'] != 1 else ''}, {words.rate(g)}" for g in groups
        ]
    if by == "service" and groups:
        lines += [
            "",
            f"Availability {window or '(no window: give --until or --as-of)'} "
            "(100% minus major outage and 0.3 x partial outage, internal incidents included):",
        ]
        for g in groups:
            if g["availability_pct"] is None:
                continue
            lines.append(
                f"  {g['key']}: {g['availability_pct']:.3f}%, downtime {words.duration(g['downtime_min'])}; "
                f"{words.budget(g)}"
            )
    return "\n".join(lines) + "\n"


def format_csv(groups: list[dict], by: str) -> str:
    """One row per group, every figure unrounded; the key column is named after the grouping."""
    from incidents.metrics.figures import group_keys

    keys = group_keys(by)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([by if k == "key" else k for k in keys])
    for g in groups:
        writer.writerow(
            ["" if g[k] is None else repr(g[k]) if isinstance(g[k], float) else csv_text(g[k]) for k in keys]
        )  # csv_text: no live spreadsheet formulas (OWASP CSV injection), no control characters
    return buf.getvalue()


def format_json(groups: list[dict]) -> str:
    return json.dumps({"groups": groups}, indent=2, ensure_ascii=False, allow_nan=False)
