"""The `incidents` command: a thin click layer over the domain modules.

Each command group lives in its own module and imports its heavy
dependencies (pandas, MkDocs, ruamel.yaml) inside the command, so that
`incidents validate` - the pull-request gate - starts fast.

May import every layer below it. Nothing imports the CLI but the console script and
`python -m incidents`.
"""

from __future__ import annotations

import sys

import click

from incidents import __version__
from incidents.cli.authoring_cmd import new, postmortem, update
from incidents.cli.check_cmd import check
from incidents.cli.export_cmd import export
from incidents.cli.import_cmd import import_group
from incidents.cli.ingest_cmd import ingest_group, probe
from incidents.cli.init_cmd import init
from incidents.cli.merge_cmd import merge_file
from incidents.cli.metrics_cmd import metrics
from incidents.cli.notify_cmd import notify
from incidents.cli.record_cmd import ack, close, escalate, maintenance, timeline
from incidents.cli.validate_cmd import schema, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="incidents")
def cli() -> None:
    """Incidents, postmortems and maintenance windows as code.

    Records live in incidents/ as Markdown files with YAML front matter; the
    severity policy and the service catalogue live in policy/. Every command
    takes --root DIR (default: the current folder).

    Exit status: 0 success, 1 the records or the policy have errors (or a gate
    failed), 2 the command could not run as asked.
    """


cli.add_command(validate)
cli.add_command(schema)
cli.add_command(new)
cli.add_command(update)
cli.add_command(postmortem)
cli.add_command(ack)
cli.add_command(close)
cli.add_command(timeline)
cli.add_command(escalate)
cli.add_command(maintenance)
cli.add_command(check)
cli.add_command(metrics)
cli.add_command(export)
cli.add_command(import_group)
cli.add_command(init)
cli.add_command(merge_file)
cli.add_command(notify)
cli.add_command(ingest_group)
cli.add_command(probe)


def main() -> None:
    from incidents.reading.gcpause import for_a_command

    for_a_command()  # a short run: no cyclic collection over the records it builds (gcpause.py)
    try:
        cli.main(prog_name="incidents", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
