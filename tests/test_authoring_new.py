"""`incidents new`: next free id, required roles, never overwrite, the written file validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.reading.validate import validate_root
from incidents.records.source import read_record

POLICY = Path(__file__).parent / "fixtures" / "roundtrip" / "policy"
ROLES = ["--role", "commander=alice", "--role", "comms_lead=bob"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(POLICY, root / "policy")
    (root / "incidents").mkdir()
    return root


def new(root: Path, *args: str):
    return CliRunner().invoke(cli, ["new", "--root", str(root), *args])


def test_declares_a_valid_incident(root):
    result = new(
        root,
        "-s",
        "SEV-1",
        "-t",
        'Checkout "Pay" button fails: yes',
        "--service",
        "api",
        "--service",
        "web",
        "--impact",
        "major_outage",
        *ROLES,
        "--at",
        "2026-02-10T14:30:00Z",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "incidents/2026/INC-2026-0001.md\n"
    report = validate_root(root)
    assert report.findings == (), [str(f) for f in report.findings]
    inc = report.repository.incident("INC-2026-0001")
    assert inc.status == "investigating"
    assert inc.title == 'Checkout "Pay" button fails: yes'
    assert inc.started_at == inc.detected_at == inc.updates[0].at
    assert inc.started_at.isoformat() == "2026-02-10T14:30:00+00:00"
    assert inc.services == ("api", "web")
    assert dict(inc.impact) == {"api": "major_outage", "web": "major_outage"}
    assert dict(inc.roles) == {"commander": "alice", "comms_lead": "bob"}
    assert len(inc.updates) == 1 and inc.updates[0].status == "investigating"
    assert inc.updates[0].message.startswith("We are investigating a major outage affecting Public API and Dashboard")


def test_written_yaml_is_readable(root):
    new(
        root,
        "-s",
        "SEV-3",
        "-t",
        "Slow search",
        "--service",
        "api",
        "--at",
        "2026-02-10T14:30:00Z",
        "-m",
        "Search is slow.",
    )
    text = (root / "incidents/2026/INC-2026-0001.md").read_text(encoding="utf-8")
    assert text.startswith('---\nid: INC-2026-0001\ntitle: "Slow search"\nseverity: SEV-3\nstatus: investigating\n')
    assert "started_at: 2026-02-10T14:30:00Z\n" in text
    assert '    message: "Search is slow."\n' in text


def test_next_free_id_counts_every_record_of_that_year(root):
    (root / "incidents/2026").mkdir()
    for n in (1, 7):
        assert (
            new(
                root,
                "-s",
                "SEV-3",
                "-t",
                "x",
                "--service",
                "api",
                "--at",
                "2026-01-01T00:00:00Z",
                "--id",
                f"INC-2026-{n:04d}",
            ).exit_code
            == 0
        )
    (root / "incidents/2025").mkdir()
    assert (
        new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--at", "2025-06-01T00:00:00Z").output
        == "incidents/2025/INC-2025-0001.md\n"
    )
    result = new(root, "-s", "SEV-3", "-t", "y", "--service", "api", "--at", "2026-03-01T00:00:00Z")
    assert result.output == "incidents/2026/INC-2026-0008.md\n"
    assert validate_root(root).errors == 0


def test_year_comes_from_at(root):
    result = new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--at", "2027-01-01T10:00:00+02:00")
    assert result.output == "incidents/2027/INC-2027-0001.md\n"


def test_missing_required_role_names_it_and_writes_nothing(root):
    result = new(root, "-s", "SEV-1", "-t", "Outage", "--service", "api", "--role", "commander=alice")
    assert result.exit_code == 1
    assert "comms_lead" in result.output and "--role comms_lead=HANDLE" in result.output
    assert "Traceback" not in result.output
    assert list((root / "incidents").rglob("*")) == []


def test_unknown_service_severity_and_role_are_errors(root):
    result = new(root, "-s", "SEV-9", "-t", "x", "--service", "apii", "--role", "pilot=x")
    assert result.exit_code == 1
    assert "unknown severity `SEV-9`" in result.output
    assert "unknown service `apii`" in result.output and "did you mean `api`" in result.output
    assert "unknown role `pilot`" in result.output
    assert list((root / "incidents").rglob("*.md")) == []


def test_id_collision_is_refused(root):
    args = ["-s", "SEV-3", "-t", "x", "--service", "api", "--at", "2026-01-01T00:00:00Z"]
    assert new(root, *args).exit_code == 0
    before = (root / "incidents/2026/INC-2026-0001.md").read_bytes()
    result = new(root, *args, "--id", "INC-2026-0001")
    assert result.exit_code == 1
    assert "already used by incidents/2026/INC-2026-0001.md" in result.output
    assert (root / "incidents/2026/INC-2026-0001.md").read_bytes() == before


def test_never_overwrites_a_file_that_holds_something_else(root):
    (root / "incidents/2026").mkdir()
    target = root / "incidents/2026/INC-2026-0003.md"
    target.write_text("not a record at all\n", encoding="utf-8")  # an invalid file: no id can be read
    result = new(
        root, "-s", "SEV-3", "-t", "x", "--service", "api", "--at", "2026-01-01T00:00:00Z", "--id", "INC-2026-0003"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_text(encoding="utf-8") == "not a record at all\n"


def test_invalid_id_and_bad_flags(root):
    assert new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--id", "bad id!").exit_code == 1
    r = new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--at", "2026-01-01T00:00:00")
    assert r.exit_code == 2 and "no UTC offset" in r.output
    r = new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--impact", "total_outage")
    assert r.exit_code == 2
    r = new(root, "-s", "SEV-3", "-t", "x", "--service", "api", "--role", "commander")
    assert r.exit_code == 2
    assert list((root / "incidents").rglob("*.md")) == []


def test_missing_root_exits_2(tmp_path):
    result = new(tmp_path / "nowhere", "-s", "SEV-3", "-t", "x", "--service", "api")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_per_service_impact_tags_and_internal(root):
    result = new(
        root,
        "-s",
        "SEV-3",
        "-t",
        "x",
        "--service",
        "api",
        "--service",
        "db",
        "--impact",
        "api=partial_outage",
        "--impact",
        "db=major_outage",
        "--tag",
        "security",
        "--internal",
        "--at",
        "2026-05-01T00:00:00Z",
    )
    assert result.exit_code == 0, result.output
    inc = validate_root(root).repository.incident("INC-2026-0001")
    assert dict(inc.impact) == {"api": "partial_outage", "db": "major_outage"}
    assert inc.tags == ("security",) and inc.visibility == "internal"


def test_title_that_would_not_validate_writes_nothing(root):
    result = new(root, "-s", "SEV-3", "-t", "x" * 201, "--service", "api")
    assert result.exit_code == 1
    assert "text-too-long" in result.output
    assert list((root / "incidents").rglob("*.md")) == []


def test_new_file_reads_back_with_the_foundation_reader(root):
    result = new(
        root,
        "-s",
        "SEV-3",
        "-t",
        "\u00e9t\u00e9 \u2014 caf\u00e9 #1: [x] {y} & *z* 'q'",
        "--service",
        "api",
        "-m",
        "line one\nline two\ttab %s",
    )
    assert result.exit_code == 0, result.output
    src, findings = read_record((root / result.output.strip()).read_bytes(), "x.md")
    assert findings == []
    assert src.front_matter.data["title"] == "\u00e9t\u00e9 \u2014 caf\u00e9 #1: [x] {y} & *z* 'q'"
    assert src.front_matter.data["updates"][0]["message"] == "line one\nline two\ttab %s"


TRICKY = [
    b"---\nid: INC-2026-0001\ntitle: t\n---\n",
    b"---\nid: 'INC-2026-0002'  # quoted\n---\n",
    b"---\ntype: postmortem\nincident: INC-2026-0003\n---\n",
    b"---\ntype: maintenance\nid: MNT-1\n---\n",
    b"---\nid: INC-1\nid: INC-2\n---\n",  # repeated key: the reader decides
    b"---\nid: [INC-1]\n---\n",  # not an id
    b"---\ntitle: |\n  id: not-this\nid: INC-9\n---\n",
    b"\xef\xbb\xbf---\r\nid: INC-2026-0004\r\n---\r\n",
    b"---\n  id: INC-5\n---\n",  # an indented front matter
    b"---\nid: INC-6\n",  # never closed
    b"---\ntype: other\nid: X-1\n---\n",
    b'---\nid: "INC-7" # c\nbody: x\n---\nid: INC-8 in the body\n',
]


@pytest.mark.parametrize("data", TRICKY)
def test_quick_id_scan_agrees_with_the_reader(data):
    from incidents.authoring.repo import _quick_ref

    quick = _quick_ref(data, "x.md")
    if quick is None:
        return  # the reader decides for odd files
    src, _ = read_record(data, "x.md")
    assert src is not None
    fm = src.front_matter.data
    kind = fm.get("type", "incident")
    assert quick.kind == kind
    assert quick.id == fm.get("incident" if kind == "postmortem" else "id")


def test_quick_id_scan_agrees_on_every_fixture():
    from incidents.authoring.repo import _quick_ref

    fixtures = sorted((Path(__file__).parent / "fixtures" / "roundtrip").glob("*.md"))
    assert fixtures
    for path in fixtures:
        data = path.read_bytes()
        quick = _quick_ref(data, path.name)
        if quick is not None:
            assert quick.id == read_record(data, path.name)[0].front_matter.data["id"], path.name


def test_zero_padding_of_existing_ids_is_kept(root):
    (root / "incidents/2026").mkdir()
    assert (
        new(
            root,
            "-s",
            "SEV-3",
            "-t",
            "x",
            "--service",
            "api",
            "--at",
            "2026-01-01T00:00:00Z",
            "--id",
            "INC-2026-000041",
        ).exit_code
        == 0
    )
    result = new(root, "-s", "SEV-3", "-t", "y", "--service", "api", "--at", "2026-01-02T00:00:00Z")
    assert result.output == "incidents/2026/INC-2026-000042.md\n"


@pytest.mark.parametrize(
    "text",
    [
        "Payments are back \U0001f389",
        "a\\U0001F600 b",
        "tab\t\\ and \U0001f600",
        "\U000e0001 tag",
        "next\x85line\u2028sep",
    ],
)
def test_double_quoted_text_reads_back_and_keeps_emoji_readable(text):
    import yaml

    from incidents.authoring.yamltext import dq

    quoted = dq(text)
    assert yaml.safe_load(quoted) == text
    assert "\n" not in quoted
    if "\U0001f389" in text:
        assert "\U0001f389" in quoted
