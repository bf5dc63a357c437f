"""`incidents init`: a working incidents repository in one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _import_statuspage(root: Path, sources: tuple[str, ...]) -> int:
    """Run `incidents import statuspage --root ROOT SOURCE...` in this process; its exit status."""
    from incidents.cli.import_cmd import import_group

    try:
        import_group.main(
            ["statuspage", "--root", str(root), *sources], prog_name="incidents import", standalone_mode=False
        )
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0


@click.command("init")
@click.argument(
    "directory", metavar="[DIR]", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--name", help="The status site's name (default: `<folder name> status`).")
@click.option(
    "--scheme",
    type=click.Choice(["sev", "p"]),
    default="sev",
    show_default=True,
    help="The severity scheme of the policy written: sev (SEV-1..SEV-4) or p (P0..P3).",
)
@click.option(
    "--from-statuspage",
    "sources",
    metavar="SOURCE",
    multiple=True,
    help="Import the history of a Statuspage page (a JSON file or URL, or the page's URL) "
    "into the new repository, as `incidents import statuspage` does. Repeatable.",
)
def init(directory: Path, name: str | None, scheme: str, sources: tuple[str, ...]) -> None:
    """Set up an incidents repository in DIR (default: here): policy, site, workflows, editor.

    Writes the files a team needs, from an empty (or existing) git repository to one where
    `incidents validate`, `incidents check`, `mkdocs build --strict` and
    `mkdocs build --strict -f mkdocs.internal.yml` pass: a commented policy (by --scheme),
    services, notification channels (all commented out), both MkDocs configs, the GitHub
    workflows (pinned to this version), pre-commit, the merge driver and editor settings. It
    never overwrites a file: existing ones are listed and left alone, and running it again
    changes nothing. Exit 1 when what exists keeps the repository from working.

    \b
    Examples:
      incidents init
      incidents init status --name "Example Status" --scheme p
      incidents init --from-statuspage https://status.example.com
    """
    from incidents.scaffold import InitError, apply

    try:
        result = apply(directory, name, scheme)
    except InitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    for line in result.git:
        click.echo(f"ran    {line}")
    for rel in result.written:
        click.echo(f"wrote  {rel}")
    for rel in result.kept:
        click.echo(f"kept   {rel} (exists; left alone)")
    status = 0
    if sources:
        click.echo("importing the Statuspage history:")
        status = _import_statuspage(result.root, sources)
        if status == 0:
            from incidents.scaffold import SCHEMA_FILE, _problems, refresh_schema

            if SCHEMA_FILE in result.written:  # ours, from this run: it must know the services the import added
                refresh_schema(result.root)
            result.problems = _problems(result.root)
    if result.problems:
        click.echo("", err=True)
        click.echo("The repository is not complete yet:", err=True)
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    if status:
        sys.exit(status)
    where = "" if result.root == Path.cwd().resolve() else f"cd {directory} && "
    if not result.written and not result.git:
        click.echo("Nothing to do: every file is already there.")
    click.echo("")
    click.echo("Next:")
    click.echo(f"  {where}incidents validate && incidents check        # the gate, as CI runs it")
    click.echo("  mkdocs build --strict                            # the public status site -> site/")
    click.echo("  mkdocs build --strict -f mkdocs.internal.yml     # the internal site -> site-internal/")
    click.echo('  git add -A && git commit -m "Adopt incident-as-code"')
    click.echo("Then edit policy/services.yml (your services) and policy/policy.yml (your targets),")
    click.echo("publish with GitHub Pages (Settings > Pages > Source: GitHub Actions), and declare")
    click.echo("incidents with `incidents new` (see incidents/README.md).")
