"""`incidents check`: validate, plus the gates that depend on time (as of --as-of)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from incidents.cli.options import fatal_errors_exit_2, format_option, read_root, reading_options, root_option
from incidents.cli.validate_cmd import emit_findings


def parse_instant(text: str, flag: str) -> datetime:
    """A command-line instant: an ISO 8601 timestamp with an offset, or a date (midnight UTC).

    Exits 2 with one line saying what to write when the text is neither.
    """
    from incidents.records.timestamps import TimestampError, parse_date, parse_timestamp

    raw = text.strip()
    try:
        if len(raw) == 10:
            day = parse_date(raw)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        return parse_timestamp(raw)
    except TimestampError as exc:
        click.echo(f"Error: {flag}: {exc}", err=True)
        raise click.exceptions.Exit(2) from None


@click.command()
@root_option
@click.option(
    "--as-of",
    "as_of",
    metavar="TIMESTAMP",
    default=None,
    help="The instant to check against (ISO 8601 with an offset, or a date for midnight UTC). Default: now.",
)
@format_option("text", "json", "github")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reading_options
@fatal_errors_exit_2
def check(root, as_of, fmt, strict, jobs, cache_dir, no_cache):
    """Validate, then apply the gates that depend on time, as of --as-of.

    Everything `incidents validate` reports, plus: a required postmortem that is
    missing or incomplete once due (resolved_at + due_within <= as-of; a warning
    before), an open action item past its due date, an open public incident
    whose last update is older than its severity's update_every, a first update
    later than first_update_within. Same output formats and exit status as
    validate: 0 no errors, 1 errors, 2 the command could not run.

    \b
    Examples:
      incidents check
      incidents check --as-of 2026-11-23T12:00:00Z --format github
      incidents check --strict --format json
    """
    from incidents.findings import sort_findings
    from incidents.gates import check_gates

    instant = parse_instant(as_of, "--as-of") if as_of else datetime.now(UTC)
    # Not keep_sources: holding every parsed file costs validate ~25% on 10k files
    # (the GC walks them); the gates re-read only the postmortems they inspect.
    report = read_root(root, jobs, cache_dir, no_cache)
    gates = check_gates(report.repository, instant)
    findings = sort_findings(list(report.findings) + gates)
    sys.exit(emit_findings(findings, report.files, fmt, strict=strict))
