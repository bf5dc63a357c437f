"""The MkDocs plugin `incidents` (plugins: [search, incidents]).

Events:
- on_config: read and validate policy/ and incidents/ (any error stops the build
  with a PluginError listing every finding as `path:line:col: level code message`,
  before anything is written); fix "now" (SOURCE_DATE_EPOCH, else the clock); pick
  what the audience (`public` | `internal`) may see; render every Markdown body in
  bounded time; add our templates after the theme's (so a `custom_dir` overrides
  each one) and our CSS; build into a fresh folder beside `site_dir`.
- on_files: one `File.generated` per page and per published file (API JSON, feeds,
  calendar, badge, CSS); record pages stay out of the navigation.
- on_nav: our index pages at the top level, in a fixed order.
- on_page_markdown / on_page_content: our pages' HTML is rendered once from our
  Jinja templates (autoescape on); MkDocs and the theme wrap it.
- on_post_page / on_post_template: every page links the feeds (`<link rel="alternate">`).
- on_post_build (last): the new site replaces the previous one; on_build_error: the
  previous one stays as it was.
- on_serve: `mkdocs serve` also watches incidents/ and policy/.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from incidents.errors import IncidentsError
from incidents.findings import ERROR
from incidents.findings_output import format_text
from incidents.mkdocs_plugin.bodies import render_bodies
from incidents.mkdocs_plugin.chrome import GeneratedPage, build_now, chrome_title, css_color, finalize, time_html
from incidents.mkdocs_plugin.config import IncidentsConfig
from incidents.mkdocs_plugin.navigation import feed_links, order_navigation
from incidents.mkdocs_plugin.outdir import StagedOutput
from incidents.mkdocs_plugin.pages import INCIDENT_STATUS_LABELS, STATUS_LABELS, SiteData
from incidents.mkdocs_plugin.render import MarkdownRenderer, safe_url
from incidents.mkdocs_plugin.subscribe import SUBSCRIBE_PAGE, subscribe_context
from incidents.mkdocs_plugin.views import page_context
from incidents.reading.validate import INCIDENTS_DIR, POLICY_DIR, validate_root

__all__ = ["IncidentsPlugin", "build_now", "chrome_title", "css_color"]

log = logging.getLogger("mkdocs.plugins.incidents")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
CSS_SRC = HERE / "assets" / "incidents.css"
CSS_URI = "assets/incidents/incidents.css"

# Our top-level pages, in navigation order after the status page: (src_uri, kind, title, audience),
# audience: "all", "internal", or the option that publishes it on a public site.
INDEX_PAGES = (
    ("history/index.md", "history", "History", "all"),
    ("postmortems/index.md", "postmortems", "Postmortems", "all"),
    ("action-items/index.md", "action_items", "Action items", "internal"),
    ("metrics/index.md", "metrics", "Metrics", "public_metrics"),
    ("policy/index.md", "policy", "Policy", "public_policy"),
    SUBSCRIBE_PAGE,
)


class BodyCache:
    """The `markdown` filter: bodies rendered beforehand (in bounded time), else rendered here."""

    def __init__(self) -> None:
        self.html: dict[str, Markup] = {}
        self._fallback: MarkdownRenderer | None = None

    def __call__(self, text: str | None) -> Markup:
        if not text or not text.strip():
            return Markup("")
        cached = self.html.get(text)
        if cached is None:
            self._fallback = self._fallback or MarkdownRenderer()
            cached = self._fallback(text)
        return cached


class IncidentsPlugin(BasePlugin[IncidentsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.root: Path | None = None
        self.data: SiteData | None = None
        self.pages: dict[str, tuple[str, object]] = {}
        self.urls: dict[str, str] = {}
        self.env: jinja2.Environment | None = None
        self.bodies = BodyCache()
        self.output = StagedOutput()
        self._command = "build"
        self._status_src = "index.md"
        self._search_html: dict[str, str] = {}
        self._full_html: dict[str, str] = {}

    # ---- configuration and validation ------------------------------------------------------
    def on_startup(self, *, command, dirty) -> None:
        self._command = command

    def _resolve_root(self, config) -> Path:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        option = self.config.root
        return (base / option).resolve() if option else base.resolve()

    @property
    def audience(self) -> str:
        return "internal" if self.config.publish_internal else self.config.audience

    def _publishes(self, who: str) -> bool:
        if who == "all" or self.audience == "internal":
            return True
        return who != "internal" and bool(self.config.get(who))

    def on_config(self, config):
        self.output.watch(config)
        self.root = self._resolve_root(config)
        now = build_now()
        status_src = self.config.status_page.strip().lstrip("/")
        if not status_src.endswith(".md"):
            raise PluginError(
                f"incidents: `status_page: {self.config.status_page}` must name a Markdown "
                "page such as `index.md` or `status.md`"
            )
        self._status_src = posixpath.normpath(status_src)
        if self.config.uptime_days < 1 or self.config.uptime_days > 3660:
            raise PluginError("incidents: `uptime_days` must be between 1 and 3660")
        try:
            report = validate_root(self.root, cache=True, jobs=None)  # unchanged files come from the cache
        except IncidentsError as exc:
            raise PluginError(
                f"incidents: {exc} (set the plugin's `root` option to the folder that holds policy/ and incidents/)"
            ) from None
        if report.errors:
            listing = format_text(list(report.findings), report.files).rstrip("\n")
            raise PluginError(
                f"incidents: the records have errors, so nothing was published (root: {self.root}):\n{listing}"
            )
        for f in report.findings:
            if f.level != ERROR:
                log.warning(f"{f.path}:{f.line}:{f.column}: {f.level} {f.code} {f.message}")
        self.data = SiteData.from_repository(
            report.repository, now, audience=self.audience, uptime_window=self.config.uptime_days
        )
        self._render_bodies()
        # After the theme's folders (and so after the user's custom_dir): overridable.
        if str(TEMPLATES) not in config.theme.dirs:
            config.theme.dirs.append(str(TEMPLATES))
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        self.env = self._environment(config.theme.dirs)
        self._page_info = self._make_page_info(config)
        if self._command != "serve":
            self.output.begin(config)  # MkDocs empties site_dir next: empty a new folder instead
        return config

    def _render_bodies(self) -> None:
        repo = self.data.repo
        items = [(pm.path, pm.body_line, pm.body) for pm in repo.postmortems]
        items += [(m.path, m.body_line, m.body) for m in repo.maintenances]
        if self.data.internal:
            items += [(inc.path, inc.body_line, inc.body) for inc in repo.incidents]
        html, slow = render_bodies(items, float(self.config.render_timeout))
        if slow:
            listing = "\n".join(
                f"{s.path}:{max(s.line, 1)}:1: error the Markdown body took longer than "
                f"{s.seconds:g} s to render; simplify it (deeply nested brackets or lists?)"
                for s in slow
            )
            raise PluginError(f"incidents: a body could not be rendered in time, so nothing was published:\n{listing}")
        self.bodies.html = html

    def _make_page_info(self, config):
        from incidents.publish.statuspage import PageInfo, stable_id

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
            finalize=finalize,
        )
        env.filters["time"] = time_html
        env.filters["safe_url"] = safe_url
        env.filters["css_color"] = css_color
        env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, INCIDENT_STATUS_LABELS.get(s, s))
        env.filters["markdown"] = self.bodies
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
        from incidents.publish import published_files

        data = self.data
        self.pages = {}
        self._page(files, config, self._status_src, "status", None, True)
        for src, kind, title, who in INDEX_PAGES:
            if self._publishes(who):
                self._page(files, config, src, kind, title, True)
        for inc in data.repo.incidents:
            self._page(files, config, f"incidents/{inc.id}.md", "incident", inc, False)
        for pm in data.repo.postmortems:
            self._page(files, config, f"postmortems/{pm.incident}.md", "postmortem", pm, False)
        for m in data.repo.maintenances:
            self._page(files, config, f"maintenance/{m.id}.md", "maintenance", m, False)
        # The API, feeds, calendar and badge: the public view on every site (FORMAT.md section 8).
        for path, content in published_files(data.status_repo, data.now, self._page_info).items():
            self._output(files, config, path, content)
        from incidents.publish.service_feeds import service_feeds  # history/<service id>.atom

        for path, content in service_feeds(data.status_repo, data.now, self._page_info).items():
            self._output(files, config, path, content)
        self._output(files, config, CSS_URI, CSS_SRC.read_bytes())
        self.urls = {src: files.get_file_from_path(src).url for src in self.pages}
        return files

    def on_nav(self, nav: Navigation, config, files: Files) -> Navigation:
        if config.nav is not None:
            return nav  # the user wrote their own navigation
        order = {self._status_src: 0}
        order.update({src: i + 1 for i, (src, _, _, _) in enumerate(INDEX_PAGES) if src in self.pages})
        return order_navigation(nav, order)

    # ---- pages ------------------------------------------------------------------------------
    def _title(self, kind: str, obj) -> str:
        if kind == "status":
            return "Status"
        if kind in ("incident", "maintenance"):
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
        if kind == "subscribe":
            context, search = subscribe_context(self.data, self.config.subscribe_text), None
        else:
            context, search = page_context(self.data, kind, obj, self.bodies)
        site = self.data
        if kind == "status" and site is not None:  # issue 23: response time and uptime the probes measured
            from incidents.mkdocs_plugin.probes import probe_figures

            context["probes"] = probe_figures(self.root, site.policy.services, site.now)
        here = page.url
        urls = self.urls

        def url(src_uri: str) -> str:
            target = urls.get(src_uri)
            if target is None:
                return "#"
            return get_relative_url(target, here) if target else get_relative_url(".", here)

        def file_url(path: str) -> str:
            return get_relative_url(path, here)

        context.update(
            url=url,
            file_url=file_url,
            status_src=self._status_src,
            site_name=config.site_name,
            now=self.data.now,
            page_title=page.meta.get("title", ""),
            internal=self.data.internal,
            audience=self.audience,
        )
        if search is not None:
            self._search_html[page.file.src_uri] = str(search)
        return self.env.get_template(f"incidents/{kind}.html").render(context)

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

    # ---- every page links the feeds -----------------------------------------------------------
    def _with_feed_links(self, html: str, page_url: str | None, config) -> str:
        head = html.find("</head>")
        if head < 0 or 'type="application/atom+xml"' in html[:head]:
            return html
        name = self.config.page_name or config.site_name
        return html[:head] + feed_links(config.site_url, page_url, name) + html[head:]

    def on_post_page(self, output: str, page: Page, config) -> str:
        return self._with_feed_links(output, page.url, config)

    def on_post_template(self, output_content: str, template_name: str, config) -> str:
        if template_name.endswith(".html"):
            return self._with_feed_links(output_content, None, config)
        return output_content

    # ---- the output folder --------------------------------------------------------------------
    @event_priority(-1000)  # after every other plugin has written its files
    def on_post_build(self, config) -> None:
        self.output.commit(config)

    def on_build_error(self, error) -> None:
        self.output.abandon()

    def on_shutdown(self) -> None:
        self.output.abandon()

    # ---- serve ------------------------------------------------------------------------------
    def on_serve(self, server, config, builder):
        root = self.root or self._resolve_root(config)
        for name in (INCIDENTS_DIR, POLICY_DIR):
            folder = root / name
            if folder.is_dir():
                server.watch(str(folder))
        return server
