"""Golden tests: each folder under tests/fixtures/findings/ is a root; validate must report exactly
the findings and summary of its expected.json (see tests/fixtures/findings/README.md).

`UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites the expected files; review every changed file
by eye before committing: an expected file must be RIGHT, not just what the code prints today.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from incidents.findings import count_levels
from incidents.reading.validate import validate_root

FINDINGS = Path(__file__).parent / "fixtures" / "findings"
BASE_POLICY = FINDINGS / "_base" / "policy"
CASES = sorted(p.name for p in FINDINGS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def golden_root(case: str, tmp_path: Path) -> Path:
    """A copy of the case's root, with the shared policy when the case has no policy/ folder."""
    root = tmp_path / case
    shutil.copytree(FINDINGS / case, root, ignore=shutil.ignore_patterns("expected.json"))
    if not (root / "policy").exists():
        shutil.copytree(BASE_POLICY, root / "policy")
    return root


def actual_result(root: Path) -> dict:
    report = validate_root(root)
    findings = list(report.findings)
    errors, warnings = count_levels(findings)
    return {
        "findings": [f.as_dict() for f in findings],
        "summary": {"files": report.files, "errors": errors, "warnings": warnings},
    }


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    root = golden_root(case, tmp_path)
    actual = actual_result(root)
    expected_file = FINDINGS / case / "expected.json"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert actual == expected


def test_enough_cases() -> None:
    assert len(CASES) >= 45
    for case in CASES:
        assert (FINDINGS / case / "expected.json").is_file(), f"{case} has no expected.json"
