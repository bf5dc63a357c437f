"""Option bundles shared by the commands (as decorators), and the one place fatal errors become exit 2."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from ..errors import IncidentsError


def root_option(fn):
    return click.option(
        "--root", "root", type=click.Path(file_okay=False, path_type=Path), default=".",
        show_default=True, help="The folder that holds policy/ and incidents/.",
    )(fn)


def format_option(*choices: str, default: str = "text"):
    def decorate(fn):
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
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
