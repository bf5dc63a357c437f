"""Reading the repository for a build: the plugin's options checked, the records validated, what the
audience may see, "now", the site's language, and every Markdown body rendered in bounded time.

Any problem is a PluginError that lists every finding, before anything is written.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

from incidents.errors import IncidentsError
from incidents.findings import ERROR
from incidents.findings_output import format_text
from incidents.mkdocs_plugin.bodies import BodyCache, render_bodies
from incidents.mkdocs_plugin.chrome import build_now
from incidents.mkdocs_plugin.i18n import Words, resolve_language
from incidents.mkdocs_plugin.pages import SiteData
from incidents.publish.statuspage import PageInfo
from incidents.reading.validate import validate_root

log = logging.getLogger("mkdocs.plugins.incidents")


@dataclass
class Loaded:
    """What one build publishes, read once in on_config."""

    root: Path
    data: SiteData
    status_src: str
    page_info: PageInfo
    words: Words


def resolve_root(options, config) -> Path:
    base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    option = options.root
    return (base / option).resolve() if option else base.resolve()


def audience_of(options) -> str:
    return "internal" if options.publish_internal else options.audience


def _status_src(options) -> str:
    status_src = options.status_page.strip().lstrip("/")
    if not status_src.endswith(".md"):
        raise PluginError(
            f"incidents: `status_page: {options.status_page}` must name a Markdown "
            "page such as `index.md` or `status.md`"
        )
    if options.uptime_days < 1 or options.uptime_days > 3660:
        raise PluginError("incidents: `uptime_days` must be between 1 and 3660")
    return posixpath.normpath(status_src)


def site_words(options, config) -> Words:
    """The plugin's `language`, else the theme's `theme.language`, else English."""
    theme_language = config.theme.get("language") if hasattr(config.theme, "get") else None
    try:
        language, note = resolve_language(options.language, theme_language)
    except ValueError as exc:
        raise PluginError(f"incidents: {exc}") from None
    if note:
        log.info(f"incidents: {note}")
    return Words(language)


def _validated(root: Path):
    try:
        report = validate_root(root, cache=True, jobs=None)  # unchanged files come from the cache
    except IncidentsError as exc:
        raise PluginError(
            f"incidents: {exc} (set the plugin's `root` option to the folder that holds policy/ and incidents/)"
        ) from None
    if report.errors:
        listing = format_text(list(report.findings), report.files).rstrip("\n")
        raise PluginError(f"incidents: the records have errors, so nothing was published (root: {root}):\n{listing}")
    for f in report.findings:
        if f.level != ERROR:
            log.warning(f"{f.path}:{f.line}:{f.column}: {f.level} {f.code} {f.message}")
    return report.repository


def render_all_bodies(data: SiteData, timeout: float, bodies: BodyCache) -> None:
    repo = data.repo
    items = [(pm.path, pm.body_line, pm.body) for pm in repo.postmortems]
    items += [(m.path, m.body_line, m.body) for m in repo.maintenances]
    if data.internal:
        items += [(inc.path, inc.body_line, inc.body) for inc in repo.incidents]
    html, slow = render_bodies(items, timeout)
    if slow:
        listing = "\n".join(
            f"{s.path}:{max(s.line, 1)}:1: error the Markdown body took longer than "
            f"{s.seconds:g} s to render; simplify it (deeply nested brackets or lists?)"
            for s in slow
        )
        raise PluginError(f"incidents: a body could not be rendered in time, so nothing was published:\n{listing}")
    bodies.html = html


def page_info(options, config) -> PageInfo:
    from incidents.publish.statuspage import stable_id

    name = options.page_name or config.site_name
    page_id = options.page_id or stable_id(f"page:{config.site_name}")
    return PageInfo(page_id, name, config.site_url or "/")


def load(options, config, bodies: BodyCache) -> Loaded:
    """Everything a build needs from the repository, or a PluginError naming every problem."""
    root = resolve_root(options, config)
    now = build_now()
    status_src = _status_src(options)
    words = site_words(options, config)
    repository = _validated(root)
    data = SiteData.from_repository(
        repository, now, audience=audience_of(options), uptime_window=options.uptime_days, words=words
    )
    render_all_bodies(data, float(options.render_timeout), bodies)
    return Loaded(root, data, status_src, page_info(options, config), words)
