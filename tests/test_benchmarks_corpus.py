"""The benchmark corpus generator writes a realistic root that validates clean."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS_PY = REPO / "benchmarks" / "corpus.py"
INCIDENTS_BIN = Path(sys.executable).with_name("incidents")


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def root200(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus200")
    corpus.generate(root, 200, seed=0)
    return root


def test_generated_root_validates_clean(root200):
    result = subprocess.run(
        [str(INCIDENTS_BIN), "validate", "--root", str(root200), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0
    records = len(list((root200 / "incidents").rglob("*.md")))
    assert report["summary"]["files"] == records + 2  # every record plus the two policy files


def test_layout_counts_and_ids(root200):
    incident_files = sorted((root200 / "incidents").glob("20*/INC-*-[0-9][0-9][0-9][0-9][0-9][0-9].md"))
    assert len(incident_files) == 200
    years = {p.parent.name for p in incident_files}
    assert years <= {"2023", "2024", "2025", "2026"} and len(years) >= 3
    for p in incident_files:
        assert re.fullmatch(rf"INC-{p.parent.name}-\d{{6}}\.md", p.name)
        assert f"\nid: {p.stem}\n" in p.read_text(encoding="utf-8")
    postmortems = list((root200 / "incidents").rglob("*.postmortem.md"))
    resolved = sum(1 for p in incident_files if "\nstatus: resolved\n" in p.read_text(encoding="utf-8"))
    assert len(postmortems) == resolved // 5
    for p in postmortems:
        text = p.read_text(encoding="utf-8")
        assert "status: published" in text and "\ndate: " in text
        for section in (
            "Summary",
            "Impact",
            "Timeline",
            "Root Cause",
            "What Went Well",
            "What Could Be Improved",
            "Action Items",
            "Lessons Learned",
        ):
            assert f"\n## {section}\n\n" in text
        for placeholder in ("TBD", "TODO", "[INCIDENT-ID]"):
            assert placeholder not in text
    assert len(list((root200 / "incidents" / "maintenance").glob("MNT-*.md"))) == 4
    assert (root200 / "policy" / "policy.yml").is_file()
    services = (root200 / "policy" / "services.yml").read_text(encoding="utf-8")
    assert services.count("  - id: ") == 12


def test_files_are_realistic(root200):
    texts = [p.read_text(encoding="utf-8") for p in (root200 / "incidents").glob("20*/INC-*[0-9].md")]
    sizes = sorted(len(t.encode("utf-8")) for t in texts)
    assert 2500 <= statistics.median(sizes) <= 4000
    assert sizes[0] >= 1500 and sizes[-1] <= 5000
    fm_lines = [t.split("\n---\n", 1)[0].count("\n") for t in texts]
    assert 40 <= statistics.median(fm_lines) <= 70
    assert min(fm_lines) >= 25 and max(fm_lines) <= 75
    joined = "\n".join(texts)
    assert re.search(r"started_at: \S+[+-]\d\d:\d\d\n", joined), "some offsets other than Z"
    assert "visibility: internal" in joined
    assert re.search(r"\nimpact:\n  \w+: ", joined), "some per-service impact maps"
    assert re.search(r"\nstatus: (investigating|identified|monitoring)\n", joined), "an open incident"
    for t in texts:
        updates = t.split("\nupdates:\n", 1)[1].split("\ntimeline:\n", 1)[0].count("  - at: ")
        assert 3 <= updates <= 8
        body = t.split("\n---\n", 1)[1].strip()
        assert 2 <= len([p for p in body.split("\n\n") if not p.startswith("#")]) <= 5


def test_deterministic_for_a_seed(tmp_path):
    corpus.generate(tmp_path / "a", 40, seed=7)
    corpus.generate(tmp_path / "b", 40, seed=7)
    corpus.generate(tmp_path / "c", 40, seed=8)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_started_before_cutoff(root200):
    starts = re.findall(
        r"\nstarted_at: (\S+)\n",
        "\n".join(p.read_text(encoding="utf-8") for p in (root200 / "incidents").rglob("INC-*.md")),
    )
    from datetime import datetime

    parsed = [datetime.fromisoformat(s.replace("Z", "+00:00")) for s in starts]
    assert len(parsed) == 200
    assert all(corpus.START <= t < corpus.END for t in parsed)


def test_cli_writes_a_root(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            str(CORPUS_PY),
            str(out),
            "30",
            "--seed",
            "3",
            "--postmortem-every",
            "3",
            "--maintenance",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("incidents/20*/INC-*[0-9].md"))) == 30
    assert len(list(out.glob("incidents/maintenance/MNT-*.md"))) == 2
    check = subprocess.run(
        [str(INCIDENTS_BIN), "validate", "--root", str(out)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout
    records = len(list(out.rglob("incidents/**/*.md")))
    assert len(list(out.glob("incidents/20*/*.postmortem.md"))) >= 9  # every 3rd of ~30 resolved
    assert check.stdout.strip().endswith(f"0 errors, 0 warnings in {records + 2} files")
