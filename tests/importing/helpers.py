"""Shared by the import tests: run the CLI, snapshot a tree, compare with golden files."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from incidents.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "statuspage"
EXPECTED = FIXTURES / "expected"
REGENERATE = os.environ.get("INCIDENTS_REGENERATE_GOLDEN") == "1"


def run(*args, env=None):
    return CliRunner().invoke(cli, list(map(str, args)), env=env, catch_exceptions=False)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the root: its bytes and its modification time (ns)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            out[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def written(root: Path) -> dict[str, bytes]:
    """What an import leaves: the records and the service catalogue."""
    out = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "incidents").rglob("*.md"))}
    out["policy/services.yml"] = (root / "policy" / "services.yml").read_bytes()
    return out


def assert_golden(case: str, files: dict[str, bytes]) -> None:
    base = EXPECTED / case
    if REGENERATE:
        for rel, data in files.items():
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_bytes(data)
    expected = {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}
    assert sorted(files) == sorted(expected)
    for rel, data in files.items():
        assert data.decode() == expected[rel].decode(), rel
