"""MkDocs hooks of the manual (`mkdocs.docs.yml`): the generated reference pages and the navigation.

- `on_config` builds the navigation from the files in `manual/`, so a page that
  someone adds as `manual/<topic>.md` appears without editing the config: the
  home page, the adoption path, then every other topic page by file name, then
  each folder (`reference/` ...) as a section with the generated pages.
- `on_files` adds the pages whose truth is the code (`tools/reference.py`):
  the command reference, the finding codes, the plugin options, and the
  changelog from `CHANGELOG.md`. A generated page that is also committed
  (`reference/commands.md`, readable without a build) is regenerated over the
  committed copy, so the built manual always shows the code's truth.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

import reference

FIRST = ["index.md", "adopting.md"]
GENERATED = {
    "reference/commands.md": reference.commands_markdown,
    "reference/codes.md": reference.codes_markdown,
    "reference/plugin.md": reference.plugin_options_markdown,
}
REFERENCE_ORDER = [
    "reference/records.md",
    "reference/policy.md",
    "reference/commands.md",
    "reference/codes.md",
    "reference/plugin.md",
]


def _changelog(config) -> str:
    return (Path(config.config_file_path).parent / "CHANGELOG.md").read_text(encoding="utf-8")


def _sorted(paths: list[str], preferred: list[str]) -> list[str]:
    first = [p for p in preferred if p in paths]
    return first + sorted(p for p in paths if p not in first)


def build_nav(docs_dir: Path) -> list:
    pages = {p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md")}
    pages |= set(GENERATED)
    top = _sorted([p for p in pages if "/" not in p], FIRST)
    nav: list = list(top)
    folders = sorted({p.split("/", 1)[0] for p in pages if "/" in p})
    for folder in folders:
        inside = [p for p in pages if p.startswith(folder + "/")]
        nav.append({folder.replace("-", " ").capitalize(): _sorted(inside, REFERENCE_ORDER)})
    nav.append("changelog.md")
    return nav


def on_config(config):
    if not config.nav:
        config.nav = build_nav(Path(config.docs_dir))
    return config


def on_files(files, config):
    for src_uri, make in GENERATED.items():
        committed = files.get_file_from_path(src_uri)
        if committed is not None:
            files.remove(committed)
        files.append(File.generated(config, src_uri, content=make()))
    files.append(File.generated(config, "changelog.md", content=_changelog(config)))
    return files
