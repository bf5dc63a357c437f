"""`incidents export`: tidy tables of the records for DuckDB, a warehouse or Spark."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incidents.cli.extras import need_extra
from incidents.cli.options import fatal_errors_exit_2, read_root, reading_options, root_option


@click.command()
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv", "jsonl"]),
    default="parquet",
    show_default=True,
    help="File format of the tables.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Folder to write incidents.EXT, updates.EXT and action_items.EXT into (created if needed). "
    "Without it, csv and jsonl print the incidents table.",
)
@click.option(
    "--repository",
    "repository",
    metavar="NAME",
    default=None,
    help="The repository column's value (default: the name of the root folder).",
)
@reading_options
@fatal_errors_exit_2
def export(root, fmt, out, repository, jobs, cache_dir, no_cache):
    """Write the records as tidy tables: incidents, updates, action items.

    One row per incident with what `incidents metrics` computes from: id,
    title, status, severity and its rank in the policy (1 = most severe),
    services, worst impact and impact per service, visibility, tags, every
    lifecycle timestamp in UTC, MTTD/MTTA/MTTI/MTTR in minutes, the severity's
    targets in minutes, the postmortem's status, the file and the repository's
    name; one row per public update; one row per postmortem action item.
    Internal incidents are included (an export is internal data); maintenance
    is not. Stack many repositories' exports in DuckDB, a warehouse or Spark
    to see the whole organisation. The records are validated first: with
    errors, they are printed and nothing is written (exit 1).

    \b
    Examples:
      incidents export --out exports/payments
      incidents export --format csv --out /tmp/incidents-csv
      incidents export --format jsonl | jq -r .id
    """
    need_extra("export", "export", "pandas", "scipy", "pyarrow")
    if fmt == "parquet" and out is None:
        click.echo(
            "Error: --format parquet writes files: give --out DIR (it gets incidents.parquet, "
            "updates.parquet and action_items.parquet)",
            err=True,
        )
        raise click.exceptions.Exit(2)

    from incidents.findings_output import format_text as format_findings
    from incidents.metrics.export import SERIALIZERS, build_tables, write_tables

    report = read_root(root, jobs, cache_dir, no_cache, records=("incident", "postmortem"))
    if not report.ok:
        errors = [f for f in report.findings if f.level == "error"]
        click.echo(format_findings(errors, report.files), err=True, nl=False)
        click.echo("incidents export: fix these errors first; nothing was written", err=True)
        sys.exit(1)
    repo = report.repository
    name = repository or Path(repo.root).resolve().name
    tables = build_tables(repo.incidents, repo.postmortems, repo.policy, name)
    if out is None:
        sys.stdout.buffer.write(SERIALIZERS[fmt](tables[0]))
        sys.stdout.flush()
        return
    try:
        written = write_tables(tables, fmt, out)
    except OSError as exc:
        click.echo(f"Error: cannot write to {out}: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(2) from None
    for table, path in zip(tables, written):
        click.echo(f"{path}: {len(table.rows)} row{'s' if len(table.rows) != 1 else ''}")
