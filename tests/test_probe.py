"""`incidents probe` against a local HTTP server that goes down and comes back: the CSV lines, the
incident after `fail_after` failures (detected at the first), the recovery entry, never a second
record; and services.yml's `probe:` checked at its lines."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.reading.validate import validate_root

POLICY = "severities:\n  - id: SEV-1\n    name: Critical\n  - id: SEV-2\n    name: Major\n"


class Health:
    """What the local service answers: a status and a body, changed by the test."""

    status = 200
    body = b"ok"


@pytest.fixture
def service():
    state = Health()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield state, srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def make(tmp_path: Path, port: int, probe: str | None = None) -> Path:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    probe = (
        probe
        or f'{{url: "http://127.0.0.1:{port}/health", expect_status: 200, contains: "ok", '
        "timeout: 2s, fail_after: 3, severity: SEV-2}"
    )
    (tmp_path / "policy" / "services.yml").write_text(
        f"services:\n  - id: api\n    name: Public API\n    probe: {probe}\n  - id: web\n    name: Website\n"
    )
    return tmp_path


def probe(root: Path, at: str):
    result = CliRunner().invoke(cli, ["probe", "--root", str(root), "--at", at])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_service_that_goes_down_becomes_an_incident_within_fail_after_checks(tmp_path, service):
    state, port = service
    root = make(tmp_path, port)
    assert "api: ok" in probe(root, "2026-04-30T23:55:00Z")
    state.status, state.body = 503, b"down"
    assert "created" not in probe(root, "2026-05-01T00:00:00Z")
    state.status, state.body = 200, b"maintenance page"  # 200 but not the expected text: still down
    assert "created" not in probe(root, "2026-05-01T00:05:00Z")
    out = probe(root, "2026-05-01T00:10:00Z")
    assert "created INC-2026-0001" in out
    assert "created" not in probe(root, "2026-05-01T00:15:00Z")  # never a second record
    state.body = b"ok"
    assert "recovered" in probe(root, "2026-05-01T00:20:00Z")
    assert "recovered" not in probe(root, "2026-05-01T00:25:00Z")

    april = (root / "probes/api/2026-04.csv").read_text().splitlines()
    may = (root / "probes/api/2026-05.csv").read_text().splitlines()
    assert april[0] == may[0] == "at,ok,status,ms,error"
    assert april[1].startswith("2026-04-30T23:55:00Z,1,200,")
    assert [ln.split(",")[1] for ln in may[1:]] == ["0", "0", "0", "0", "1", "1"]
    assert may[1].startswith("2026-05-01T00:00:00Z,0,503,") and may[1].endswith("HTTP 503 (expected 200)")
    assert "does not contain `ok`" in may[2]
    assert not (root / "probes/web").exists()

    text = (root / "incidents/2026/INC-2026-0001.md").read_text()
    assert "detected_at: 2026-05-01T00:00:00Z" in text and "started_at: 2026-05-01T00:00:00Z" in text
    assert 'id: "api-20260501T000000Z"' in text and "system: probe" in text
    assert "severity: SEV-2" in text and "visibility: internal" in text
    assert "Probe passes again: HTTP 200" in text and "status: investigating" in text
    assert [f for f in validate_root(root, cache=False, jobs=1).findings if f.level == "error"] == []


def test_a_service_that_does_not_answer(tmp_path):
    root = make(tmp_path, 9, probe='{url: "http://127.0.0.1:9/", timeout: 1s, fail_after: 1}')
    out = probe(root, "2026-05-01T00:00:00Z")
    assert "FAILED" in out and "created INC-2026-0001" in out
    line = (root / "probes/api/2026-05.csv").read_text().splitlines()[1]
    assert line.startswith("2026-05-01T00:00:00Z,0,,,")


def test_probe_keys_are_checked_at_their_lines(tmp_path):
    block = "\n      url: ftp://x\n      expect_status: 700\n      timeout: 1y\n      fail_after: 0\n      contians: ok"
    root = make(tmp_path, 0, probe=block)
    found = {
        (f.line, f.column, f.code)
        for f in validate_root(root, cache=False, jobs=1).findings
        if f.path == "policy/services.yml"
    }
    assert found == {
        (5, 12, "invalid-url"),
        (6, 22, "invalid-value"),
        (7, 16, "invalid-duration"),
        (8, 19, "invalid-value"),
        (9, 7, "unknown-field"),
    }
    messages = [f.message for f in validate_root(root, cache=False, jobs=1).findings if f.code == "unknown-field"]
    assert "did you mean `contains`?" in messages[0]


def test_window_figures_from_the_csv_lines():
    from datetime import UTC, datetime

    from incidents.mkdocs_plugin.probes import window_figures
    from incidents.probe.run import parse_csv

    now = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
    checks = parse_csv(
        "at,ok,status,ms,error\n"
        "2026-05-01T13:00:00Z,1,200,900,\n"  # 30 days only
        "2026-05-27T12:00:00Z,0,503,5,HTTP 503 (expected 200)\n"  # 7 and 30 days
        "2026-05-31T00:00:00Z,1,200,100,\n"
        "2026-05-31T06:00:00Z,1,200,300,\n"
        "2026-05-31T11:00:00Z,0,,,timeout\n"
        "garbage line\n"
    )
    day, week, month = window_figures(checks, now)
    assert (day["label"], day["checks"], day["uptime"], day["median_ms"], day["p95_ms"]) == (
        "24 hours",
        3,
        "66.67",
        200,
        300,
    )
    assert (week["checks"], week["uptime"], week["median_ms"]) == (4, "50.00", 200)
    assert (month["checks"], month["uptime"], month["p95_ms"]) == (5, "60.00", 900)


def test_the_status_page_shows_what_the_probe_measured(tmp_path, service):
    import os
    import subprocess
    import sys

    state, port = service
    root = tmp_path / "site-repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1780272000")  # 2026-06-01T00:00:00Z
    assert subprocess.run([sys.executable, "-m", "incidents", "init", "."], cwd=root, env=env).returncode == 0
    services = root / "policy/services.yml"
    services.write_text(
        services.read_text().replace(
            "    description: The public API.\n",
            f'    description: The public API.\n    probe: {{url: "http://127.0.0.1:{port}/", fail_after: 2}}\n',
        )
    )
    for at in ("2026-05-31T23:50:00Z", "2026-05-31T23:55:00Z"):
        probe(root, at)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=root,
        env=env,
        check=True,
    )
    html = (tmp_path / "site/index.html").read_text()
    assert 'aria-label="API: measured by its probe"' in html and "Last 24 hours" in html and "100.00%" in html
    assert "Website: measured by its probe" not in html
