"""The parts of the manual that the code is the truth for, generated as Markdown.

- `commands_markdown()`: every command and subcommand of `incidents`, with its
  `--help` text exactly as the command prints it and a table of its options;
- `codes_markdown()`: every finding code of `incidents.codes`;
- `plugin_options_markdown()`: every option of the MkDocs plugin, read from its
  typed config class (the comment above each option is its documentation).

The manual's MkDocs hook (`manual_hooks.py`) adds these pages at build time, so
the reference can never fall behind the code; `tests/test_manual.py` checks the
completeness the generation cannot guarantee (help texts, comments).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import click

PROG = "incidents"


# -- commands ------------------------------------------------------------------


@dataclass(frozen=True)
class CommandDoc:
    path: tuple[str, ...]  # ("maintenance", "new")
    command: click.Command

    @property
    def name(self) -> str:
        return " ".join((PROG, *self.path))

    @property
    def anchor(self) -> str:
        return "-".join((PROG, *self.path))


def walk_commands(group: click.Group | None = None, path: tuple[str, ...] = ()) -> list[CommandDoc]:
    """Every command below `group` (default: the `incidents` group), groups included, in name order."""
    if group is None:
        from incidents.cli import cli

        group = cli
    out: list[CommandDoc] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if getattr(command, "hidden", False):
            continue
        out.append(CommandDoc((*path, name), command))
        if isinstance(command, click.Group):
            out.extend(walk_commands(command, (*path, name)))
    return out


def help_text(doc: CommandDoc) -> str:
    """What `incidents ... --help` prints (80 columns, as in a terminal)."""
    from incidents.cli import cli

    # The group's own help option names (`-h, --help`): click caches a command's help option from the
    # first context that asks, so a context without them would print `--help` alone in later runs.
    names = cli.context_settings.get("help_option_names", ["--help"])
    parent = click.Context(cli, info_name=PROG, terminal_width=80, max_content_width=80, help_option_names=names)
    ctx = parent
    group: click.Command = cli
    for part in doc.path:
        command = group.commands[part]  # type: ignore[attr-defined]
        ctx = click.Context(command, info_name=part, parent=ctx, terminal_width=80, max_content_width=80)
        group = command
    return doc.command.get_help(ctx)


def option_rows(command: click.Command) -> list[tuple[str, str, str, str]]:
    """(flags, value, default, help) for each option and argument of a command."""
    rows = []
    for param in command.params:
        if isinstance(param, click.Argument):
            rows.append((param.human_readable_name, "argument", "" if param.required else "optional", ""))
            continue
        if not isinstance(param, click.Option) or param.hidden:
            continue
        flags = ", ".join(param.opts + param.secondary_opts)
        if param.is_flag:
            value = "flag"
        elif isinstance(param.type, click.Choice):
            value = " | ".join(str(c) for c in param.type.choices)
        else:
            value = param.metavar or param.type.name.upper()
        if param.multiple:
            value += " (repeatable)"
        default = ""
        if param.show_default and param.default not in (None, (), False):
            default = str(param.default)
        rows.append((flags, value, default, param.help or ""))
    return rows


def _cell(text: str) -> str:
    """One table cell: one line, `|` escaped, `<`/`>`/`&` escaped outside code spans (else Markdown
    reads `<id>` as an HTML tag and drops it)."""
    parts = " ".join(text.split()).split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts).replace("|", "\\|")


def commands_markdown() -> str:
    from incidents import __version__

    docs = walk_commands()
    lines = [
        "# Command reference",
        "",
        f"Generated from the commands themselves (`{PROG}` {__version__}): each section is what",
        f"`{PROG} ... --help` prints, then a table of its options. Every command takes",
        "`--root DIR` (default: the current folder), the folder that holds `policy/` and `incidents/`.",
        "",
        "Exit status everywhere: 0 success; 1 the records or the policy have errors (or a gate",
        "failed); 2 the command could not run as asked (a bad flag, a missing root). A Python",
        "traceback is never the answer to bad input.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for doc in docs:
        short = doc.command.get_short_help_str(limit=120)
        lines.append(f"| [`{doc.name}`](#{doc.anchor}) | {_cell(short)} |")
    for doc in docs:
        lines += ["", f"## `{doc.name}` {{#{doc.anchor}}}", "", "```text", help_text(doc).rstrip(), "```"]
        rows = option_rows(doc.command)
        if rows:
            lines += ["", "| option | value | default | meaning |", "|---|---|---|---|"]
            for flags, value, default, text in rows:
                lines.append(f"| `{flags}` | {_cell(value)} | {_cell(default)} | {_cell(text)} |")
    return "\n".join(lines) + "\n"


# -- finding codes ---------------------------------------------------------------


def codes_markdown() -> str:
    from incidents.codes import CODES, codes_table

    errors = sum(1 for level, _ in CODES.values() if level == "error")
    return "\n".join(
        [
            "# Finding codes",
            "",
            "Every finding that `incidents validate`, `incidents check` and the site build report",
            "carries one of these stable codes (generated from `generator/incidents/codes.py`; tools and people",
            f"filter on them). {len(CODES)} codes, {errors} of them errors by default. A finding prints as",
            "`PATH:LINE:COL: LEVEL CODE message`; `--strict` turns warnings into errors. The codes of the",
            "time-dependent gates are errors once an obligation is due and warnings before (see",
            "[Validating and gating](../validating.md)).",
            "",
            codes_table(),
            "",
        ]
    )


# -- plugin options ----------------------------------------------------------------


def _option_comments(cls: type) -> dict[str, str]:
    """The `#` comment block right above each `name = c.Something(...)` line of a config class."""
    out: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(cls).splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        m = re.match(r"^([A-Za-z_]\w*)\s*=", stripped)
        if m:
            out[m.group(1)] = " ".join(pending).strip()
        if stripped or m:
            pending = []
    return out


def plugin_options() -> list[tuple[str, str, str, str]]:
    """(name, type, default, documentation) for every option of the `incidents` plugin."""
    from incidents.mkdocs_plugin.plugin import IncidentsPlugin

    config_class = IncidentsPlugin.config_class
    comments: dict[str, str] = {}
    for klass in reversed(config_class.__mro__):
        if klass.__module__.startswith("incidents"):
            comments.update(_option_comments(klass))
    rows = []
    for name, option in config_class._schema:
        default = getattr(option, "default", None)
        rows.append((name, _type_name(option), _yaml_value(default), comments.get(name, "")))
    return rows


def _yaml_value(value) -> str:
    """A default as it is written in mkdocs.yml."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _type_name(option) -> str:
    from mkdocs.config import config_options as c

    inner = option
    optional = False
    while isinstance(inner, c.Optional):
        optional, inner = True, inner.option
    if isinstance(inner, c.Choice):
        name = " | ".join(str(x) for x in inner.choices)
    elif isinstance(inner, c.Type):
        kind = inner._type
        name = " or ".join(t.__name__ for t in kind) if isinstance(kind, tuple) else kind.__name__
    else:
        name = type(inner).__name__.lower()
    return f"{name} (optional)" if optional else name


