"""The site's message catalogs: extract every string the plugin writes, update the translations, check them.

    python tools/catalogs.py extract   # writes generator/incidents/mkdocs_plugin/locale/incidents.pot
    python tools/catalogs.py update    # extract, then merge into every <lang>/LC_MESSAGES/incidents.po
    python tools/catalogs.py check     # exit 1 on a missing, stale, untranslated or mismatched string

Strings come from the plugin's Python code (`_()`, `N_()`, `ngettext()`), its Jinja templates
(`{{ _("...") }}`) and the words of the feeds and of every output (publish/feeds.py, service_feeds.py,
words.py), all extracted with Babel. `tests/site_build/test_catalogs.py` runs `problems()` so a string added to the code
without its translations fails the tests.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "incidents"
PLUGIN = PACKAGE / "mkdocs_plugin"
LOCALE = PLUGIN / "locale"
POT = LOCALE / "incidents.pot"
FEED_SOURCES = (
    PACKAGE / "publish" / "feeds.py",
    PACKAGE / "publish" / "service_feeds.py",
    PACKAGE / "publish" / "words.py",  # the status words every output shares
)
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
# printf placeholders as Python formats them: %(name)s, %s, %d, %%
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def extract() -> Catalog:
    """Every message of the plugin, with where it was found."""
    catalog = Catalog(project="incident-as-code", domain="incidents", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PLUGIN), METHODS, OPTIONS, KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, [(f"mkdocs_plugin/{filename}", lineno)], auto_comments=comments, context=context)
    for path in FEED_SOURCES:
        for lineno, message, comments, _context in extract_from_file("python", str(path), KEYWORDS):
            catalog.add(message, None, [(str(path.relative_to(PACKAGE)), lineno)], auto_comments=comments)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "incidents.po"


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _texts(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _translations(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def problems(language: str, template: Catalog | None = None) -> list[str]:
    """What is wrong with one language's catalog against the code as it is now."""
    from incidents.mkdocs_plugin.i18n import LANGUAGES

    assert language in LANGUAGES, language
    template = template or extract()
    path = po_path(language)
    if not path.is_file():
        return [f"{path.relative_to(ROOT)}: missing"]
    with path.open("rb") as fh:
        po = read_po(fh, locale=language)
    where = path.relative_to(ROOT)
    out = []
    wanted = {m.id for m in template if m.id}
    have = {m.id: m for m in po if m.id}
    for msgid in sorted(wanted - set(have), key=str):
        out.append(f"{where}: missing string {msgid!r}")
    for msgid in sorted(set(have) - wanted, key=str):
        out.append(f"{where}: stale string {msgid!r} (no longer in the code: remove it)")
    for msgid in sorted(wanted & set(have), key=str):
        message = have[msgid]
        source = placeholders(_texts(message)[0])
        for text in _translations(message):
            if not text:
                out.append(f"{where}: untranslated {msgid!r}")
            elif placeholders(text) != source:
                out.append(f"{where}: placeholders {placeholders(text)} in {text!r} differ from {source} in {msgid!r}")
        if message.fuzzy:
            out.append(f"{where}: fuzzy (unchecked) translation of {msgid!r}")
    return out


def update() -> None:
    from incidents.mkdocs_plugin.i18n import DEFAULT, LANGUAGES

    template = extract()
    LOCALE.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True, width=120)
    for language in LANGUAGES:
        path = po_path(language)
        if path.is_file():
            with path.open("rb") as fh:
                po = read_po(fh, locale=language)
        else:
            po = Catalog(locale=language, domain="incidents", project="incident-as-code")
        po.update(copy.deepcopy(template), no_fuzzy_matching=True)  # update() may share the template's messages
        if language == DEFAULT:
            for message in po:
                if message.id and not message.string:
                    message.string = message.id
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, po, sort_output=True, width=120, ignore_obsolete=True)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "generator"))
    command = argv[0] if argv else "check"
    if command == "extract":
        with POT.open("wb") as fh:
            write_po(fh, extract(), sort_output=True, width=120)
        return 0
    if command == "update":
        update()
        return 0
    from incidents.mkdocs_plugin.i18n import LANGUAGES

    template = extract()
    found = [p for lang in LANGUAGES for p in problems(lang, template)]
    print("\n".join(found) if found else f"{len(template)} strings, complete in {', '.join(LANGUAGES)}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
