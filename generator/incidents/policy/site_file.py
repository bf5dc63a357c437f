"""What the operations need from `mkdocs.yml` without importing MkDocs: the site's name, its public
address (`site_url`) and the `incidents` plugin's options.

mkdocs.yml is read as plain YAML with a loader that tolerates every tag (`!!python/name:`, `!ENV`,
`!relative`...): a tagged value reads as nothing and nothing is ever constructed or run. A file that
is absent, unsafe (a FIFO, a symlink out of the root), unreadable or not YAML reads as no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from incidents.records.safe_files import check_file

MKDOCS_FILE = "mkdocs.yml"
# An absolute http(s) address with a host, and none of the characters that would break out of a
# Slack link (`<url|text>`), a header or an HTML attribute.
_SITE_URL = re.compile(r"^https?://[^\s/<>|\"'`\\]+(/[^\s<>|\"'`\\]*)?$", re.IGNORECASE)


class _TolerantLoader(yaml.SafeLoader):
    """Every tag reads as nothing: mkdocs.yml may hold `!!python/name:` and `!ENV` tags."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class SiteSettings:
    name: str | None = None
    url: str | None = None  # `site_url` as written (None when absent or empty)
    plugin: dict = field(default_factory=dict)  # the `incidents` plugin's options

    @property
    def absolute_url(self) -> str | None:
        """`site_url` when it is an absolute http(s) address links can start with, else None."""
        return self.url if self.url and is_absolute_url(self.url) else None


def is_absolute_url(url: str) -> bool:
    return bool(_SITE_URL.match(url))


def read_site_settings(root: Path) -> SiteSettings:
    if check_file(root, MKDOCS_FILE) is not None:
        return SiteSettings()
    try:
        doc = yaml.load((root / MKDOCS_FILE).read_text(encoding="utf-8"), Loader=_TolerantLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return SiteSettings()
    if not isinstance(doc, dict):
        return SiteSettings()
    plugin: dict = {}
    for item in doc.get("plugins") or []:
        if isinstance(item, dict) and isinstance(item.get("incidents"), dict):
            plugin = item["incidents"]
    if isinstance(doc.get("plugins"), dict) and isinstance(doc["plugins"].get("incidents"), dict):
        plugin = doc["plugins"]["incidents"]
    name = doc.get("site_name")
    url = doc.get("site_url")
    return SiteSettings(
        str(name) if isinstance(name, str) and name.strip() else None,
        url.strip() if isinstance(url, str) and url.strip() else None,
        plugin,
    )
