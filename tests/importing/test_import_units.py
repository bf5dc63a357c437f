"""The import's parts at their boundaries: body conversion, payload errors, services.yml appends, mapping rules."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import FIXTURES, run, snapshot

from incidents.authoring import AuthoringError
from incidents.importing import PayloadError, import_statuspage
from incidents.importing.htmltext import body_to_markdown
from incidents.importing.mapping import default_severities
from incidents.importing.payloads import parse_payload
from incidents.importing.render import dq
from incidents.importing.services import NewService, append_services

# -- bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, markdown",
    [
        ("", "(no message)"),
        (None, "(no message)"),
        ("   \r\n ", "(no message)"),
        ("Plain text\r\nsecond line\r\n\r\nnew paragraph", "Plain text\nsecond line\n\nnew paragraph"),
        ("Up to 2% failing.<br /><br />Hosts out of rotation.", "Up to 2% failing.\n\nHosts out of rotation."),
        (
            'See <a href="https://example.com/pm?a=1&amp;b=2">the <strong>postmortem</strong></a>.',
            "See [the postmortem](https://example.com/pm?a=1&b=2).",
        ),
        ("<p>One</p><p>Two <em>now</em></p><ul><li>x</li></ul>", "One\n\nTwo now\n\nx"),
        ("AT&amp;T &lt;3 users", "AT&T <3 users"),
        ("Fixed \U0001f389 — thanks \u2728", "Fixed \U0001f389 — thanks \u2728"),
        ("Deploy <b>rolled back</b> \U0001f680<br>All good", "Deploy rolled back \U0001f680\nAll good"),
        ("snake_case and *stars* stay", "snake_case and *stars* stay"),
    ],
)
def test_body_to_markdown(body, markdown):
    assert body_to_markdown(body) == markdown


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        'quote " and \\ backslash',
        "line\nbreak\ttab",
        "emoji \U0001f389",
        "nel \x85 ls \u2028 del \x7f bom \ufeff",
        "\x00\x1b control",
        "yes",
        "- dash",
    ],
)
def test_dq_reads_back_as_the_same_text(text):
    assert yaml.safe_load(f"k: {dq(text)}")["k"] == text


# -- payloads: shapes and JSON paths ---------------------------------------------------


def _github():
    return json.loads((FIXTURES / "github-incidents-2024.json").read_text())


@pytest.mark.parametrize(
    "mutate, path, fragment",
    [
        (lambda d: d["incidents"][1].update(id=7), "incidents[1].id", "expected text, got the number 7"),
        (
            lambda d: d["incidents"][0]["incident_updates"][2].update(display_at="yesterday"),
            "incidents[0].incident_updates[2].display_at",
            "is not an ISO 8601 timestamp",
        ),
        (
            lambda d: d["incidents"][0]["incident_updates"][2].update(display_at="2024-09-16T21:31:02"),
            "incidents[0].incident_updates[2].display_at",
            "has no UTC offset",
        ),
        (
            lambda d: d["incidents"][0].update(incident_updates={"a": 1}),
            "incidents[0].incident_updates",
            "expected an array, got an object",
        ),
        (
            lambda d: d["incidents"][0]["incident_updates"][0]["affected_components"].__setitem__(1, "Pages"),
            "incidents[0].incident_updates[0].affected_components[1]",
            "expected an object",
        ),
        (lambda d: d["incidents"][1].update(status="exploded"), "incidents[1].status", 'unknown value "exploded"'),
        (lambda d: d["incidents"][1].update(impact=3), "incidents[1].impact", "expected text"),
        (lambda d: d["incidents"][1].pop("created_at"), "incidents[1].created_at", "is missing"),
        (lambda d: d["incidents"][1].update(name=None), "incidents[1].name", "is null"),
        (
            lambda d: d["incidents"][0]["components"][0].update(group="no"),
            "incidents[0].components[0].group",
            "expected true or false",
        ),
        (lambda d: d["incidents"].__setitem__(1, ["not", "an", "incident"]), "incidents[1]", "expected an object"),
        (lambda d: d.update(page=[]), "page", "expected an object"),
    ],
)
def test_wrong_type_at_a_path(mutate, path, fragment):
    doc = _github()
    mutate(doc)
    with pytest.raises(PayloadError) as info:
        parse_payload(json.dumps(doc), "export.json")
    assert info.value.path == path
    assert fragment in info.value.message
    assert str(info.value).startswith(f"export.json: {path}: ")


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"<html>Status</html>", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b'{"status": {"indicator": "none"}}', "not a Statuspage payload"),
        (b'"incidents"', "not a Statuspage payload"),
    ],
)
def test_not_json_or_not_a_shape(data, fragment):
    with pytest.raises(PayloadError) as info:
        parse_payload(data, "x.json")
    assert fragment in str(info.value) and info.value.path == ""


def test_a_bad_source_after_a_good_one_writes_nothing(root, tmp_path):
    bad = tmp_path / "bad.json"
    doc = _github()
    doc["incidents"][1]["incident_updates"][3]["body"] = {"html": "<p>x</p>"}
    bad.write_text(json.dumps(doc))
    before = snapshot(root)
    result = run("import", "statuspage", "--root", root, FIXTURES / "emma-incidents-2019.json", bad)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {bad}: incidents[1].incident_updates[3].body: expected text, got an object; nothing was written"
    )
    assert snapshot(root) == before


def test_missing_file_is_an_error_naming_it(root):
    result = run("import", "statuspage", "--root", root, root / "nope.json")
    assert result.exit_code == 1 and "nope.json: cannot read the file" in result.output


def test_an_id_already_used_by_a_hand_written_incident_is_refused(root):
    target = root / "incidents" / "2024" / "mine.md"
    target.parent.mkdir(parents=True)
    text = (FIXTURES / "expected/github-incidents-2024/incidents/2024/r3x7x31k7nn1.md").read_text()
    target.write_text(
        text.replace('source:\n  system: statuspage\n  id: r3x7x31k7nn1\n  url: "https://stspg.io/36jl4xpkpcvz"\n', "")
    )
    before = snapshot(root)
    result = run("import", "statuspage", "--root", root, FIXTURES / "github-incidents-2024.json")
    assert result.exit_code == 1
    assert "the id `r3x7x31k7nn1` is already used by incidents/2024/mine.md" in result.output
    assert snapshot(root) == before


def test_maintenance_reimport_appends_updates_in_place(root, tmp_path):
    doc = json.loads((FIXTURES / "nyu-manage-v1.json").read_text())
    window = [i for i in doc if i["id"] == "35qzmvylkqzf"][0]
    earlier = json.loads(json.dumps(window))
    earlier["incident_updates"] = earlier["incident_updates"][2:]  # only "scheduled"
    earlier["status"] = "scheduled"
    (tmp_path / "a.json").write_text(json.dumps([earlier]))
    (tmp_path / "b.json").write_text(json.dumps([window]))
    assert run("import", "statuspage", "--root", root, tmp_path / "a.json").exit_code == 0
    path = root / "incidents/2018/35qzmvylkqzf.md"
    before = path.read_text()
    result = run("import", "statuspage", "--root", root, tmp_path / "b.json")
    assert result.output.splitlines() == [
        "updated incidents/2018/35qzmvylkqzf.md",
        "imported 0 incidents (0 new, 0 updated), 1 maintenance windows; 0 services added",
    ]
    after = path.read_text()
    assert after.startswith(before.split("status: scheduled")[0])
    assert "status: completed\n" in after and after.count("  - at: ") == 3
    assert "acknowledged_at" not in after
    assert run("validate", "--root", root).exit_code == 0


# -- services.yml -------------------------------------------------------------------------

NEW = [NewService("pages", "Pages", "Web"), NewService("git", 'Git "ops"')]


@pytest.mark.parametrize(
    "before",
    [
        "services:\n  - id: api\n    name: API\n",
        "services:\n- id: api\n  name: API\n",
        "# catalogue\nservices:\n  - id: api\n    name: API  # the API\n\n# trailing\nother: 1\n",
        "services: [{id: api, name: API}]\n",
        "services: []\n",
        "services:\n",
        "services:\r\n  - id: api\r\n    name: API\r\n",
        "",
    ],
)
def test_append_services_keeps_every_byte_and_adds_at_the_end_of_the_list(before):
    data = before.encode()
    after = append_services(data or None, NEW).decode()
    doc = yaml.safe_load(after)
    old = (yaml.safe_load(before) or {}).get("services") or []
    assert doc["services"] == old + [
        {"id": "pages", "name": "Pages", "group": "Web"},
        {"id": "git", "name": 'Git "ops"'},
    ]
    if "[" not in before:  # block style: the old text is all there, in order, untouched
        kept = iter(after.splitlines(keepends=True))
        assert all(any(line == k for k in kept) for line in before.splitlines(keepends=True))
    if "\r\n" in before:
        assert "\n" not in after.replace("\r\n", "")


def test_append_services_refuses_a_catalogue_it_cannot_read():
    with pytest.raises(AuthoringError):
        append_services(b"services: {api: 1}\n", NEW)


# -- severities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids, expected",
    [
        (
            ("SEV-1", "SEV-2", "SEV-3", "SEV-4"),
            {"critical": "SEV-1", "major": "SEV-2", "minor": "SEV-3", "none": "SEV-4"},
        ),
        (("P0", "P1", "P2", "P3", "P4"), {"critical": "P0", "major": "P1", "minor": "P2", "none": "P4"}),
        (("high", "low"), {"critical": "high", "major": "low", "minor": "low", "none": "low"}),
    ],
)
def test_default_severities_follow_the_policy_order(ids, expected):
    got = default_severities(ids)
    assert {k: got[k] for k in expected} == expected


def test_import_statuspage_function_for_init(root):
    result = import_statuspage(root, [FIXTURES / "github-summary-2020.json"], {"major": "SEV-2"}, "general", True)
    assert result.dry_run and result.incidents_new == 1 and not list((root / "incidents").rglob("*.md"))
    assert [s.rel for s in result.staged] == ["policy/services.yml", "incidents/2020/80d0cs6kpsps.md"]
    record = result.staged[1].data.decode()
    assert "severity: SEV-2\nstatus: investigating\n" in record and "started_at: 2020-04-02T20:20:54.005Z" in record


@pytest.mark.parametrize(
    "url, expanded, manage",
    [
        (
            "https://status.example.com",
            [
                "https://status.example.com/api/v2/incidents.json",
                "https://status.example.com/api/v2/scheduled-maintenances.json",
            ],
            False,
        ),
        (
            "https://status.example.com/",
            [
                "https://status.example.com/api/v2/incidents.json",
                "https://status.example.com/api/v2/scheduled-maintenances.json",
            ],
            False,
        ),
        ("https://status.example.com/api/v2/summary.json", ["https://status.example.com/api/v2/summary.json"], False),
        (
            "https://api.statuspage.io/v1/pages/abc/incidents",
            ["https://api.statuspage.io/v1/pages/abc/incidents"],
            True,
        ),
        (
            "https://api.statuspage.io/v1/pages/abc/incidents/scheduled",
            ["https://api.statuspage.io/v1/pages/abc/incidents/scheduled"],
            True,
        ),
    ],
)
def test_what_a_url_means(url, expanded, manage):
    from incidents.importing.http import expand, is_manage_api

    assert expand(url) == expanded
    assert is_manage_api(url) is manage
