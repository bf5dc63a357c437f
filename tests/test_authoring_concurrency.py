"""No lost edits: two real `incidents update` processes on one file at the same moment, many rounds.

Every update a command reports as written is in the file; a command that did not write says so (exit
status not 0, a message). Never a lost edit reported as success.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

from incidents.authoring.lock import lock_path, locked
from incidents.reading.validate import validate_root

ROUNDS = 15
POLICY = "severities:\n  - id: SEV-2\n    name: Major\nroles: [commander]\n"
SERVICES = "services:\n  - id: api\n    name: API\n"
INCIDENT = """---
id: INC-2026-0001
title: Checkout errors
severity: SEV-2
status: investigating
services: [api]
impact: partial_outage
started_at: 2026-02-10T10:00:00Z
detected_at: 2026-02-10T10:00:00Z
updates:
  - at: 2026-02-10T10:00:00Z
    status: investigating
    message: We are investigating.
---
"""
SCRIPT = "import sys; from incidents.cli import main; sys.argv = ['incidents'] + sys.argv[1:]; main()"


def _root(tmp_path: Path) -> Path:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents" / "2026").mkdir(parents=True)
    (tmp_path / "incidents" / "2026" / "INC-2026-0001.md").write_text(INCIDENT)
    return tmp_path


def _start(root: Path, message: str, at: str, status: str = "investigating") -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            SCRIPT,
            "update",
            "INC-2026-0001",
            "--status",
            status,
            "-m",
            message,
            "--at",
            at,
            "--root",
            str(root),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def test_two_concurrent_updates_never_lose_an_edit(tmp_path):
    root = _root(tmp_path)
    path = root / "incidents" / "2026" / "INC-2026-0001.md"
    written, refused = 0, 0
    for n in range(ROUNDS):
        at = f"2026-02-10T{11 + n // 60:02d}:{n % 60:02d}:00Z"
        procs = [(f"round {n} from process {k}", _start(root, f"round {n} from process {k}", at)) for k in "AB"]
        results = [(message, proc.wait(timeout=120), *proc.communicate()) for message, proc in procs]
        text = path.read_text(encoding="utf-8")
        for message, code, out, err in results:
            if code == 0:
                assert message in text, f"lost edit reported as success: {message!r}\n{out}{err}"
                written += 1
            else:
                assert err.strip() and "Traceback" not in err, err
                assert message not in text
                refused += 1
    report = validate_root(root)
    assert report.ok, report.findings
    messages = [u.message for u in report.repository.incident("INC-2026-0001").updates]
    assert len(messages) == 1 + written
    assert written + refused == 2 * ROUNDS
    assert written >= ROUNDS  # the lock makes the second wait, not fail
    assert not lock_path(path).exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp or lock file left


def test_a_held_lock_refuses_with_a_message(tmp_path):
    root = _root(tmp_path)
    path = root / "incidents" / "2026" / "INC-2026-0001.md"
    before = path.read_bytes()
    from datetime import datetime

    import incidents.authoring.record_edit as record_edit
    from incidents.authoring import AuthoringError
    from incidents.authoring.checks import load
    from incidents.authoring.lock import locked as lock_again

    with locked(path):
        original = record_edit.locked
        record_edit.locked = lambda p, what="": lock_again(p, wait=0.2, what=what)
        try:
            _, loaded = load(root)
            try:
                record_edit.update_incident(
                    root,
                    loaded,
                    "INC-2026-0001",
                    "identified",
                    "Found it.",
                    datetime(2026, 2, 10, 11, tzinfo=UTC),
                )
            except AuthoringError as exc:
                assert "being edited by another command" in exc.message and "nothing was written" in exc.message
            else:
                raise AssertionError("the update did not wait for the lock")
        finally:
            record_edit.locked = original
    assert path.read_bytes() == before
