"""The one reader (incidents.records.source): values, positions, scalars, body; every problem a finding."""

from __future__ import annotations

import pytest

from incidents.records.source import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, read_record, read_yaml_file

RECORD = """\
---
id: INC-2026-0001
title: "Quoted: title"
services:
  - api
  - web
impact: {api: major_outage, web: partial_outage}
started_at: 2026-02-10T14:00:00+02:00
tags: [yes, 2024, 1.5, ~, null, "no"]
updates:
  - at: 2026-02-10T14:10:00Z
    status: investigating
    message: >
      folded
      text
  - {at: 2026-02-10T15:00:00Z, status: resolved, message: ok}
---
# Body

Text.
"""


def read(text: str | bytes, rel: str = "incidents/a.md"):
    data = text.encode() if isinstance(text, str) else text
    return read_record(data, rel)


def codes(findings) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.code) for f in findings]


def test_values_and_plain_types():
    src, findings = read(RECORD)
    assert findings == []
    data = src.front_matter.data
    assert data["title"] == "Quoted: title"
    assert data["services"] == ["api", "web"]
    assert data["impact"] == {"api": "major_outage", "web": "partial_outage"}
    assert data["started_at"] == "2026-02-10T14:00:00+02:00"  # timestamps stay text
    assert data["tags"] == [True, 2024, 1.5, None, None, "no"]
    assert data["updates"][0]["message"] == "folded text\n"
    assert data["updates"][1] == {"at": "2026-02-10T15:00:00Z", "status": "resolved", "message": "ok"}


def test_positions_of_keys_values_and_items():
    src, _ = read(RECORD)
    doc = src.front_matter
    assert doc.line == 1
    assert doc.positions[("id",)] == (2, 5)
    assert doc.key_positions[("id",)] == (2, 1)
    assert doc.positions[("title",)] == (3, 8)
    assert doc.positions[("services",)] == (5, 3)  # a block list starts at its first `-`
    assert doc.positions[("services", 0)] == (5, 5)
    assert doc.positions[("services", 1)] == (6, 5)
    assert doc.key_positions[("impact", "web")] == (7, 29)
    assert doc.positions[("impact", "web")] == (7, 34)
    assert doc.positions[("tags", 2)] == (9, 19)
    assert doc.positions[("updates", 0)] == (11, 5)
    assert doc.key_positions[("updates", 0, "status")] == (12, 5)
    assert doc.positions[("updates", 0, "status")] == (12, 13)
    assert doc.positions[("updates", 0, "message")] == (13, 14)
    assert doc.positions[("updates", 1)] == (16, 5)
    assert doc.positions[("updates", 1, "status")] == (16, 40)
    assert doc.key_positions[("updates", 1, "message")] == (16, 50)


def test_position_fallbacks():
    src, _ = read(RECORD)
    doc = src.front_matter
    assert doc.position(("updates", 0, "missing")) == (11, 5)  # the enclosing mapping
    assert doc.position(("nothing",)) == (2, 1)  # the front matter mapping
    assert doc.key_position(("updates",)) == (10, 1)
    assert doc.key_position(("tags", 0)) == (9, 8)  # a list item has no key: its value


def test_scalars_keep_what_was_written():
    src, _ = read(RECORD)
    scalars = src.front_matter.scalars
    assert (scalars[("tags", 0)].text, scalars[("tags", 0)].tag) == ("yes", BOOL)
    assert scalars[("tags", 0)].kind == "boolean"
    assert (scalars[("tags", 1)].text, scalars[("tags", 1)].tag) == ("2024", INT)
    assert (scalars[("tags", 2)].text, scalars[("tags", 2)].tag) == ("1.5", FLOAT)
    assert (scalars[("tags", 3)].text, scalars[("tags", 3)].tag) == ("~", NULL)
    assert (scalars[("tags", 4)].text, scalars[("tags", 4)].tag) == ("null", NULL)
    assert ("tags", 5) not in scalars  # quoted: text
    assert scalars[("started_at",)].tag == TIMESTAMP
    assert ("title",) not in scalars and ("id",) not in scalars
    assert STR == "tag:yaml.org,2002:str"


