"""`incidents ack`, `close`, `timeline`, `escalate`, `maintenance new|update`: recording what happens, as it happens."""

from __future__ import annotations

import click

from incidents.cli.authoring_cmd import _at, _guarded, _load_or_fail
from incidents.cli.options import fatal_errors_exit_2, root_option


@click.command("ack")
@click.argument("incident_id", metavar="ID")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When it was acknowledged (default now, UTC).")
@root_option
@fatal_errors_exit_2
def ack(incident_id, at_text, root):
    """Record that a responder acknowledged incident ID: set acknowledged_at.

    Refused when acknowledged_at is already set (it keeps its first value).

    \b
    Example:
      incidents ack INC-2026-0042 --at 2026-02-10T03:14:00Z
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import ack_incident

    root, loaded = _load_or_fail(load, root)
    click.echo(_guarded(ack_incident, root, loaded, incident_id, _at(at_text, loaded)))


@click.command("close")
@click.argument("incident_id", metavar="ID")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When it was closed (default now, UTC).")
@root_option
@fatal_errors_exit_2
def close(incident_id, at_text, root):
    """Close resolved incident ID: set closed_at, ending the observation after resolution.

    A severity with observe_for asks for that long between resolved_at and
    closed_at; `incidents check` reports a resolved incident not closed once
    it has passed. Refused unless the incident is resolved, when closed_at is
    already set, or when the time is before resolved_at.

    \b
    Example:
      incidents close INC-2026-0042 --at 2026-02-11T03:14:00Z
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import close_incident

    root, loaded = _load_or_fail(load, root)
    click.echo(_guarded(close_incident, root, loaded, incident_id, _at(at_text, loaded)))


@click.command("timeline")
@click.argument("incident_id", metavar="ID")
@click.option("--event", "-e", required=True, help="What happened (the scribe's entry; internal only).")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When (default now, UTC).")
@root_option
@fatal_errors_exit_2
def timeline(incident_id, event, at_text, root):
    """Append a scribe entry {at, event} to incident ID's internal timeline.

    \b
    Example:
      incidents timeline INC-2026-0042 --event "Rolled back to v41" --at 2026-02-10T03:40:00Z
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import append_timeline

    root, loaded = _load_or_fail(load, root)
    click.echo(_guarded(append_timeline, root, loaded, incident_id, event, _at(at_text, loaded)))


@click.command("escalate")
@click.argument("incident_id", metavar="ID")
@click.option("--to", "to", required=True, help="Who was pulled in (matched against the severity's escalation steps).")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When (default now, UTC).")
@root_option
@fatal_errors_exit_2
def escalate(incident_id, to, at_text, root):
    """Append an escalation {at, to} to incident ID.

    `incidents check` compares the escalations with the severity's `escalation`
    steps: an entry whose `to` names a step's `to` satisfies it.

    \b
    Example:
      incidents escalate INC-2026-0042 --to "VP Engineering"
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import append_escalation

    root, loaded = _load_or_fail(load, root)
    click.echo(_guarded(append_escalation, root, loaded, incident_id, to, _at(at_text, loaded)))


@click.group("maintenance")
def maintenance():
    """Announce and update maintenance windows (type: maintenance records)."""


@maintenance.command("new")
@click.option("--title", "-t", required=True, help="The public title.")
@click.option("--service", "services", multiple=True, required=True, help="An affected service id (repeat).")
@click.option("--start", "start_text", required=True, metavar="TIMESTAMP", help="scheduled_start.")
@click.option("--end", "end_text", required=True, metavar="TIMESTAMP", help="scheduled_end.")
@click.option("--message", "-m", help="A first public update (status scheduled), posted now.")
@click.option("--id", "maintenance_id", help="The id (default: the next free MNT-<year>-<NNNN>).")
@root_option
@fatal_errors_exit_2
def maintenance_new(title, services, start_text, end_text, message, maintenance_id, root):
    """Write incidents/<year>/<id>.md for a scheduled maintenance window and print its path.

    \b
    Example:
      incidents maintenance new -t "Database upgrade" --service api \\
          --start 2026-03-01T22:00:00Z --end 2026-03-01T23:00:00Z -m "The API may be slow."
    """
    from incidents.authoring.checks import load
    from incidents.authoring.maintenance import NewMaintenance, create_maintenance

    root, loaded = _load_or_fail(load, root)
    req = NewMaintenance(
        title=title,
        services=tuple(dict.fromkeys(services)),
        start=_at(start_text, loaded, "--start"),
        end=_at(end_text, loaded, "--end"),
        at=_at(None, loaded),
        message=message,
        maintenance_id=maintenance_id,
    )
    click.echo(_guarded(create_maintenance, root, loaded, req))


@maintenance.command("update")
@click.argument("maintenance_id", metavar="ID")
@click.option(
    "--status",
    required=True,
    type=click.Choice(["scheduled", "in_progress", "completed"]),
    help="The window's new status.",
)
@click.option("--message", "-m", required=True, help="The public update's text.")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When (default now, UTC).")
@root_option
@fatal_errors_exit_2
def maintenance_update(maintenance_id, status, message, at_text, root):
    """Set maintenance window ID's status and append a public update.

    \b
    Example:
      incidents maintenance update MNT-2026-0001 --status in_progress -m "Started."
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import update_maintenance

    root, loaded = _load_or_fail(load, root)
    click.echo(_guarded(update_maintenance, root, loaded, maintenance_id, status, message, _at(at_text, loaded)))
