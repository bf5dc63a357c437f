"""`incidents metrics`: MTTx with sample sizes and intervals, trends, frequency, availability per group."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from incidents.cli.check_cmd import parse_instant
from incidents.cli.extras import need_extra
from incidents.cli.options import fatal_errors_exit_2, format_option, read_root, reading_options, root_option


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@click.command()
@root_option
@click.option(
    "--by",
    type=click.Choice(["severity", "service", "month", "quarter"]),
    default="severity",
    show_default=True,
    help="How to group incidents.",
)
@click.option(
    "--since",
    metavar="DATE",
    default=None,
    help="Only incidents that started at or after this date/timestamp (inclusive).",
)
@click.option(
    "--until", metavar="DATE", default=None, help="Only incidents that started before this date/timestamp (exclusive)."
)
@click.option(
    "--as-of",
    "as_of",
    metavar="TIMESTAMP",
    default=None,
    help="The end of open incidents' impact and, without --until, of the availability window "
    "(ISO 8601 with an offset, or a date for midnight UTC). Default: now.",
)
@click.option(
    "--source",
    type=click.Choice(["all", "own", "imported"]),
    default="all",
    show_default=True,
    help="Which incidents count: all, the team's own, or those imported from another system (with `source`).",
)
@format_option("text", "json", "csv")
@reading_options
@fatal_errors_exit_2
def metrics(root, by, since, until, as_of, source, fmt, jobs, cache_dir, no_cache):
    """Incident figures per group, each with its sample size and how sure it is.

    Per group: the incident count; median MTTD, MTTA, MTTI and MTTR with their
    sample sizes and 95% distribution-free intervals; means; MTTR 90th
    percentile; the share of incidents within their severity's targets. With
    --by month or quarter also the MTTR change from the group before (ratio,
    Mann-Whitney p, the smallest change these samples could show, a verdict)
    and incidents per week with an exact Poisson interval; with --by service
    the mean time between failures, availability over the window and the
    error budget used where services.yml sets `slo`. Imported incidents (with
    `source`) count for MTTR and frequency, never for MTTD, MTTA or MTTI (the
    system they came from recorded no detection or acknowledgement); each group
    says how many were left out (`mtta_excluded_imported`...); --source own or
    imported counts only those. JSON and CSV are
    unrounded; the text rounds to one decimal and writes durations as
    durations. An interval whose end is missing is left out, never counted as
    zero. Internal incidents count; maintenance never does. The records are
    validated first: with errors, they are printed and nothing is computed
    (exit 1). --since not before --until is exit 2.

    \b
    Examples:
      incidents metrics --by quarter
      incidents metrics --by month --since 2026-01-01 --until 2026-07-01
      incidents metrics --by service --as-of 2026-07-01 --format csv > availability.csv
      incidents metrics --source own --by quarter
    """
    need_extra("metrics", "metrics", "pandas", "scipy")
    lo = parse_instant(since, "--since") if since else None
    hi = parse_instant(until, "--until") if until else None
    instant = parse_instant(as_of, "--as-of") if as_of else datetime.now(UTC)
    if lo is not None and hi is not None and lo >= hi:
        click.echo(
            f"Error: --since {since} is not before --until {until}: the range is empty "
            "(--since is inclusive, --until exclusive)",
            err=True,
        )
        raise click.exceptions.Exit(2)

    from incidents.findings_output import format_text as format_findings

    report = read_root(root, jobs, cache_dir, no_cache, records=())  # the rows, not the records
    if not report.ok:
        errors = [f for f in report.findings if f.level == "error"]
        click.echo(format_findings(errors, report.files), err=True, nl=False)
        click.echo("incidents metrics: fix these errors first; figures from broken records would mislead", err=True)
        sys.exit(1)

    _print(report, by, lo, hi, instant, source, fmt, since, until)


def _print(report, by, lo, hi, instant, source, fmt, since, until) -> None:
    from incidents.cli.metrics_format import format_csv, format_json, format_text
    from incidents.metrics.figures import availability_window, compute, frame_from_rows, select_source, total_incidents
    from incidents.text import terminal_text

    repo = report.repository
    frame = frame_from_rows(report.rows)
    groups = compute(frame, repo.policy, by=by, since=lo, until=hi, as_of=instant, source=source)
    if fmt == "json":
        click.echo(format_json(groups))
        return
    if fmt == "csv":
        click.echo(format_csv(groups, by), nl=False)
        return
    window = availability_window(select_source(frame, source), lo, hi, instant)
    span = (
        f"from {_utc(datetime.fromtimestamp(window[0], UTC))} to {_utc(datetime.fromtimestamp(window[1], UTC))}"
        if window
        else None
    )
    total = total_incidents(groups, by)
    # ids from records never reach the terminal raw (escape sequences shown, not run)
    click.echo(terminal_text(format_text(groups, by, report.repository.policy.mttr_from, total, span)), nl=False)
    if not any(g["count"] for g in groups):
        where = " ".join(x for x in (f"since {since}" if since else "", f"until {until}" if until else "") if x)
        which = {"own": "team-written ", "imported": "imported "}.get(source, "")
        click.echo(f"No {which}incident started {where or 'in this repository'}: nothing to measure.")
