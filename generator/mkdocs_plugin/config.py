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
    # false: internal incidents never reach any page, API, feed or index (public site).
    # true: they are published too, marked "internal" (for a site behind your SSO).
    publish_internal = c.Type(bool, default=False)
    # The Statuspage `page.id` of the API; default: a stable id derived from site_name.
    page_id = c.Optional(c.Type(str))
    # The Statuspage `page.name` of the API; default: site_name.
    page_name = c.Optional(c.Type(str))
