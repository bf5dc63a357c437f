"""Property tests: whatever bytes, text or YAML a user commits, the reader and `validate` answer with
findings (known codes, 1-based positions, relative paths), never an exception or `internal-error`."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.codes import CODES
from incidents.findings import Finding
from incidents.reading.validate import validate_root
from incidents.records.source import read_record, read_yaml_file

FIXTURES = Path(__file__).parent / "fixtures" / "findings"
BASE_POLICY = FIXTURES / "_base" / "policy"
VALID = (FIXTURES / "valid_incident" / "incidents" / "2026" / "INC-2026-0001.md").read_text()
REL = "incidents/x/record.md"

# PROPERTY_EXAMPLES=2000 for a longer hunt; the default keeps the file under 20 s.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

KEYS = st.sampled_from(
    [
        "id",
        "title",
        "severity",
        "status",
        "services",
        "impact",
        "started_at",
        "detected_at",
        "acknowledged_at",
        "resolved_at",
        "roles",
        "updates",
        "timeline",
        "visibility",
        "tags",
        "type",
        "at",
        "message",
        "event",
        "incident",
        "authors",
        "date",
        "action_items",
        "priority",
        "due",
        "link",
        "scheduled_start",
        "scheduled_end",
        "commander",
        "api",
        "SEV-1",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "null",
            "~",
            "2026-02-10T14:30:00Z",
            "2026-13-45",
            "2026-02-10",
            "2026-02-10T14:30:00",
            "SEV-1",
            "api",
            "resolved",
            "investigating",
            "internal",
            "public",
            "P1",
            "15m",
            "incident",
            "postmortem",
            "maintenance",
            "<<",
            "0x1F",
            "1_000",
            "1e3",
            ".inf",
            "-.nan",
            "0o17",
            "1:30",
            "=",
            "!x",
            "&a",
            "*a",
        ]
    ),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(KEYS, children, max_size=6)),
    max_leaves=25,
)
FRONT_MATTERS = st.dictionaries(KEYS, DOCUMENTS, max_size=10)


SPECIAL = st.one_of(
    SCALARS,
    st.sampled_from(
        [
            "99999999999w",
            "0m",
            "-5m",
            "1.5h",
            "P1Y",
            "PT",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            "2026-02-10T14:30:00+99:99",
            "America",
            "UTC",
            "Europe/Berlin",
            "",
            " ",
            "x" * 300,
            "a\nb",
            "%0A",
            10**30,
            -1,
            0,
            1e308,
            [],
            {},
            [None],
            {"a": None},
        ]
    ),
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


def _drop(value, path):
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != head}
        return [v for i, v in enumerate(value) if i != head]
    if isinstance(value, dict):
        return {k: (_drop(v, rest) if k == head else v) for k, v in value.items()}
    return [(_drop(v, rest) if i == head else v) for i, v in enumerate(value)]


@st.composite
def perturbed(draw, base):
    """`base` (plain data) with a few values replaced by odd ones, or keys dropped."""
    value = base
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(value))
        path = draw(st.sampled_from(paths))
        if path and draw(st.booleans()) and draw(st.booleans()):
            value = _drop(value, path)
        elif path:
            value = _replace(value, path, draw(st.one_of(SPECIAL, DOCUMENTS)))
    return value


def dump(value) -> str:
    return yaml.safe_dump(value, default_flow_style=None, allow_unicode=True, sort_keys=False)


def record_text(front_matter) -> str:
    return "---\n" + dump(front_matter) + "---\nBody.\n"


@st.composite
def mutated(draw, texts):
    """Text with a few random characters (YAML punctuation, quotes, newlines, tabs...) inserted."""
    text = draw(texts)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(list("!&*[]{}:,#'\"|>-?%@`\t\n\r\ufeff\x00\x85 ")), st.text(max_size=3)))
        text = text[:at] + piece + text[at:]
    return text


def check_findings(findings, *, paths=None) -> None:
    for f in findings:
        assert isinstance(f, Finding)
        assert f.code in CODES, f
        assert f.code != "internal-error", f
        assert f.level in ("error", "warning")
        assert isinstance(f.line, int) and f.line >= 1, f
        assert isinstance(f.column, int) and f.column >= 1, f
        assert not f.path.startswith("/") and "\\" not in f.path and ".." not in f.path.split("/"), f
        if paths is not None:
            assert f.path in paths, f
        assert f.message.strip()


def check_read(data: bytes) -> None:
    src, findings = read_record(data, REL)
    check_findings(findings, paths={REL})
    if src is None:
        assert any(f.level == "error" for f in findings), "no record and no error"
    else:
        assert isinstance(src.front_matter.data, dict)
        assert src.body_line >= 2
    doc, findings = read_yaml_file(data, "policy/policy.yml")
    check_findings(findings, paths={"policy/policy.yml"})
    if doc is None:
        assert any(f.level == "error" for f in findings)


_ROOT_DIR = tempfile.mkdtemp(prefix="incidents-prop-")


def check_validate(data: bytes, policy: bytes | None = None) -> None:
    root = Path(tempfile.mkdtemp(dir=_ROOT_DIR))
    try:
        shutil.copytree(BASE_POLICY, root / "policy")
        if policy is not None:
            (root / "policy" / "policy.yml").write_bytes(policy)
        (root / "incidents" / "x").mkdir(parents=True)
        (root / REL).write_bytes(data)
        (root / "incidents" / "ok.md").write_text(VALID)
        report = validate_root(root)
        check_findings(report.findings, paths={REL, "incidents/ok.md", "policy/policy.yml", "policy/services.yml"})
        assert report.files == 4
    finally:
        shutil.rmtree(root, ignore_errors=True)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    check_read(data)
    check_read(b"---\n" + data + b"\n---\n")


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    check_read(text.encode("utf-8", "surrogatepass"))
    check_read(("---\n" + text + "\n---\n").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(FRONT_MATTERS)
def test_arbitrary_yaml_documents(front_matter) -> None:
    check_read(record_text(front_matter).encode())


@SETTINGS
@given(mutated(FRONT_MATTERS.map(record_text)))
def test_mutated_yaml_documents(text: str) -> None:
    check_read(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(
    st.one_of(
        FRONT_MATTERS.map(record_text),
        mutated(FRONT_MATTERS.map(record_text)),
        mutated(st.just(VALID)),
        st.text(max_size=200).map(lambda t: "---\n" + t + "\n---\n"),
    )
)
def test_validate_never_fails(text: str) -> None:
    check_validate(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.one_of(st.binary(max_size=200), mutated(st.just(VALID)).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_validate_never_fails_on_bytes(data: bytes) -> None:
    check_validate(data)


@settings(max_examples=max(1, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.dictionaries(
            st.sampled_from(
                ["severities", "roles", "priorities", "postmortem", "metrics", "assume_timezone", "roles_for_tags", "x"]
            ),
            DOCUMENTS,
            max_size=7,
        ),
        mutated(st.just((BASE_POLICY / "policy.yml").read_text())),
    )
)
def test_validate_with_arbitrary_policy(policy) -> None:
    text = policy if isinstance(policy, str) else dump(policy)
    check_validate(VALID.encode(), policy=text.encode("utf-8", "surrogatepass"))


_INCIDENT_DATA = yaml.safe_load(VALID.split("---\n")[1])
_PM = (FIXTURES / "valid_all_types" / "incidents" / "2026" / "INC-2026-0001.postmortem.md").read_text()
_MAINT = (FIXTURES / "valid_all_types" / "incidents" / "maintenance" / "MNT-2026-0001.md").read_text()
_POLICY_DATA = yaml.safe_load((BASE_POLICY / "policy.yml").read_text())
_SERVICES_DATA = yaml.safe_load((BASE_POLICY / "services.yml").read_text())


def _as_text(data):
    """safe_dump turns the timestamps safe_load made back into timestamps; keep them as written."""
    return dump(data)


@SETTINGS
@given(
    st.sampled_from([VALID, _PM, _MAINT]).flatmap(
        lambda text: perturbed(yaml.safe_load(text.split("---\n")[1])).map(
            lambda data: "---\n" + _as_text(data) + "---\n" + text.split("---\n", 2)[2]
        )
    )
)
def test_validate_perturbed_records(text: str) -> None:
    check_validate(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=max(1, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck))
@given(perturbed(_POLICY_DATA), perturbed(_SERVICES_DATA))
def test_validate_perturbed_policy(policy, services) -> None:
    root = Path(tempfile.mkdtemp(dir=_ROOT_DIR))
    try:
        (root / "policy").mkdir()
        (root / "policy" / "policy.yml").write_text(dump(policy))
        (root / "policy" / "services.yml").write_text(dump(services))
        (root / "incidents").mkdir()
        (root / "incidents" / "a.md").write_text(VALID)
        (root / "incidents" / "a.postmortem.md").write_text(_PM)
        (root / "incidents" / "m.md").write_text(_MAINT)
        report = validate_root(root)
        check_findings(report.findings)
    finally:
        shutil.rmtree(root, ignore_errors=True)
