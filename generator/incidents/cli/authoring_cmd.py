"""`incidents new`, `incidents update`, `incidents postmortem`: writing records (more in record_cmd)."""

from __future__ import annotations

import sys
from datetime import UTC

import click

from incidents.cli.options import fatal_errors_exit_2, root_option


def _fail(exc) -> None:
    """Print the findings (as `validate` would) and the one-line reason; exit 1."""
    from incidents.findings_output import format_text

    if exc.findings:
        text = format_text(list(exc.findings), 1)
        click.echo("".join(text.splitlines(keepends=True)[:-1]), err=True, nl=False)
    click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)


def _guarded(fn, *args):
    """Run a writer; its refusals and any bug of ours become one line and exit 1, never a traceback.

    Every writer writes last (one atomic rename), so a failure before it leaves the files as they were.
    """
    from incidents.authoring import AuthoringError

    try:
        return fn(*args)
    except AuthoringError as exc:
        _fail(exc)
    except OSError as exc:
        click.echo(f"Error: {exc.strerror or exc}: {exc.filename or ''}; nothing was written", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not print a traceback at a responder
        click.echo(
            f"Error: internal error ({type(exc).__name__}: {exc}); nothing was written. "
            "Please report it with the file attached.",
            err=True,
        )
        sys.exit(1)


def _at(at_text, loaded, flag: str = "--at"):
    from datetime import datetime

    from incidents.authoring.checks import parse_at
    from incidents.records.timestamps import TimestampError

    try:
        return parse_at(at_text, loaded, datetime.now(UTC))
    except TimestampError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{flag}'") from None


def _optional_at(text, loaded, flag: str):
    """A timestamp flag that may be left out (None), parsed like --at."""
    return None if text is None else _at(text, loaded, flag)


def _pairs(values, flag: str, what: str) -> dict:
    out: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise click.BadParameter(f"`{raw}` is not {what}", param_hint=f"'{flag}'")
        if key in out:
            raise click.BadParameter(f"`{key}` is given twice", param_hint=f"'{flag}'")
        out[key] = value
    return out


IMPACT_HELP = (
    "degraded_performance, partial_outage or major_outage (default degraded_performance); "
    "or SERVICE=IMPACT, repeated, for a per-service map."
)


@click.command("new")
@click.option("--severity", "-s", required=True, help="A severity id from policy/policy.yml, e.g. SEV-2.")
@click.option("--title", "-t", required=True, help="The public title.")
@click.option("--service", "services", multiple=True, required=True, help="An affected service id (repeat).")
@click.option("--impact", "impacts", multiple=True, help=IMPACT_HELP)
@click.option(
    "--role", "roles", multiple=True, metavar="ROLE=HANDLE", help="Fill a role, e.g. commander=alice (repeat)."
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeat); tags can require roles (roles_for_tags).")
@click.option(
    "--internal", is_flag=True, help="visibility: internal: counted in metrics, never shown on the public pages."
)
@click.option("--message", "-m", help="The first public update (default: a sensible 'We are investigating ...').")
@click.option(
    "--at",
    "at_text",
    metavar="TIMESTAMP",
    help="When it is declared: the first update, and started_at/detected_at unless given (default now, UTC).",
)
@click.option(
    "--started-at",
    "started_text",
    metavar="TIMESTAMP",
    help="When the impact began, if earlier than --at (MTTD = detected_at - started_at).",
)
@click.option(
    "--detected-at",
    "detected_text",
    metavar="TIMESTAMP",
    help="When the alert fired or the report came in, if earlier than --at.",
)
@click.option("--id", "incident_id", help="The id (default: the next free INC-<year>-<NNNN>).")
@root_option
@fatal_errors_exit_2
def new(
    severity,
    title,
    services,
    impacts,
    roles,
    tags,
    internal,
    message,
    at_text,
    started_text,
    detected_text,
    incident_id,
    root,
):
    """Declare an incident: write incidents/<year>/<id>.md and print its path.

    Status investigating, one public update at --at; started_at and detected_at are
    --started-at and --detected-at (both default to --at), so MTTD is what really
    happened. A title with control characters is refused.
    Only a file that validates is written (a required role that is missing is
    an error naming it), and an existing file is never overwritten.

    \b
    Examples:
      incidents new -s SEV-2 -t "Checkout errors" --service payments \\
          --impact partial_outage --role commander=alice --role tech_lead=bob --role comms_lead=carol
      incidents new -s SEV-3 -t "Slow search" --service search --role commander=lena.m \\
          --at 2026-02-10T14:30:00Z -m "Search is slower than usual; we are looking into it."
    """
    from incidents.authoring.checks import load
    from incidents.authoring.new import NewIncident, create_incident

    root, loaded = _load_or_fail(load, root)
    at = _at(at_text, loaded)
    impact = _impact(impacts)
    req = NewIncident(
        severity=severity,
        title=title,
        services=tuple(dict.fromkeys(services)),
        at=at,
        impact=impact,
        roles=_pairs(roles, "--role", "ROLE=HANDLE"),
        message=message,
        incident_id=incident_id,
        tags=tuple(tags),
        visibility="internal" if internal else "public",
        started_at=_optional_at(started_text, loaded, "--started-at"),
        detected_at=_optional_at(detected_text, loaded, "--detected-at"),
    )
    rel = _guarded(create_incident, root, loaded, req)
    click.echo(rel)


def _impact(impacts: tuple[str, ...]) -> str | dict[str, str]:
    """`--impact` given once as a level (the worst impact), or as SERVICE=IMPACT pairs."""
    from incidents.records.model import IMPACTS

    if not impacts:
        return "degraded_performance"
    levels: str | dict[str, str]
    if len(impacts) == 1 and "=" not in impacts[0]:
        levels = impacts[0]
        written = [levels]
    else:
        levels = _pairs(impacts, "--impact", "SERVICE=IMPACT")
        written = list(levels.values())
    for level in written:
        if level not in IMPACTS:
            raise click.BadParameter(f"`{level}` is not one of {', '.join(IMPACTS)}", param_hint="'--impact'")
    return levels


def _load_or_fail(load, root):
    from incidents.authoring import AuthoringError

    try:
        return load(root)
    except AuthoringError as exc:
        _fail(exc)


@click.command("update")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--status",
    required=True,
    type=click.Choice(["investigating", "identified", "monitoring", "resolved"]),
    help="The incident's new status.",
)
@click.option("--message", "-m", required=True, help="The public update's text.")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="When (default now, UTC).")
@click.option(
    "--acknowledged-at",
    "ack_text",
    metavar="TIMESTAMP",
    help="When a responder really acknowledged (e.g. in the pager), if acknowledged_at is still empty.",
)
@click.option(
    "--identified-at",
    "identified_text",
    metavar="TIMESTAMP",
    help="When the cause was really identified, if identified_at is still empty.",
)
@click.option(
    "--mitigated-at",
    "mitigated_text",
    metavar="TIMESTAMP",
    help="When user impact really stopped, if mitigated_at is still empty.",
)
@root_option
@fatal_errors_exit_2
def update(incident_id, status, message, at_text, ack_text, identified_text, mitigated_text, root):
    """Append a public update to incident ID and set its status.

    Fills the lifecycle timestamp that is still empty (acknowledged_at on
    leaving investigating, identified_at, mitigated_at for monitoring,
    resolved_at) at --at, unless a flag gives the real time. A timestamp that
    is already set keeps its first value (a flag for it is refused). The status
    may go back (monitoring -> investigating); a resolved incident is not
    reopened. Two commands on one file never lose an edit: the second waits
    for the first (a lock beside the file). Every other byte of the file is kept: comments, quoting,
    key order, flow lists, CRLF, the body. A result that would not validate is
    refused with the findings, and the file is left untouched.

    \b
    Examples:
      incidents update INC-2026-0042 --status identified -m "A bad deploy; rolling back."
      incidents update INC-2026-0042 --status resolved -m "Fixed." --at 2026-02-10T16:05:00Z
    """
    from incidents.authoring.checks import load
    from incidents.authoring.record_edit import update_incident

    root, loaded = _load_or_fail(load, root)
    at = _at(at_text, loaded)
    times = {
        key: _optional_at(text, loaded, "--" + key.replace("_", "-"))
        for key, text in (
            ("acknowledged_at", ack_text),
            ("identified_at", identified_text),
            ("mitigated_at", mitigated_text),
        )
    }
    times = {k: v for k, v in times.items() if v is not None}
    rel = _guarded(update_incident, root, loaded, incident_id, status, message, at, times)
    click.echo(rel)


@click.command("postmortem")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="HANDLE",
    help="An author (repeat; default: the handle of the policy's postmortem.author_role).",
)
@root_option
@fatal_errors_exit_2
def postmortem(incident_id, authors, root):
    """Write a draft postmortem beside incident ID (<id>.postmortem.md) and print its path.

    The draft has the policy's required sections as headings, each with a
    placeholder, and an action-item template; it refuses if a postmortem exists.

    \b
    Example:
      incidents postmortem INC-2026-0042 --author alice --author bob
    """
    from incidents.authoring.checks import load
    from incidents.authoring.postmortem import create_postmortem

    root, loaded = _load_or_fail(load, root)
    rel = _guarded(create_postmortem, root, loaded, incident_id, list(dict.fromkeys(authors)))
    click.echo(rel)
