"""Building the generated pages: which pages exist (on_files), their titles and layout (on_page_markdown),
and their HTML from our Jinja templates (on_page_content), in the site's language.

The plugin's event hooks (plugin.py) call into `SiteBuilder`; what each page holds is decided in
pages.py / views.py, which know nothing of MkDocs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from incidents.mkdocs_plugin.bodies import BodyCache
from incidents.mkdocs_plugin.chrome import GeneratedPage, chrome_title, css_color, finalize
from incidents.mkdocs_plugin.i18n import N_, update_text
from incidents.mkdocs_plugin.labels import ACTION_ITEM_STATUS_LABELS, LIFECYCLE_LABELS, label
from incidents.mkdocs_plugin.loading import Loaded
from incidents.mkdocs_plugin.probes import probe_figures
from incidents.mkdocs_plugin.render import safe_url
from incidents.mkdocs_plugin.subscribe import SUBSCRIBE_PAGE, SUBSCRIBE_SRC, subscribe_context
from incidents.mkdocs_plugin.views import page_context

log = logging.getLogger("mkdocs.plugins.incidents")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
CSS_SRC = HERE / "assets" / "incidents.css"
CSS_URI = "assets/incidents/incidents.css"
LAYOUT = "incidents/layout.html"  # the status pages' frame: our header and footer, no documentation chrome

# Our top-level pages, in navigation order after the status page: (src_uri, kind, title, audience),
# audience: "all", "internal", or the option that publishes it on a public site.
INDEX_PAGES = (
    ("history/index.md", "history", N_("History"), "all"),
    ("postmortems/index.md", "postmortems", N_("Postmortems"), "all"),
    ("action-items/index.md", "action_items", N_("Action items"), "internal"),
    ("metrics/index.md", "metrics", N_("Metrics"), "public_metrics"),
    ("policy/index.md", "policy", N_("Policy"), "public_policy"),
    SUBSCRIBE_PAGE,
)


def template_environment(dirs, loaded: Loaded, bodies: BodyCache) -> jinja2.Environment:
    words = loaded.words
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(words.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["time"] = words.time_html
    env.filters["date"] = words.date
    env.filters["duration"] = words.duration
    env.filters["safe_url"] = safe_url
    env.filters["css_color"] = css_color
    env.filters["status_label"] = lambda s: label(words, s)
    env.filters["lifecycle_label"] = lambda s: words.t(LIFECYCLE_LABELS.get(s) or s)
    env.filters["action_status"] = lambda s: (
        words.t(ACTION_ITEM_STATUS_LABELS[s]) if s in ACTION_ITEM_STATUS_LABELS else s
    )
    env.filters["message"] = lambda u: update_text(u, words.language)
    env.filters["markdown"] = bodies
    env.globals["generator"] = "incident-as-code"
    env.globals["words"] = words
    return env


class SiteBuilder:
    """The generated pages of one build: their files, titles, URLs and HTML."""

    def __init__(self, loaded: Loaded, options, env: jinja2.Environment, bodies: BodyCache) -> None:
        self.loaded = loaded
        self.data = loaded.data
        self.words = loaded.words
        self.options = options
        self.env = env
        self.bodies = bodies
        self.pages: dict[str, tuple[str, object]] = {}
        self.urls: dict[str, str] = {}
        self.search_html: dict[str, str] = {}

    def publishes(self, who: str) -> bool:
        if who == "all" or self.data.internal:
            return True
        return who != "internal" and bool(self.options.get(who))

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

    @staticmethod
    def _output(files: Files, config, src_uri: str, content: str | bytes) -> None:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=content))

    def add_files(self, files: Files, config) -> Files:
        from incidents.publish import published_files
        from incidents.publish.service_feeds import service_feeds  # history/<service id>.atom

        data, info, lang = self.data, self.loaded.page_info, self.words.language
        self.pages = {}
        self._page(files, config, self.loaded.status_src, "status", None, True)
        for src, kind, title, who in INDEX_PAGES:
            if self.publishes(who):
                self._page(files, config, src, kind, title, True)
        for inc in data.repo.incidents:
            self._page(files, config, f"incidents/{inc.id}.md", "incident", inc, False)
        for pm in data.repo.postmortems:
            self._page(files, config, f"postmortems/{pm.incident}.md", "postmortem", pm, False)
        for m in data.repo.maintenances:
            self._page(files, config, f"maintenance/{m.id}.md", "maintenance", m, False)
        # The API, feeds, calendar and badge: the public view on every site (FORMAT.md section 8).
        gettext = self.words.translations.gettext
        for path, content in published_files(data.status_repo, data.now, info, lang, gettext).items():
            self._output(files, config, path, content)
        for path, content in service_feeds(data.status_repo, data.now, info, language=lang, _=gettext).items():
            self._output(files, config, path, content)
        self._output(files, config, CSS_URI, CSS_SRC.read_bytes())
        self.urls = {src: file.url for src in self.pages if (file := files.get_file_from_path(src)) is not None}
        return files

    # ---- titles and layout ------------------------------------------------------------------
    def title(self, kind: str, obj) -> str:
        w = self.words
        if kind == "status":
            return w._("Status")
        if kind in ("incident", "maintenance"):
            return chrome_title(f"{obj.id}: {obj.title}")
        if kind == "postmortem":
            inc = self.data.incident(obj.incident)
            title = obj.title or (inc.title if inc is not None else "")
            return chrome_title(w._("Postmortem %(id)s: %(title)s", id=obj.incident, title=title))
        return w.t(obj)

    def prepare(self, page: Page) -> bool:
        """Sets a generated page's title and layout; False for the user's own pages."""
        entry = self.pages.get(page.file.src_uri)
        if entry is None:
            return False
        kind, obj = entry
        page.meta["title"] = self.title(kind, obj)
        page.meta.setdefault("hide", ["toc"])
        if not self.data.internal:  # the public site: a status page, not a documentation site
            page.meta.setdefault("template", LAYOUT)
        return True

    # ---- HTML -------------------------------------------------------------------------------
    def url_functions(self, here: str):
        urls = self.urls

        def url(src_uri: str) -> str:
            target = urls.get(src_uri)
            if target is None:
                return "#"
            return get_relative_url(target, here) if target else get_relative_url(".", here)

        def file_url(path: str) -> str:
            return get_relative_url(path, here)

        return url, file_url

    def content(self, page: Page, config) -> str | None:
        entry = self.pages.get(page.file.src_uri)
        if entry is None:
            return None
        kind, obj = entry
        if kind == "subscribe":
            context, search = subscribe_context(self.data, self.options.subscribe_text), None
        else:
            context, search = page_context(self.data, kind, obj, self.bodies)
        if kind == "status":  # response time and uptime the probes measured
            context["probes"] = probe_figures(self.loaded.root, self.data.policy.services, self.data.now)
        url, file_url = self.url_functions(page.url)
        context.update(
            url=url,
            file_url=file_url,
            status_src=self.loaded.status_src,
            site_name=config.site_name,
            now=self.data.now,
            page_title=page.meta.get("title", ""),
            internal=self.data.internal,
            audience=self.data.audience,
        )
        if search is not None:
            self.search_html[page.file.src_uri] = str(search)
        return self.env.get_template(f"incidents/{kind}.html").render(context)

    def chrome(self, page: Page, config) -> dict:
        """What our layout's header and footer show, for the theme's template (words already translated)."""
        url, file_url = self.url_functions(page.url)
        w = self.words
        links = [(w.t(title), url(src)) for src, _kind, title, who in INDEX_PAGES[:-1] if src in self.pages]
        logo = self.options.logo or config.theme.get("logo")
        return {
            "home": url(self.loaded.status_src),
            "name": self.options.page_name or config.site_name,
            "logo": file_url(logo) if logo and "://" not in logo else logo,
            "links": links,
            "subscribe": (w._("Subscribe to updates"), url(SUBSCRIBE_SRC)),
            "feeds": [
                (w._("Atom feed"), file_url("history.atom")),
                (w._("RSS"), file_url("history.rss")),
                (w._("API"), file_url("api/v2/summary.json")),
            ],
            "nav_label": w._("Status pages"),
            "footer_label": w._("Feeds and API"),
            "home_label": w._("%(name)s: status", name=self.options.page_name or config.site_name),
            "lang": w.html_lang,
            "powered": Markup(""),
        }