def test_body_and_body_line():
    src, _ = read(RECORD)
    assert src.body == "# Body\n\nText.\n"
    assert src.body_line == 18
    assert RECORD.splitlines()[src.body_line - 1] == "# Body"
    src, _ = read("---\na: 1\n---")
    assert (src.body, src.body_line) == ("", 4)
    src, _ = read("---\na: 1\n---  \nbody\n---\nmore\n")  # later `---` lines belong to the body
    assert (src.body, src.body_line) == ("body\n---\nmore\n", 4)
    src, _ = read("--- \na: |\n  x\n  ---\n---\nb\n")  # an indented `---` inside a block scalar is text
    assert src.front_matter.data == {"a": "x\n---\n"}
    assert (src.body, src.body_line) == ("b\n", 6)


def test_blank_lines_before_the_front_matter_shift_every_position():
    """FORMAT section 2: a missing key is reported at the opening `---`, wherever that line is (blank
    lines, with or without a byte-order mark, may come before it)."""
    src, findings = read(b"\xef\xbb\xbf\n\r\n---\r\ntitle: x\r\n---\r\nbody\r\n")
    assert findings == []
    assert src.front_matter.line == 3  # where a missing key is reported
    assert src.front_matter.key_positions[("title",)] == (4, 1)
    assert (src.body, src.body_line) == ("body\n", 6)


@pytest.mark.parametrize("variant", ["crlf", "bom", "bom+crlf", "cr"])
def test_crlf_and_bom_positions_equal_lf_positions(variant):
    text = RECORD.replace("started_at: 2026", "started_at: &x 2026").replace("tags: [", "tags: [*x, ")
    lf, lf_findings = read(text)
    data = text
    if "crlf" in variant:
        data = data.replace("\n", "\r\n")
    if variant == "cr":
        data = data.replace("\n", "\r")
    raw = data.encode()
    if "bom" in variant:
        raw = b"\xef\xbb\xbf" + raw
    other, other_findings = read(raw)
    assert other_findings == lf_findings and len(lf_findings) == 2
    assert other.front_matter.data == lf.front_matter.data
    assert other.front_matter.positions == lf.front_matter.positions
    assert other.front_matter.key_positions == lf.front_matter.key_positions
    assert other.body == lf.body and other.body_line == lf.body_line


def test_columns_count_characters_not_bytes():
    src, findings = read("---\ntitle: 🎉é x\nservices: [🎉, é, api, *a]\n---\n")
    assert src.front_matter.positions[("services", 2)] == (3, 18)
    assert codes(findings) == [(3, 23, "yaml-alias")]
    _, findings = read("---\ntitle: é\xe9\n---\n".encode("latin-1"))
    assert codes(findings) == [(2, 8, "encoding")]
    _, findings = read("---\ntitle: é".encode() + b"\xff\n---\n")
    assert codes(findings) == [(2, 9, "encoding")]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", [(1, 1, "empty-file")]),
        (b" \n\t\r\n", [(1, 1, "empty-file")]),
        (b"\xef\xbb\xbf", [(1, 1, "empty-file")]),
        (b"title: x\n", [(1, 1, "no-front-matter")]),
        (b"\n\ntitle: x\n", [(3, 1, "no-front-matter")]),  # blank lines may precede `---`, nothing else
        (b"\n\n---\na: 1\n", [(3, 1, "unclosed-front-matter")]),
        (b"---\na: 1\n", [(1, 1, "unclosed-front-matter")]),
        (b"---\n---\n", [(1, 1, "front-matter-not-mapping")]),
        (b"---\n# only a comment\n---\n", [(1, 1, "front-matter-not-mapping")]),
        (b"---\n- a\n---\n", [(2, 1, "front-matter-not-mapping")]),
        (b"---\n  text\n---\n", [(2, 3, "front-matter-not-mapping")]),
        (b"---\na: [1\n---\n", [(3, 1, "yaml-syntax")]),
        (b"---\na: 1\n\tb: 2\n---\n", [(3, 1, "yaml-syntax")]),
        (b"---\na: \x00\n---\n", [(2, 4, "yaml-syntax")]),
        (b"---\na: b\n...\nc: d\n---\n", [(4, 1, "yaml-syntax")]),
        (b"---\na: 1\na: 2\n---\n", [(3, 1, "duplicate-key")]),
        (b"---\nu:\n  - {m: 1, m: 2}\n---\n", [(3, 12, "duplicate-key")]),
        (b"---\na: !!python/object/apply:os.system [ls]\n---\n", [(2, 4, "yaml-tag")]),
        (b"---\na: !x y\n---\n", [(2, 4, "yaml-tag")]),
        (b"---\na: ! y\n---\n", []),  # the non-specific tag `!` just means text
        (b"---\na: &k 1\nb: *k\n---\n", [(2, 4, "yaml-anchor"), (3, 4, "yaml-alias")]),
        (b"---\n<<: {a: 1}\n---\n", [(2, 1, "yaml-merge-key")]),
        (b"---\n[a]: 1\n---\n", [(2, 1, "yaml-complex-key")]),
        (b"---\nyes: 1\n---\n", [(2, 1, "unquoted-boolean")]),
    ],
)
def test_bad_input_is_a_finding(data, expected):
    src, findings = read(data)
    assert codes(findings) == expected
    assert all(f.path == "incidents/a.md" and f.level == "error" for f in findings)
    if any(
        code in ("empty-file", "no-front-matter", "unclosed-front-matter", "front-matter-not-mapping", "yaml-syntax")
        for _, _, code in expected
    ):
        assert src is None