def plugin_options_markdown() -> str:
    lines = [
        "# Plugin options",
        "",
        "The MkDocs plugin `incidents` builds the status site (and the internal incident site)",
        "from `policy/` and `incidents/`. Every option is optional; this table is generated from the",
        "plugin's typed config class, so it lists exactly what `mkdocs.yml` accepts:",
        "",
        "```yaml",
        "plugins:",
        "  - search",
        "  - incidents:",
        "      uptime_days: 90",
        "```",
        "",
        "| option | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, kind, default, text in plugin_options():
        shown = f"`{_cell(default)}`" if default else ""
        lines.append(f"| `{name}` | {_cell(kind)} | {shown} | {_cell(text)} |")
    lines += ["", "An unknown option is an error of `mkdocs build` (MkDocs checks the typed config).", ""]
    return "\n".join(lines)


# -- the committed copy ------------------------------------------------------------

# Generated pages also kept in the repository, so they can be read without building the manual (on a
# forge, in a clone); `tests/test_manual.py` fails when a committed copy differs from the code.
COMMITTED = {"reference/commands.md": commands_markdown}


def write_committed(manual_dir) -> list[str]:
    """Rewrite the committed generated pages under `manual_dir`; the ones that changed."""
    from pathlib import Path

    changed = []
    for rel, make in COMMITTED.items():
        path = Path(manual_dir) / rel
        text = make()
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed


if __name__ == "__main__":
    import sys
    from pathlib import Path

    # `python tools/reference.py --write`: regenerate manual/reference/commands.md after changing a command
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tools/reference.py --write")
    for rel in write_committed(Path(__file__).resolve().parents[1] / "manual"):
        print(f"wrote manual/{rel}")
