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
    "--url",
    "site_url",
    metavar="URL",
    help="The public status site's address, written as `site_url` in mkdocs.yml: feeds, the API and "
    "notifications need absolute links (e.g. https://status.example.com/).",
)
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
def init(directory: Path, name: str | None, site_url: str | None, scheme: str, sources: tuple[str, ...]) -> None:
    """Set up an incidents repository in DIR (default: here): policy, site, workflows, editor.

    Writes the files a team needs, from an empty (or existing) git repository to one where
    `incidents validate`, `incidents check`, `mkdocs build --strict` and
    `mkdocs build --strict -f mkdocs.internal.yml` pass: a commented policy (by --scheme),
    services, notification channels (all commented out), both MkDocs configs, the GitHub
    workflows (they act on the default branch, whatever its name, and install the version of
    incident-as-code that runs init), a local pre-commit hook, the merge driver (git's own line
    merge when `incidents` is missing) and editor settings. It never overwrites a file and never
    writes through a symlink that leads out of DIR: existing files are listed and left alone, and
    running it again changes nothing. Exit 1 when what exists keeps the repository from working
    or a file was refused.

    \b
    Examples:
      incidents init --url https://status.example.com/
      incidents init status --name "Example Status" --scheme p
      incidents init --from-statuspage https://status.example.com
    """
    from incidents.scaffold import InitError, apply

    try:
        result = apply(directory, name, scheme, site_url)
    except InitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    _report(result)
    status = 0
    if sources:
        click.echo("importing the Statuspage history:")
        status = _import_statuspage(result.root, sources)
        if status == 0:
            from incidents.scaffold import SCHEMA_FILE, problems, refresh_schema

            if SCHEMA_FILE in result.written:  # ours, from this run: it must know the services the import added
                refresh_schema(result.root)
            result.problems = problems(result.root)
    if result.refused:
        click.echo("", err=True)
        click.echo("Not written (init never writes through a symlink that leads out of the folder):", err=True)
        for line in result.refused:
            click.echo(f"  {line}", err=True)
    if result.problems:
        click.echo("", err=True)
        click.echo("The repository is not complete yet:", err=True)
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
    if result.refused or result.problems:
        sys.exit(1)
    if status:
        sys.exit(status)
    _next(result, directory)


def _report(result) -> None:
    for line in result.git:
        click.echo(f"ran    {line}")
    for rel in result.written:
        click.echo(f"wrote  {rel}")
    for rel in result.kept:
        click.echo(f"kept   {rel} (exists; left alone)")
    if result.pin is not None and ".github/workflows/incidents.yml" in result.written:
        click.echo(f"pinned incident-as-code{result.pin.tail} in the workflows (installed from {result.pin.source})")
        if result.pin.note:
            click.echo(f"note:  {result.pin.note}")
    for note in result.notes:
        click.echo(f"note:  {note}")


def _next(result, directory: Path) -> None:
    where = "" if result.root == Path.cwd().resolve() else f"cd {directory} && "
    if not result.written and not result.git:
        click.echo("Nothing to do: every file is already there.")
    click.echo("")
    click.echo("Next:")
    if "mkdocs.yml" in result.written and not result.site_url:
        click.echo("  set site_url in mkdocs.yml (or run init with --url next time): feeds, the API")
        click.echo("  and notifications need absolute links, e.g. site_url: https://status.example.com/")
    click.echo(f"  {where}incidents validate && incidents check        # the gate, as CI runs it")
    click.echo("  mkdocs build --strict                            # the public status site -> site/")
    click.echo("  mkdocs build --strict -f mkdocs.internal.yml     # the internal site -> site-internal/")
    click.echo("  pre-commit install                               # validate before every commit")
    click.echo('  git add -A && git commit -m "Adopt incident-as-code"')
    branch = f" (here `{result.branch}`)" if result.branch else ""
    click.echo(f"The workflows build, deploy and notify from the repository's default branch{branch}.")
    click.echo("Then edit policy/services.yml (your services) and policy/policy.yml (your targets),")
    click.echo("publish with GitHub Pages (Settings > Pages > Source: GitHub Actions), and declare")
    click.echo("incidents with `incidents new` (see incidents/README.md).")
