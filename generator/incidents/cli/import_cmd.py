"""`incidents import statuspage`: bring a history from Atlassian Statuspage."""

from __future__ import annotations

import sys

import click

from incidents.cli.extras import need_extra
from incidents.cli.options import fatal_errors_exit_2, root_option

IMPACTS = ("critical", "major", "minor", "none")


@click.group("import")
def import_group() -> None:
    """Import records from another system (all or nothing; idempotent)."""


def _severity_map(values) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        impact, sep, severity = (part.strip() for part in raw.partition("="))
        if not sep or not impact or not severity:
            raise click.BadParameter(f"`{raw}` is not IMPACT=SEVERITY (e.g. critical=SEV-1)", param_hint="'--severity'")
        if impact not in IMPACTS:
            raise click.BadParameter(
                f"unknown Statuspage impact `{impact}`; use {', '.join(IMPACTS)}", param_hint="'--severity'"
            )
        if impact in out:
            raise click.BadParameter(f"`{impact}` is given twice", param_hint="'--severity'")
        out[impact] = severity
    return out


@import_group.command("statuspage")
@root_option
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="IMPACT=SEVERITY",
    help="Map a Statuspage impact (critical, major, minor, none) to a severity id, e.g. "
    "critical=SEV-1 (repeat). Unmapped impacts follow the policy's order: critical -> the first "
    "severity, major -> the second, minor -> the third, none -> the last.",
)
@click.option(
    "--default-service",
    default="general",
    show_default=True,
    metavar="ID",
    help="The service of incidents that name no component (added to services.yml when missing).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@fatal_errors_exit_2
def statuspage(root, severities, default_service, dry_run, sources) -> None:
    """Import incidents, maintenance windows and postmortems from Statuspage.

    A SOURCE is a file or an http(s) URL holding a Statuspage payload: the public
    API v2 incidents.json, incidents/unresolved.json, summary.json,
    scheduled-maintenances.json (/upcoming.json, /active.json), the older
    index.json, a bare JSON array of incidents, or the Manage API v1 list
    (https://api.statuspage.io/v1/pages/PAGE_ID/incidents; the key comes from
    STATUSPAGE_API_KEY). A status page's own URL means its incidents.json and
    scheduled-maintenances.json.

    Records go to incidents/<year>/<statuspage id>.md; new services are appended
    to policy/services.yml. Importing again writes nothing; a newer payload adds
    the updates a record lacks. Any bad payload is an error naming the source and
    the JSON path, and then nothing is written.

    \b
    Examples:
      incidents import statuspage https://status.example.com
      incidents import statuspage --severity critical=SEV-1 --severity major=SEV-2 export.json
      STATUSPAGE_API_KEY=... incidents import statuspage https://api.statuspage.io/v1/pages/abc123/incidents
    """
    need_extra("import", "import statuspage", "requests", "markdownify")
    from incidents.authoring import AuthoringError
    from incidents.authoring.checks import load
    from incidents.cli.authoring_cmd import _fail
    from incidents.importing import FetchError, MissingKey, PayloadError, import_statuspage

    severity_map = _severity_map(severities)
    try:
        root, loaded = load(root)
        result = import_statuspage(root, list(sources), severity_map, default_service, dry_run, loaded=loaded)
    except MissingKey as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except (PayloadError, FetchError) as exc:
        click.echo(f"Error: {exc}; nothing was written", err=True)
        sys.exit(1)
    except AuthoringError as exc:
        _fail(exc)
    except OSError as exc:
        click.echo(f"Error: {exc.strerror or exc}: {exc.filename or ''}; nothing was written", err=True)
        sys.exit(1)
    prefix = "would write: " if dry_run else ""
    for line in result.lines():
        click.echo(prefix + line)
    for line in result.skipped_older:
        click.echo(f"warning: {line}", err=True)
    click.echo(result.summary() + (" (dry run: nothing was written)" if dry_run else ""))
