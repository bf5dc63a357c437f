"""`incidents ingest alertmanager|grafana|pagerduty|generic [FILE|-]` and `incidents ingest serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incidents.cli.authoring_cmd import _at, _fail, _load_or_fail
from incidents.cli.options import fatal_errors_exit_2, root_option

SOURCE_HELP = {
    "alertmanager": "Prometheus Alertmanager's webhook (version 4).",
    "grafana": "Grafana Alerting's webhook contact point.",
    "pagerduty": "PagerDuty's V3 webhook (incident.triggered, incident.acknowledged, incident.resolved).",
    "generic": 'A generic alert: {"id", "title", "status": "firing"|"resolved", "at", "severity"?, "service"?}.',
}


@click.group("ingest")
def ingest_group() -> None:
    """Turn an alert into an internal incident (or timeline entries of the open one).

    The mapping (match, service, severity, grouping) is policy/ingest.yml. Nothing
    an alert says reaches the public site: the incident is `visibility: internal`
    until a person runs `incidents update`. An incident is never resolved by an alert.
    """


def _read_input(file: str) -> bytes:
    from incidents.ingest.payloads import MAX_BODY

    stream = sys.stdin.buffer if file == "-" else None
    try:
        if stream is None:
            with open(file, "rb") as fh:
                data = fh.read(MAX_BODY + 1)
        else:
            data = stream.read(MAX_BODY + 1)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="'FILE'") from None
    return data


def _source_command(system: str):
    @click.command(system, help=f"{SOURCE_HELP[system]}\n\nReads the payload from FILE (default `-`: standard input).")
    @click.argument("file", default="-", metavar="[FILE|-]")
    @click.option("--at", "at_text", metavar="TIMESTAMP", help="When it was received: detected_at (default now, UTC).")
    @click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
    @root_option
    @fatal_errors_exit_2
    def command(file, at_text, dry_run, root):
        from incidents.authoring import AuthoringError
        from incidents.authoring.checks import load
        from incidents.ingest import IngestError
        from incidents.ingest.apply import ingest

        data = _read_input(file)
        root, loaded = _load_or_fail(load, root)
        try:
            result = ingest(root, system, data, _at(at_text, loaded), dry_run=dry_run)
        except (IngestError, AuthoringError) as exc:
            _fail(exc)
        for outcome in result.outcomes:
            click.echo(("(dry run) " if dry_run else "") + outcome.line())

    return command


for _system in SOURCE_HELP:
    ingest_group.add_command(_source_command(_system))


@ingest_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=9095, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--repo",
    "repo",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The git checkout the records are written, committed and pushed in.",
)
@click.option("--no-push", is_flag=True, help="Commit only (for a checkout without a remote, or a test).")
def serve(host, port, repo, no_push):
    """Receive webhooks over HTTP and commit each record in a git checkout.

    One path per source: /alertmanager, /grafana, /pagerduty, /generic. Every
    request must carry `Authorization: Bearer $INCIDENTS_INGEST_TOKEN` or
    `X-Incidents-Signature: sha256=<HMAC-SHA256 of the body with
    $INCIDENTS_INGEST_HMAC_SECRET>`; without either variable it refuses to start.
    Bodies over 1 MB get 413. A 2xx answer means the record is committed (and
    pushed, rebasing and retrying when the push is rejected).

    \b
    Example:
      INCIDENTS_INGEST_TOKEN=... incidents ingest serve --repo /srv/status-repo
    """
    from incidents.ingest import IngestError
    from incidents.ingest.server import run_server

    try:
        run_server(repo, host, port, push=not no_push)
    except IngestError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2)


@click.command("probe")
@click.option("--at", "at_text", metavar="TIMESTAMP", help="The time of the checks (default now, UTC).")
@root_option
@fatal_errors_exit_2
def probe(at_text, root):
    """Check every service that has a `probe:` in policy/services.yml, once.

    Appends one line per check to probes/<service>/<YYYY-MM>.csv (at,ok,status,ms,error);
    after the probe's `fail_after` consecutive failures opens an internal incident
    (detected at the first failed check); when it passes again, adds a timeline entry.
    Exit 0 whatever the probes found (a failing service is data, not an error).

    \b
    Example:
      incidents probe --root .
    """
    from incidents.authoring import AuthoringError
    from incidents.authoring.checks import load
    from incidents.probe.run import probe_all

    root, loaded = _load_or_fail(load, root)
    try:
        outcomes = probe_all(root, _at(at_text, loaded))
    except AuthoringError as exc:
        _fail(exc)
    if not outcomes:
        click.echo("no service has a `probe:` in policy/services.yml")
    for outcome in outcomes:
        click.echo(outcome.line())


__all__ = ["ingest_group", "probe"]
