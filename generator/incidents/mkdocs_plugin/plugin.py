"""The MkDocs plugin `incidents` (plugins: [search, incidents]): its event hooks.

Each hook hands over to the part that does the work: loading.py reads and checks the
repository, building.py makes and renders the pages, navigation.py orders the navigation,
outdir.py swaps the new site in only when the whole build succeeded.

Events:
- on_config: read and validate policy/ and incidents/ (any error stops the build
  with a PluginError listing every finding as `path:line:col: level code message`,
  before anything is written); fix "now" (SOURCE_DATE_EPOCH, else the clock); pick
  what the audience (`public` | `internal`) may see and the language; render every
  Markdown body in bounded time; add our templates after the theme's (so a `custom_dir`
  overrides each one) and our CSS; build into a fresh folder beside `site_dir`.
- on_files: one `File.generated` per page and per published file (API JSON, feeds,
  calendar, badge, CSS); record pages stay out of the navigation.
- on_nav: our index pages at the top level, in a fixed order.
- on_page_markdown / on_page_content: our pages' HTML is rendered once from our
  Jinja templates (autoescape on); MkDocs and the theme wrap it (on a public site in
  our status layout: a header and footer of our own, no documentation chrome).
- on_page_context: the search index reads a light view of the heaviest pages.
- on_post_page / on_post_template: every page links the feeds (`<link rel="alternate">`).
- on_post_build (last): the new site replaces the previous one; on_build_error: the
  previous one stays as it was.
- on_serve: `mkdocs serve` also watches incidents/ and policy/.
"""

from __future__ import annotations

import logging
import re

from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from incidents.mkdocs_plugin.bodies import BodyCache
from incidents.mkdocs_plugin.building import CSS_URI, INDEX_PAGES, TEMPLATES, SiteBuilder, template_environment
from incidents.mkdocs_plugin.chrome import build_now, chrome_title, css_color
from incidents.mkdocs_plugin.config import IncidentsConfig
from incidents.mkdocs_plugin.loading import audience_of, load, resolve_root
from incidents.mkdocs_plugin.navigation import feed_links, order_navigation
from incidents.mkdocs_plugin.outdir import StagedOutput
from incidents.reading.validate import INCIDENTS_DIR, POLICY_DIR

__all__ = ["BodyCache", "IncidentsPlugin", "build_now", "chrome_title", "css_color"]

log = logging.getLogger("mkdocs.plugins.incidents")

_HTML_LANG = re.compile(r'<html lang="[^"]*"')


class IncidentsPlugin(BasePlugin[IncidentsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.bodies = BodyCache()
        self.output = StagedOutput()
        self.builder: SiteBuilder | None = None
        self._command = "build"
        self._full_html: dict[str, str] = {}

    @property
    def audience(self) -> str:
        return audience_of(self.config)

    @property
    def data(self):
        return self.builder.data if self.builder is not None else None

    @property
    def site(self) -> SiteBuilder:
        """The build's pages (set in on_config, before any other event that uses it)."""
        if self.builder is None:
            raise RuntimeError("incidents: the plugin's on_config has not run")
        return self.builder

    # ---- configuration and validation ------------------------------------------------------
    def on_startup(self, *, command, dirty) -> None:
        self._command = command

    def on_config(self, config):
        self.output.watch(config)
        loaded = load(self.config, config, self.bodies)
        # After the theme's folders (and so after the user's custom_dir): overridable.
        if str(TEMPLATES) not in config.theme.dirs:
            config.theme.dirs.append(str(TEMPLATES))
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        env = template_environment(config.theme.dirs, loaded, self.bodies)
        self.builder = SiteBuilder(loaded, self.config, env, self.bodies)
        if self._command != "serve":
            self.output.begin(config)  # MkDocs empties site_dir next: empty a new folder instead
        return config

    # ---- files and navigation ----------------------------------------------------------------
    def on_files(self, files: Files, config) -> Files:
        return self.site.add_files(files, config)

    def on_nav(self, nav: Navigation, config, files: Files) -> Navigation:
        if config.nav is not None:
            return nav  # the user wrote their own navigation
        pages = self.site.pages
        order = {self.site.loaded.status_src: 0}
        order.update({src: i + 1 for i, (src, _, _, _) in enumerate(INDEX_PAGES) if src in pages})
        return order_navigation(nav, order)

    # ---- pages ------------------------------------------------------------------------------
    def on_page_markdown(self, markdown: str, page: Page, config, files: Files):
        return "" if self.site.prepare(page) else markdown

    def on_page_content(self, html: str, page: Page, config, files: Files):
        ours = self.site.content(page, config)
        return html if ours is None else ours

    # The search plugin indexes what a page shows. For the pages that would cost it most
    # (incidents, postmortems, the long history), it reads a text-only view instead: the
    # same words without the layout's markup. The page itself keeps its full HTML.
    @event_priority(100)  # before the search plugin's on_page_context
    def _search_view(self, context, page, config, nav):
        light = self.site.search_html.get(page.file.src_uri)
        if light is not None:
            self._full_html[page.file.src_uri] = page.content
            page.content = light
        if page.file.src_uri in self.site.pages:
            context["incidents_chrome"] = self.site.chrome(page, config)
        return context

    @event_priority(-100)  # after it
    def _full_view(self, context, page, config, nav):
        full = self._full_html.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
            self.site.search_html.pop(page.file.src_uri, None)
        return context

    on_page_context = CombinedEvent(_search_view, _full_view)

    # ---- every page links the feeds; our pages say their language ------------------------------
    def _with_feed_links(self, html: str, page_url: str | None, config) -> str:
        head = html.find("</head>")
        if head < 0 or 'type="application/atom+xml"' in html[:head]:
            return html
        name = self.config.page_name or config.site_name
        return html[:head] + feed_links(config.site_url, page_url, name) + html[head:]

    def on_post_page(self, output: str, page: Page, config) -> str:
        if page.file.src_uri in self.site.pages:
            lang = self.site.words.html_lang
            output = _HTML_LANG.sub(f'<html lang="{lang}"', output, count=1)
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
        root = self.builder.loaded.root if self.builder is not None else resolve_root(self.config, config)
        for name in (INCIDENTS_DIR, POLICY_DIR):
            folder = root / name
            if folder.is_dir():
                server.watch(str(folder))
        return server