def test_dropped_entries_do_not_replace_the_first():
    src, findings = read("---\na: 1\na: [2]\nb: {c: 1, c: 2}\n---\n")
    assert src.front_matter.data == {"a": 1, "b": {"c": 1}}
    assert [f.message for f in findings] == [
        "the key `a` is given twice in this mapping (first given at line 2); keep one",
        "the key `c` is given twice in this mapping (first given at line 4); keep one",
    ]


def test_billion_laughs_is_not_expanded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    src, findings = read("---\n" + "\n".join(lines) + "\n---\n")
    assert sum(f.code == "yaml-alias" for f in findings) == 81
    assert sum(f.code == "yaml-anchor" for f in findings) == 10
    assert src.front_matter.data["j"] == [None] * 9  # aliases are never resolved


@pytest.mark.parametrize("opener, closer", [("[", ""), ("{a: ", ""), ("[", "]"), ("- ", "")])
def test_deep_nesting_stops_early(opener, closer):
    depth = 100_000
    if opener == "- ":
        body = "\n" + "- " * depth + "x"
    else:
        body = opener * depth + "x" + closer * depth
    _, findings = read("---\nid: x\nt: " + body + "\n---\n")
    assert [f.code for f in findings] == ["yaml-too-deep"]
    assert findings[0].line == (4 if opener == "- " else 3)


def test_read_yaml_file():
    doc, findings = read_yaml_file(b"\xef\xbb\xbfa: 1\r\nb:\r\n  - c\r\n", "policy/policy.yml")
    assert findings == [] and doc.data == {"a": 1, "b": ["c"]}
    assert doc.positions[("b", 0)] == (3, 5)
    assert doc.line == 1
    for data, code in [
        (b"", "not-a-mapping"),
        (b"# comment\n", "not-a-mapping"),
        (b"- a\n", "not-a-mapping"),
        (b"a: 1\n---\nb: 2\n", "yaml-syntax"),
        (b"\xff", "encoding"),
        (b"a: [\n", "yaml-syntax"),
    ]:
        doc, findings = read_yaml_file(data, "policy/policy.yml")
        assert doc is None and [f.code for f in findings] == [code], data
        assert findings[0].path == "policy/policy.yml"


def test_unicode_line_breaks_inside_values_do_not_shift_positions():
    """libyaml breaks lines at NEL, LS and PS too; positions follow the file's LF lines,
    as editors and GitHub number them, and the value keeps the character."""
    text = '---\nid: a\ntitle: "Billing\u2028page\x85errors"\nseverity: SEV-1\nx: [1\n---\n'
    src, findings = read_record(text.encode(), "f.md")
    assert src is None
    assert [(f.line, f.code) for f in findings] == [(6, "yaml-syntax")]
    src, findings = read_record(text.replace("x: [1\n", "x: 1\n").encode(), "f.md")
    assert findings == []
    assert src.front_matter.positions[("severity",)] == (4, 11)
    # YAML 1.1 keeps LS in a quoted scalar and folds NEL like a line break.
    assert src.front_matter.data["title"] == "Billing\u2028page errors"
