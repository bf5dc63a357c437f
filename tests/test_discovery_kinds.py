"""File kinds in discovery (FORMAT.md section 8): only regular files inside the root are read."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from incidents.reading.discovery import record_files, scan_records
from incidents.reading.validate import validate_root

BASE = Path(__file__).resolve().parent / "fixtures" / "findings" / "_base" / "policy"
GOOD = Path(__file__).resolve().parent / "fixtures" / "findings" / "unknown_status" / "incidents" / "2026"


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(BASE, root / "policy")
    (root / "incidents" / "2026").mkdir(parents=True)
    text = (GOOD / "INC-2026-0001.md").read_text().replace("status: fixed", "status: resolved")
    (root / "incidents" / "2026" / "INC-2026-0001.md").write_text(text)
    return root


def codes(report) -> dict[str, str]:
    return {f.path: f.code for f in report.findings}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_device_and_symlinks_out_of_the_root_are_errors_never_read(tmp_path):
    root = make_root(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_text(
        (root / "incidents" / "2026" / "INC-2026-0001.md")
        .read_text()
        .replace("INC-2026-0001", "INC-2026-0777")
        .replace("Slow API", "OUTSIDE-TEXT")
    )
    inc = root / "incidents"
    os.mkfifo(inc / "pipe.md")
    (inc / "zero.md").symlink_to("/dev/zero")
    (inc / "out.md").symlink_to(outside)
    (inc / "outdir").symlink_to(tmp_path)
    (inc / "inside.md").symlink_to(inc / "2026" / "INC-2026-0001.md")  # inside: read (a duplicate id)
    (inc / "loop").symlink_to(inc)  # a loop inside the root: walked once
    result: dict = {}
    worker = threading.Thread(target=lambda: result.setdefault("report", validate_root(root)), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "validate hung on a FIFO or a device"
    report = result["report"]
    found = codes(report)
    for rel in ("incidents/pipe.md", "incidents/zero.md", "incidents/out.md", "incidents/outdir"):
        assert found.get(rel) == "unsafe-file", (rel, found)
    assert found.get("incidents/inside.md") == "duplicate-id"
    messages = " ".join(f.message for f in report.findings)
    assert "FIFO" in messages and "outside the root" in messages
    assert all(i.title != "OUTSIDE-TEXT" for i in report.repository.incidents)
    assert record_files(root) == ["incidents/2026/INC-2026-0001.md", "incidents/inside.md"]


def test_an_unreadable_folder_is_an_error_not_skipped(tmp_path, monkeypatch):
    root = make_root(tmp_path)
    locked = root / "incidents" / "locked"
    locked.mkdir()
    (locked / "INC-2026-0002.md").write_text("---\n")
    real_scandir = os.scandir

    def scandir(path="."):  # as for a folder without read permission (root reads any folder)
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, findings = scan_records(root)
    assert files == ["incidents/2026/INC-2026-0001.md"]
    assert [(f.path, f.level, f.code) for f in findings] == [("incidents/locked", "error", "unreadable-folder")]
    report = validate_root(root)
    assert report.errors == 1 and report.findings[0].code == "unreadable-folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unreadable_folder_for_real(tmp_path):
    root = make_root(tmp_path)
    locked = root / "incidents" / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert "unreadable-folder" in codes(validate_root(root)).values()
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_policy_files_that_are_fifos_or_lead_outside_are_errors_never_read(tmp_path):
    root = make_root(tmp_path)
    outside = tmp_path / "services.yml"
    shutil.move(root / "policy" / "services.yml", outside)
    (root / "policy" / "services.yml").symlink_to(outside)
    os.mkfifo(root / "policy" / "notify.yml")
    result: dict = {}
    worker = threading.Thread(target=lambda: result.setdefault("report", validate_root(root)), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "validate hung on a FIFO in policy/"
    found = codes(result["report"])
    assert found.get("policy/services.yml") == "unsafe-file", found
    assert found.get("policy/notify.yml") == "unsafe-file", found
