"""`incidents notify`: tell subscribers what changed between two revisions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incidents.cli.extras import need_extra
from incidents.cli.options import fatal_errors_exit_2, root_option


@click.command("notify")
@root_option
@click.option(
    "--from",
    "from_rev",
    required=True,
    metavar="REV",
    help="The revision already announced (in the deploy workflow: the last deployed one).",
)
@click.option("--to", "to_rev", default="HEAD", show_default=True, metavar="REV", help="The revision to announce.")
@click.option(
    "--config",
    "config_path",
    default="policy/notify.yml",
    show_default=True,
    metavar="FILE",
    help="The channels, relative to the root.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A JSON file recording delivered events (per channel, written after every delivery) and the last "
    "run's time: nothing is delivered twice, and maintenance windows that started or ended since are announced.",
)
@click.option("--as-of", "as_of", metavar="TIMESTAMP", help='"Now" (default: the clock); max_age counts back from it.')
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be delivered (and which channel cannot deliver, and why); send nothing, write no state.",
)
@fatal_errors_exit_2
def notify(
    root: Path, from_rev: str, to_rev: str, config_path: str, state_path: Path | None, as_of: str | None, dry_run: bool
) -> None:
    """Deliver the events between two revisions to the channels of policy/notify.yml.

    Events: incident.created, incident.updated (one per public update),
    incident.resolved, maintenance.scheduled, maintenance.updated,
    maintenance.started, maintenance.completed. Channels: webhook
    (Statuspage's webhook JSON, HMAC-signed with secret_env), slack (incoming
    webhook) and email (SMTP). Secrets come from the environment only.

    A catch-up over many commits sees each event in the commit that made it:
    one message per transition, each as things stood then. Links start with
    mkdocs.yml's site_url (without one, notify refuses to run). A history is
    never announced: events of imported records, of records before the
    policy's effective_from and older than notify.yml's max_age (default 24h)
    are listed as "not announced" and never sent.

    Exit status: 0 every event delivered; 1 an event was not delivered (each
    is named with the reason; in a dry run, a channel that cannot deliver) or
    notify.yml has errors; 2 it could not run (not a git repository, an
    unknown revision, an unusable state file, no site_url).

    \b
      incidents notify --from "$LAST_DEPLOYED" --state .notify-state/state.json
      incidents notify --from HEAD~3 --dry-run
    """
    need_extra("notify", "notify", "requests")
    from incidents.notify import run_notify
    from incidents.reading.validate import check_root
    from incidents.records.timestamps import TimestampError, parse_timestamp

    check_root(root)
    when = None
    if as_of is not None:
        try:
            when = parse_timestamp(as_of)
        except TimestampError as exc:
            raise click.BadParameter(str(exc), param_hint="'--as-of'") from None
    report = run_notify(
        root, from_rev, to_rev, config_path=config_path, state_path=state_path, as_of=when, dry_run=dry_run
    )
    for line in report.out:
        click.echo(line)
    for line in report.err:
        click.echo(line, err=True)
    sys.exit(report.exit_code)
