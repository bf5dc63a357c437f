"""`incidents metrics`: MTTD/MTTA/MTTI/MTTR, target compliance and MTBF per group."""

from __future__ import annotations

import csv
import io
import json
import sys

import click

from .check_cmd import parse_instant
from .options import fatal_errors_exit_2, format_option, root_option

# Column headers of the text table, per JSON key.
HEADERS = {
    "key": "group",
    "count": "count",
    "mttd_median_min": "MTTD med",
    "mtta_median_min": "MTTA med",
    "mtti_median_min": "MTTI med",
    "mttr_median_min": "MTTR med",
    "mttr_mean_min": "MTTR mean",
    "mttr_p90_min": "MTTR p90",
    "ack_within_target_pct": "ack ok %",
    "resolve_within_target_pct": "resolve ok %",
    "detect_within_target_pct": "detect ok %",
    "mtbf_mean_min": "MTBF mean",
}


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def format_table(groups: list[dict], by: str, mttr_from: str, total: int | None) -> str:
    keys = list(HEADERS) if by == "service" else [k for k in HEADERS if k != "mtbf_mean_min"]
    rows = [[HEADERS[k] if k != "key" else by for k in keys]]
    rows += [[_cell(g[k]) for k in keys] for g in groups]
    widths = [max(len(r[i]) for r in rows) for i in range(len(keys))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    counted = f"{total} incident{'s' if total != 1 else ''}; " if total is not None else ""
    lines.append("")
    lines.append(f"{counted}times in minutes (median, mean, 90th percentile); MTTR from {mttr_from}; "
                 "`ok %` = share within the severity's target; - = nothing to measure")
    return "\n".join(lines) + "\n"


def format_csv(groups: list[dict], by: str) -> str:
    from ..metrics import GROUP_KEYS, SERVICE_GROUP_KEYS

    keys = SERVICE_GROUP_KEYS if by == "service" else GROUP_KEYS
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys)
    for g in groups:
        writer.writerow(["" if g[k] is None else g[k] for k in keys])
    return buf.getvalue()


@click.command()
@root_option
@click.option("--by", type=click.Choice(["severity", "service", "month", "quarter"]), default="severity",
              show_default=True, help="How to group incidents.")
@click.option("--since", metavar="DATE", default=None,
              help="Only incidents that started at or after this date/timestamp (inclusive).")
@click.option("--until", metavar="DATE", default=None,
              help="Only incidents that started before this date/timestamp (exclusive).")
@format_option("text", "json", "csv")
@fatal_errors_exit_2
def metrics(root, by, since, until, fmt):
    """Incident figures per group: MTTD/MTTA/MTTI/MTTR, target compliance, MTBF.

    Per group: the incident count; median MTTD, MTTA, MTTI and MTTR; MTTR mean
    and 90th percentile; the share of incidents within their severity's
    acknowledge, resolve and detect targets; with --by service also the mean
    time between failures. Minutes and percentages are rounded to 1 decimal;
    an interval whose end is missing is left out, never counted as zero.
    Internal incidents count; maintenance never does. The records are
    validated first: with errors, they are printed and nothing is computed
    (exit 1).

    \b
    Examples:
      incidents metrics
      incidents metrics --by month --since 2026-01-01 --until 2026-07-01
      incidents metrics --by service --format csv > mtbf.csv
    """
    lo = parse_instant(since, "--since") if since else None
    hi = parse_instant(until, "--until") if until else None

    from ..output import format_text
    from ..validate import validate_root

    report = validate_root(root)
    if not report.ok:
        errors = [f for f in report.findings if f.level == "error"]
        click.echo(format_text(errors, report.files), err=True, nl=False)
        click.echo("incidents metrics: fix these errors first; figures from broken records would mislead",
                   err=True)
        sys.exit(1)

    from ..metrics import compute, total_incidents

    repo = report.repository
    groups = compute(repo.incidents, repo.policy, by=by, since=lo, until=hi)
    if fmt == "json":
        click.echo(json.dumps({"groups": groups}, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(format_csv(groups, by), nl=False)
    else:
        click.echo(format_table(groups, by, repo.policy.mttr_from, total_incidents(groups, by)), nl=False)
