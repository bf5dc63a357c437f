"""The site's message catalogs are complete: every string the plugin writes (extracted with Babel from its
code and templates, as `tools/catalogs.py` does) has a translation in every shipped language, no catalog
keeps a string the code no longer writes, and every translation keeps its message's placeholders."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from incidents.mkdocs_plugin.i18n import LANGUAGES, Words, catalog, normalize, update_text

TOOL = Path(__file__).resolve().parents[2] / "tools" / "catalogs.py"
_spec = importlib.util.spec_from_file_location("catalogs", TOOL)
catalogs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogs)


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


def test_the_extracted_strings_include_every_kind_of_source(template):
    ids = {m.id for m in template if m.id}
    assert "Past incidents" in ids and "No incidents reported." in ids  # templates
    assert "Partial outage" in ids and "Time to detect" in ids  # Python: N_() tables and _() calls
    assert "Impact:" in ids  # the feeds' words (publish/feeds.py)
    assert len(ids) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_current(language, template):
    assert catalogs.problems(language, template) == []


def test_the_pot_file_is_current(template):
    from babel.messages.pofile import read_po

    with catalogs.POT.open("rb") as fh:
        written = {m.id for m in read_po(fh) if m.id}
    assert written == {m.id for m in template if m.id}, "run: python tools/catalogs.py update"


def test_the_checker_fails_on_missing_stale_and_placeholder_mismatch(tmp_path, monkeypatch, template):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    po = Catalog(locale="de", domain="incidents")
    for message in template:
        if message.id and message.id != "Past incidents":
            po.add(message.id, "X %(wrong)s" if message.id == "as of %(time)s" else message.id)
    po.add("A string the code no longer writes", "Weg")
    path = tmp_path / "incidents.po"
    with path.open("wb") as fh:
        write_po(fh, po)
    monkeypatch.setattr(catalogs, "po_path", lambda language: path)
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    found = "\n".join(catalogs.problems("de", template))
    assert "missing string 'Past incidents'" in found
    assert "stale string 'A string the code no longer writes'" in found
    assert "placeholders ['%(wrong)s']" in found and "as of %(time)s" in found


def test_placeholders_are_read_as_python_formats_them():
    assert catalogs.placeholders("%(a)s and %(b)d, 100%%") == ["%%", "%(a)s", "%(b)d"]


def test_words_in_german():
    from datetime import UTC, datetime, timedelta

    w = Words("de")
    assert w._("Past incidents") == "Vergangene Störungen"
    assert w.datetime(datetime(2026, 1, 14, 14, 35, tzinfo=UTC)) == "14. Jan. 2026, 14:35 UTC"
    assert w.month(datetime(2026, 1, 14, tzinfo=UTC)) == "Januar 2026"
    assert w.duration(timedelta(minutes=90)) == "1 Std. 30 Min."
    assert w.percent(99.95) == "99,95\xa0%"
    assert (
        w.since(datetime(2026, 1, 14, 12, 0, tzinfo=UTC), datetime(2026, 1, 14, 15, 0, tzinfo=UTC)) == "vor 3 Stunden"
    )


def test_durations_have_one_format():
    from datetime import timedelta

    w = Words("en")
    assert [w.duration(timedelta(seconds=s)) for s in (0, 7, 60, 3600 + 20 * 60 + 5, 2 * 86400 + 4 * 3600)] == [
        "0 min",
        "7 sec",
        "1 min",
        "1 hr 20 min",
        "2 days 4 hr",
    ]


def test_language_codes_and_update_text():
    from types import SimpleNamespace

    assert normalize("pt-BR") == "pt_BR" and normalize("de_DE") == "de" and normalize("it") is None
    upd = SimpleNamespace(message="We are investigating.", translations={"de": "Wir untersuchen."})
    assert update_text(upd, "de") == "Wir untersuchen." and update_text(upd, "fr") == "We are investigating."
    assert catalog("ja").gettext("Operational") == "正常"


@pytest.mark.parametrize("language", LANGUAGES)
def test_clock_is_babels_24_hour_time(language):
    """`Words.clock` writes HH:mm itself (fast); it must say what Babel says for every shipped locale."""
    from datetime import UTC, datetime

    from babel.dates import format_time

    for hour, minute in ((0, 0), (9, 5), (23, 59)):
        when = datetime(2026, 1, 14, hour, minute, tzinfo=UTC)
        assert Words(language).clock(when) == format_time(when, "HH:mm", tzinfo=UTC, locale=language)
