"""The MkDocs plugin `incidents` (plugins: [search, incidents]).

Events:
- on_config: read and validate policy/ and incidents/ (any error stops the build
  with a PluginError listing every finding as `path:line:col: level code message`,
  before anything is written); fix "now" (SOURCE_DATE_EPOCH, else the clock); add
  our templates after the theme's (so a `custom_dir` overrides each one) and our CSS.
- on_files: one `File.generated` per page and per published file (API JSON, feeds,
  calendar, badge, CSS); incident and postmortem pages stay out of the navigation.
- on_nav: our index pages at the top level, in a fixed order.
- on_page_markdown / on_page_content: our pages' HTML is rendered once from our
  Jinja templates (autoescape on); MkDocs and the theme wrap it.
- on_serve: `mkdocs serve` also watches incidents/ and policy/.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from ..errors import IncidentsError
from ..findings import ERROR
from ..output import format_text
from ..validate import INCIDENTS_DIR, POLICY_DIR, validate_root
from .config import IncidentsConfig
from .pages import (
    INCIDENT_STATUS_LABELS,
    STATUS_LABELS,
    SiteData,
    history_context,
    incident_context,
    metrics_context,
    policy_context,
    postmortem_context,
    postmortems_context,
    status_context,
)
from .render import MarkdownRenderer, safe_url

log = logging.getLogger("mkdocs.plugins.incidents")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
CSS_SRC = HERE / "assets" / "incidents.css"
CSS_URI = "assets/incidents/incidents.css"

# Our top-level pages, in navigation order after the status page: (src_uri, kind, title).
INDEX_PAGES = (
    ("history/index.md", "history", "History"),
    ("postmortems/index.md", "postmortems", "Postmortems"),
    ("metrics/index.md", "metrics", "Metrics"),
    ("policy/index.md", "policy", "Policy"),
)
TEMPLATE_OF = {
    "status": "incidents/status.html",
    "incident": "incidents/incident.html",
    "postmortem": "incidents/postmortem.html",
    "postmortems": "incidents/postmortems.html",
    "history": "incidents/history.html",
    "metrics": "incidents/metrics.html",
    "policy": "incidents/policy.html",
}


def build_now() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the clock; UTC."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        try:
            return datetime.fromtimestamp(int(value), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise PluginError(f"incidents: SOURCE_DATE_EPOCH={value!r} is not a number of seconds "
                              "since 1970-01-01") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


def chrome_title(text: str) -> str:
    """A record's title as the theme's chrome shows it (<title>, header, search).

    The theme prints page titles without escaping (and `striptags` un-escapes
    entities), so `<`, `>` and `&` become look-alike characters there; our own
    content shows the exact text, escaped.
    """
    return text.replace("&", "\uff06").replace("<", "\u2039").replace(">", "\u203a")


_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


def css_color(value) -> str | None:
    """A policy colour usable in a style attribute (`#b60205`, `crimson`), else None."""
    return value if isinstance(value, str) and _COLOR.match(value.strip()) else None


def _time(value: datetime | None) -> Markup:
    if value is None:
        return Markup("—")
    u = value.astimezone(timezone.utc)
    # Only digits and separators of our own making: nothing to escape.
    return Markup('<time datetime="%04d-%02d-%02dT%02d:%02d:%02dZ">%04d-%02d-%02d %02d:%02d UTC</time>' % (
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.year, u.month, u.day, u.hour, u.minute))


class GeneratedPage(Page):
    """A page whose HTML the plugin renders itself (in on_page_content).

    Its Markdown source is empty, so MkDocs' render step (which builds a fresh
    Markdown parser with every extension for each page) has nothing to do: skip it.
    """

    def render(self, config, files) -> None:
        if self.markdown:
            return super().render(config, files)
        self.content = ""
        self.toc = []  # type: ignore[assignment]
        self._title_from_render = None
        self.present_anchor_ids = set()


class IncidentsPlugin(BasePlugin[IncidentsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.root: Path | None = None
        self.data: SiteData | None = None
        self.pages: dict[str, tuple[str, object]] = {}
        self.urls: dict[str, str] = {}
        self.env: jinja2.Environment | None = None
        self._status_src = "index.md"
        self._search_html: dict[str, str] = {}
        self._full_html: dict[str, str] = {}

    # ---- configuration and validation ------------------------------------------------------
    def _resolve_root(self, config) -> Path:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        option = self.config.root
        return (base / option).resolve() if option else base.resolve()

    def on_config(self, config):
        self.root = self._resolve_root(config)
        now = build_now()
        status_src = self.config.status_page.strip().lstrip("/")
        if not status_src.endswith(".md"):
            raise PluginError(f"incidents: `status_page: {self.config.status_page}` must name a Markdown "
                              "page such as `index.md` or `status.md`")
        self._status_src = posixpath.normpath(status_src)
        if self.config.uptime_days < 1 or self.config.uptime_days > 3660:
            raise PluginError("incidents: `uptime_days` must be between 1 and 3660")
        try:
            report = validate_root(self.root, cache=True, jobs=None)  # unchanged files come from the cache
        except IncidentsError as exc:
            raise PluginError(f"incidents: {exc} (set the plugin's `root` option to the folder that "
                              "holds policy/ and incidents/)") from None
        if report.errors:
            listing = format_text(list(report.findings), report.files).rstrip("\n")
            raise PluginError("incidents: the records have errors, so nothing was published "
                              f"(root: {self.root}):\n{listing}")
        for f in report.findings:
            if f.level != ERROR:
                log.warning(f"{f.path}:{f.line}:{f.column}: {f.level} {f.code} {f.message}")
        self.data = SiteData.from_repository(report.repository, now,
                                             publish_internal=self.config.publish_internal,
                                             uptime_window=self.config.uptime_days)
        # After the theme's folders (and so after the user's custom_dir): overridable.
        if str(TEMPLATES) not in config.theme.dirs:
            config.theme.dirs.append(str(TEMPLATES))
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        self.env = self._environment(config.theme.dirs)
        self._page_info = self._make_page_info(config)
        return config

    def _make_page_info(self, config):
        from ..publish.statuspage import PageInfo, stable_id

        name = self.config.page_name or config.site_name
        page_id = self.config.page_id or stable_id(f"page:{config.site_name}")
        return PageInfo(page_id, name, config.site_url or "/")

    def _environment(self, dirs) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(list(dirs)),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["time"] = _time
        env.filters["safe_url"] = safe_url
        env.filters["css_color"] = css_color
        env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, INCIDENT_STATUS_LABELS.get(s, s))
        env.filters["markdown"] = MarkdownRenderer()
        env.globals["generator"] = "incident-as-code"
        return env

    # ---- files ------------------------------------------------------------------------------
    def _page(self, files: Files, config, src_uri: str, kind: str, obj, in_nav: bool) -> None:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            log.warning(f"incidents: docs/{src_uri} is replaced by the generated {kind} page")
            files.remove(existing)
        inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, src_uri, content="", inclusion=inclusion)
        files.append(file)
        GeneratedPage(None, file, config)  # sets file.page; MkDocs' navigation reuses it
        self.pages[src_uri] = (kind, obj)

    def _output(self, files: Files, config, src_uri: str, content: str | bytes) -> None:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=content))

    def on_files(self, files: Files, config) -> Files:
        from ..publish import badge, feeds, ical, statuspage
        from ..status import page_status

        data = self.data
        self.pages = {}
        self._page(files, config, self._status_src, "status", None, True)
        for src, kind, title in INDEX_PAGES:
            self._page(files, config, src, kind, title, True)
        for inc in data.repo.incidents:
            self._page(files, config, f"incidents/{inc.id}.md", "incident", inc, False)
        for pm in data.repo.postmortems:
            self._page(files, config, f"postmortems/{pm.incident}.md", "postmortem", pm, False)

        repo, now, info = data.repo, data.now, self._page_info
        for path, doc in statuspage.api_documents(repo, now, info).items():
            self._output(files, config, path, statuspage.dumps(doc))
        self._output(files, config, "history.atom", feeds.atom_feed(repo, now, info))
        self._output(files, config, "history.rss", feeds.rss_feed(repo, now, info))
        self._output(files, config, "maintenance.ics", ical.maintenance_calendar(repo, now, info))
        status = page_status(repo, now)
        self._output(files, config, "badge.svg", badge.status_badge(status.indicator, status.description))
        self._output(files, config, CSS_URI, CSS_SRC.read_bytes())
        self.urls = {src: files.get_file_from_path(src).url for src in self.pages}
        return files

    def on_nav(self, nav: Navigation, config, files: Files) -> Navigation:
        if config.nav is not None:
            return nav  # the user wrote their own navigation
        ours = {self._status_src: 0, **{src: i + 1 for i, (src, _, _) in enumerate(INDEX_PAGES)}}
        top: list = []
        rest: list = []

        def ours_in(item):
            if isinstance(item, Page) and item.file.src_uri in ours:
                return item
            if isinstance(item, Section) and len(item.children) == 1:
                child = item.children[0]
                if isinstance(child, Page) and child.file.src_uri in ours:
                    return child
            return None

        for item in nav.items:
            page = ours_in(item)
            if page is not None:
                page.parent = None
                top.append(page)
            else:
                rest.append(item)
        top.sort(key=lambda p: ours[p.file.src_uri])
        items = top[:1] + rest + top[1:]
        pages = []

        def walk(entries, parent):
            for entry in entries:
                entry.parent = parent
                if isinstance(entry, Page):
                    pages.append(entry)
                elif isinstance(entry, Section):
                    walk(entry.children, entry)

        walk(items, None)
        for i, page in enumerate(pages):
            page.previous_page = pages[i - 1] if i > 0 else None
            page.next_page = pages[i + 1] if i + 1 < len(pages) else None
        return Navigation(items, pages)

    # ---- pages ------------------------------------------------------------------------------
    def _title(self, kind: str, obj) -> str:
        if kind == "status":
            return "Status"
        if kind == "incident":
            return chrome_title(f"{obj.id}: {obj.title}")
        if kind == "postmortem":
            inc = self.data.incident(obj.incident)
            return chrome_title(f"Postmortem {obj.incident}: {obj.title or inc.title}")
        return obj

    def on_page_markdown(self, markdown: str, page: Page, config, files: Files):
        entry = self.pages.get(page.file.src_uri)
        if entry is None:
            return markdown
        kind, obj = entry
        page.meta["title"] = self._title(kind, obj)
        page.meta.setdefault("hide", ["toc"])
        return ""

    def on_page_content(self, html: str, page: Page, config, files: Files):
        entry = self.pages.get(page.file.src_uri)
        if entry is None:
            return html
        kind, obj = entry
        data = self.data
        render_md = self.env.filters["markdown"]
        search = None
        if kind == "status":
            context = status_context(data)
        elif kind == "incident":
            context = incident_context(data, obj)
            body = render_md(obj.body)
            context["incident"]["body_html"] = body
            search = self._incident_search_text(context["incident"], body)
        elif kind == "postmortem":
            context = postmortem_context(data, obj)
            body = render_md(obj.body)
            context["body_html"] = body
            search = Markup("<p>{} {}: {} · {}</p>").format(
                context["title"], obj.incident, context["incident"]["title"], ", ".join(obj.authors)) + body
        elif kind == "postmortems":
            context = postmortems_context(data)
        elif kind == "history":
            context = history_context(data)
            count = sum(len(m["incidents"]) for m in context["months"])
            search = Markup("<p>Incident history: {} incidents by month, and maintenance.</p>").format(count)
        elif kind == "policy":
            context = policy_context(data)
        else:
            from .. import metrics
            from . import charts
            context = metrics_context(data, metrics.compute, charts)
        here = page.url
        urls = self.urls

        def url(src_uri: str) -> str:
            target = urls.get(src_uri)
            if target is None:
                return "#"
            return get_relative_url(target, here) if target else get_relative_url(".", here)

        def file_url(path: str) -> str:
            return get_relative_url(path, here)

        context.update(url=url, file_url=file_url, status_src=self._status_src, site_name=config.site_name,
                       now=data.now, page_title=page.meta.get("title", ""))
        if search is not None:
            self._search_html[page.file.src_uri] = str(search)
        return self.env.get_template(TEMPLATE_OF[kind]).render(context)

    @staticmethod
    def _incident_search_text(inc: dict, body: Markup) -> Markup:
        head = Markup("<p>{} · {} · {} · {} · {}</p>").format(
            inc["id"], inc["title"], inc["severity"], inc["status_label"],
            ", ".join(s["name"] for s in inc["services"]))
        updates = Markup("<p>{}</p>").format(" ".join(u.message for u in inc["updates"]))
        return head + updates + body

    # The search plugin indexes what a page shows. For the pages that would cost it most
    # (incidents, postmortems, the long history), it reads a text-only view instead: the
    # same words without the layout's markup. The page itself keeps its full HTML.
    @event_priority(100)  # before the search plugin's on_page_context
    def _search_view(self, context, page, config, nav):
        light = self._search_html.get(page.file.src_uri)
        if light is not None:
            self._full_html[page.file.src_uri] = page.content
            page.content = light
        return context

    @event_priority(-100)  # after it
    def _full_view(self, context, page, config, nav):
        full = self._full_html.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
            self._search_html.pop(page.file.src_uri, None)
        return context

    on_page_context = CombinedEvent(_search_view, _full_view)

    # ---- serve ------------------------------------------------------------------------------
    def on_serve(self, server, config, builder):
        root = self.root or self._resolve_root(config)
        for name in (INCIDENTS_DIR, POLICY_DIR):
            folder = root / name
            if folder.is_dir():
                server.watch(str(folder))
        return server
