"""`incidents merge-file BASE OURS THEIRS [--path P]`: the git merge driver for records."""

from __future__ import annotations

import sys
from pathlib import Path

import click

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("merge-file")
@click.argument("base", type=FILE)
@click.argument("ours", type=FILE)
@click.argument("theirs", type=FILE)
@click.option("--path", "rel", metavar="P", help="The file's path in the repository (git's %P), used in messages.")
def merge_file(base: Path, ours: Path, theirs: Path, rel: str | None) -> None:
    """Merge two versions of one record; the result is written into OURS.

    BASE is the common ancestor (git's %O), OURS the current branch's version
    (%A, overwritten with the result), THEIRS the other branch's (%B). Both
    sides' updates, timeline and escalations are kept in time order (an entry
    both hold once); the status follows the latest update; each lifecycle
    timestamp keeps the earliest value; any other key comes from the side that
    changed it. A key changed differently on both sides gets git-style conflict
    markers in OURS and the exit status is 1. Everything else keeps its bytes.

    Register it once per clone:

    \b
      .gitattributes:  incidents/**/*.md merge=incidents
      git config merge.incidents.driver "incidents merge-file %O %A %B --path %P"
    """
    from incidents.authoring import atomic
    from incidents.merge import merge_records, merge_text

    try:
        ours_data = ours.read_bytes()
        theirs_data = theirs.read_bytes()
        base_data = base.read_bytes() if base.exists() else b""
    except OSError as exc:
        click.echo(f"Error: cannot read {exc.filename}: {exc.strerror}", err=True)
        sys.exit(2)
    name = rel or ours.name
    try:
        result = merge_records(base_data, ours_data, theirs_data, name)
        data, conflicts = result.data, result.conflicts
    except Exception as exc:  # noqa: BLE001 - a bug of ours must never lose either side's text
        data, clean = merge_text(base_data, ours_data, theirs_data)
        conflicts = (
            []
            if clean
            else [
                f"{name}: conflicting text (merged as git merges text after an internal "
                f"error: {type(exc).__name__}: {exc})"
            ]
        )
    try:
        if data != ours_data:
            atomic.replace(ours, data)
    except OSError as exc:
        click.echo(f"Error: cannot write {ours}: {exc.strerror}", err=True)
        sys.exit(2)
    for line in conflicts:
        click.echo(line, err=True)
    sys.exit(1 if conflicts else 0)
