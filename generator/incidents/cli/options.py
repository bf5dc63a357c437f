"""Option bundles shared by the commands (as decorators), and the one place fatal errors become exit 2."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from incidents.errors import IncidentsError


def root_option(fn):
    return click.option(
        "--root",
        "root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The folder that holds policy/ and incidents/.",
    )(fn)


def format_option(*choices: str, default: str = "text"):
    def decorate(fn):
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(fn)

    return decorate


def fatal_errors_exit_2(fn):
    """Turn the few fatal errors (unusable root...) into `Error: ...` and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except IncidentsError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(2) from None

    return wrapper


def reading_options(fn):
    """--jobs, --cache-dir, --no-cache: how records are read (never what the command prints)."""
    fn = click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Read every file again; do not use or write the cache (also: INCIDENTS_NO_CACHE=1).",
    )(fn)
    fn = click.option(
        "--cache-dir",
        "cache_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where to keep the cache of read records, outside the root (default: the user cache folder, "
        "$XDG_CACHE_HOME or ~/.cache, under incident-as-code/; also: INCIDENTS_CACHE_DIR).",
    )(fn)
    fn = click.option(
        "--jobs",
        "-j",
        "jobs",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Processes that read and check files (default: every core; 1: this process only).",
    )(fn)
    return fn


def read_root(root: Path, jobs: int | None, cache_dir: Path | None, no_cache: bool, **kwargs):
    """`validate_root` with the reading options of the command line."""
    from incidents.reading.cache import CacheSettings
    from incidents.reading.validate import validate_root

    return validate_root(root, cache=CacheSettings.from_options(cache_dir, no_cache), jobs=jobs, **kwargs)
