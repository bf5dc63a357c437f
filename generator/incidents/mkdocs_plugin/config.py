"""The plugin's options in mkdocs.yml (a typed MkDocs config class)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class IncidentsConfig(base.Config):
    # The folder that holds policy/ and incidents/; relative paths are taken from the
    # folder of mkdocs.yml, which is also the default.
    root = c.Optional(c.Type(str))
    # Where the status page is published (a docs path: `index.md` -> the site's home page).
    status_page = c.Type(str, default="index.md")
    # How many UTC days of uptime bars the status page shows per service.
    uptime_days = c.Type(int, default=90)
    # public: the status site for customers (public records, public fields only).
    # internal: the team's incident site (everything, internal records marked; behind your login).
    audience = c.Choice(("public", "internal"), default="public")
    # The old name of `audience: internal` (true); false changes nothing.
    publish_internal = c.Type(bool, default=False)
    # On a public site: also publish the metrics page (counting public incidents only).
    public_metrics = c.Type(bool, default=False)
    # On a public site: also publish the policy page (severities, targets, escalation).
    public_policy = c.Type(bool, default=False)
    # How long one Markdown body may take to render before the build fails naming its file.
    render_timeout = c.Type((int, float), default=2.0)
    # The Statuspage `page.id` of the API; default: a stable id derived from site_name.
    page_id = c.Optional(c.Type(str))
    # The Statuspage `page.name` of the API; default: site_name.
    page_name = c.Optional(c.Type(str))
    # Markdown shown at the top of the `subscribe/` page, e.g. how to join the team's mailing list
    # for status updates (the page also lists the feeds, a feed per service and the calendar).
    subscribe_text = c.Optional(c.Type(str))
    # The language of every word the plugin writes (status words, headings, dates, durations, relative
    # times): en, de, fr, es, ja or pt_BR; default: the theme's `theme.language`, else en. Updates with a
    # `translations:` entry for it are shown in it.
    language = c.Optional(c.Type(str))
    # The logo in the status pages' header: a path in docs/ or a URL; default: the theme's `theme.logo`,
    # else a neutral status mark.
    logo = c.Optional(c.Type(str))
