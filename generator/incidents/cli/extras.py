"""What a command needs beyond the core (click and PyYAML): the extra to install when it is missing.

The core is what the pull-request gate needs; `metrics`, `export`, `import`, `notify` and the site
need more. A command whose packages are missing says which extra brings them and exits 2, rather
than ending in an ImportError traceback.
"""

from __future__ import annotations

import importlib.util
import sys

import click


def missing(*modules: str) -> list[str]:
    out = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def need_extra(extra: str, command: str, *modules: str) -> None:
    """Exit 2, naming the extra to install, when any of `modules` cannot be imported."""
    lacking = missing(*modules)
    if not lacking:
        return
    click.echo(
        f"Error: `incidents {command}` needs the `{extra}` extra ({', '.join(lacking)} "
        f"{'is' if len(lacking) == 1 else 'are'} not installed): "
        f"pip install 'incident-as-code[{extra}]' (or '[all]' for everything)",
        err=True,
    )
    sys.exit(2)
