"""`incidents validate` and `incidents schema`."""

from __future__ import annotations

import json
import sys

import click

from incidents.cli.options import fatal_errors_exit_2, format_option, read_root, reading_options, root_option
from incidents.findings_output import format_github, format_json, format_text, summary_line


def emit_findings(findings: list, files: int, fmt: str, *, strict: bool = False, extra: dict | None = None) -> int:
    """Print findings in `fmt`; return the exit status (1 when any error remains)."""
    if strict:
        findings = [f.as_error() for f in findings]
    if fmt == "json":
        click.echo(format_json(findings, files, extra), nl=False)
    elif fmt == "github":
        click.echo(format_github(findings), nl=False)
        click.echo(summary_line(findings, files), err=True)
    else:
        click.echo(format_text(findings, files), nl=False)
    return 1 if any(f.level == "error" for f in findings) else 0


@click.command()
@root_option
@format_option("text", "json", "github")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reading_options
@fatal_errors_exit_2
def validate(root, fmt, strict, jobs, cache_dir, no_cache):
    """Check every file under incidents/ and policy/ against the format and the policy.

    Reports every finding at once as PATH:LINE:COL: LEVEL CODE message, then a
    summary line. Exit 0 when there are no errors, 1 when there are.

    \b
    Examples:
      incidents validate
      incidents validate --root ../status --format github
      incidents validate --strict --format json
      incidents validate --jobs 1 --no-cache
    """
    report = read_root(root, jobs, cache_dir, no_cache, records=())
    sys.exit(emit_findings(list(report.findings), report.files, fmt, strict=strict))


@click.command()
@root_option
@click.option(
    "--kind",
    type=click.Choice(["incident", "postmortem", "maintenance", "record"]),
    default="incident",
    show_default=True,
    help="Which front matter to describe; `record`: any of the three, by its `type` "
    "(what an editor associates with every file under incidents/).",
)
@fatal_errors_exit_2
def schema(root, kind):
    """Print a JSON Schema (draft 2020-12) of the front matter under the current policy.

    The policy's severities, roles, services and priorities become enums, so an
    editor with yaml-language-server completes and checks them as you type.

    \b
    Example:
      incidents schema > .vscode/incident.schema.json
    """
    from incidents.policy.policy_file import load_policy
    from incidents.policy.schema import front_matter_schema
    from incidents.reading.discovery import check_root

    loaded = load_policy(check_root(root))
    for finding in loaded.findings:
        if finding.level == "error":
            click.echo(
                f"warning: {finding.path}:{finding.line}: {finding.message} "
                "(the schema uses what the policy defines correctly)",
                err=True,
            )
    click.echo(json.dumps(front_matter_schema(loaded.policy, kind), indent=2, ensure_ascii=False))
