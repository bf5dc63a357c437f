"""The codes registry: the manual's codes page is generated from it, and every code validate can emit is
produced by at least one golden case (tests/fixtures/findings)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from incidents.codes import CODES, codes_table

REPO = Path(__file__).resolve().parent.parent
FINDINGS = Path(__file__).parent / "fixtures" / "findings"
GENERATOR = REPO / "generator" / "incidents"
VALIDATE_MODULES = [
    GENERATOR / n
    for n in (
        "records/source.py",
        "records/fields.py",
        "policy/policy_file.py",
        "policy/severities.py",
        "policy/templates.py",
        "reading/validate.py",
    )
] + sorted((GENERATOR / "rules").glob("*.py"))
NEVER_GOLDEN = {
    "internal-error",
    "unreadable",  # a bug of ours; a file the OS cannot read
    "unsafe-file",
    "unreadable-folder",
}  # FIFOs, devices, symlinks out of the root, locked
# folders: kinds of file a fixture folder cannot hold; tests/test_discovery_kinds.py makes them


def _quoted_codes(path: Path) -> set[str]:
    text = path.read_text()
    return {c for c in CODES if re.search(rf"[\"']{re.escape(c)}[\"']", text)}


@functools.cache
def gate_codes() -> frozenset[str]:
    """Codes only `incidents check` emits (its gates), not validate."""
    validate_side = set().union(*(_quoted_codes(p) for p in VALIDATE_MODULES))
    return frozenset(set().union(*(_quoted_codes(p) for p in (GENERATOR / "gates").glob("*.py"))) - validate_side)


def golden_codes() -> set[str]:
    out = set()
    for expected in FINDINGS.glob("*/expected.json"):
        out |= {f["code"] for f in json.loads(expected.read_text())["findings"]}
    return out


def reference_page() -> str:
    from reference import codes_markdown

    return codes_markdown()


def test_codes_are_well_formed():
    for code, (level, meaning) in CODES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert level in ("error", "warning"), code
        assert meaning.strip().endswith((".", ")")), code


def test_the_manual_codes_page_is_generated_from_codes():
    table = reference_page()
    assert codes_table() in table
    for code, (level, _) in CODES.items():
        assert f"| `{code}` | {level} |" in table


def test_every_validate_code_has_a_golden_case():
    missing = set(CODES) - NEVER_GOLDEN - gate_codes() - golden_codes()
    assert not missing, f"codes no golden case produces: {sorted(missing)}"


def test_golden_cases_use_only_registered_codes_at_their_level():
    for expected in FINDINGS.glob("*/expected.json"):
        for f in json.loads(expected.read_text())["findings"]:
            assert f["code"] in CODES, (expected, f)
            assert f["code"] not in gate_codes(), (expected, f)
            assert f["level"] == CODES[f["code"]][0], (expected, f)


def test_every_code_is_emitted_somewhere():
    """Each registered code is written in some module (no dead entries in the registry)."""
    emitted = set().union(*(_quoted_codes(p) for p in GENERATOR.rglob("*.py") if p.name != "codes.py"))
    emitted |= {"update-order", "timeline-order"}  # built as f"{key}-order" in rules/common.py
    assert set(CODES) <= emitted, sorted(set(CODES) - emitted)


def test_gate_codes_are_the_check_area():
    gates = gate_codes()
    assert "postmortem-missing" in gates and "update-overdue" in gates
    assert not gates & golden_codes()
