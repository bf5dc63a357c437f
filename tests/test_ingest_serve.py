"""`incidents ingest serve` for real: Debian's `prometheus-alertmanager` on 127.0.0.1 routes to the
receiver, which commits and pushes each record in a fresh `incidents init` checkout with a bare remote.
And what it refuses: wrong or missing credentials, bodies over 1 MB, unknown paths, a start without a
secret - each with nothing written.

The Alertmanager test is skipped (saying why) only when the binary is missing; `make test` installs it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from incidents.ingest import IngestError
from incidents.ingest.server import make_server

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
TOKEN = "test-token-Zq9"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENTS_INGEST")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(cwd: Path, *args: str) -> str:
    env = dict(ENV, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def incidents(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incidents", *args], cwd=cwd, capture_output=True, text=True, env=ENV)


@pytest.fixture
def checkout(tmp_path):
    """A fresh `incidents init` repository, committed and pushed to a bare remote."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    assert incidents("init", ".", cwd=work).returncode == 0
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "init")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "-u", "origin", "main")
    return work, remote


def remote_log(remote: Path) -> list[str]:
    return git(remote, "log", "--format=%s", "main").splitlines()


def remote_file(remote: Path, path: str) -> str:
    return git(remote, "show", f"main:{path}")


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def post(port: int, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    if len(body) > 1024 * 1024:
        # The receiver answers 413 from the headers and closes without reading the body: send the
        # headers, read the answer, and never get to the body.
        conn.putrequest("POST", path)
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data or b"{}")
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data or b"{}")


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (make test installs it)")
def test_an_alert_fired_in_alertmanager_becomes_a_committed_internal_incident_once(checkout, tmp_path):
    work, remote = checkout
    port, am_port = free_port(), free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        "route:\n  receiver: incidents\n  group_by: [alertname]\n"
        "  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 3s\n"
        "receivers:\n  - name: incidents\n    webhook_configs:\n"
        f"      - url: http://127.0.0.1:{port}/alertmanager\n        send_resolved: true\n"
        f"        http_config:\n          authorization: {{type: Bearer, credentials: {TOKEN}}}\n"
    )
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "incidents", "ingest", "serve", "--repo", str(work), "--port", str(port)],
        env=dict(ENV, INCIDENTS_INGEST_TOKEN=TOKEN),
        stderr=log,
    )
    am = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _up(am_port, "/-/ready") and _up(port, "/healthz"), 30, "Alertmanager and the receiver")
        alert = {
            "labels": {"alertname": "CheckoutErrors", "service": "api", "severity": "critical"},
            "annotations": {"summary": "5xx above 5% on checkout"},
        }
        assert (
            post(am_port, "/api/v2/alerts", json.dumps([alert]).encode(), {"Content-Type": "application/json"})[0]
            == 200
        )
        # "Within seconds": Alertmanager waits group_wait (1s); the bound only keeps a broken run from hanging.
        wait_for(lambda: len(remote_log(remote)) == 2, 30, "the record's commit on the remote")
        [subject, _init] = remote_log(remote)
        assert subject.startswith("ingest: created INC-")
        rel = subject.split("(")[1].split(")")[0]
        text = remote_file(remote, rel)
        assert "visibility: internal" in text and "severity: SEV-1" in text and "services: [api]" in text
        assert "5xx above 5% on checkout" in text and text.count("event:") == 1

        # Alertmanager repeats the notification after repeat_interval: no second record, no new commit.
        requests = lambda: (tmp_path / "serve.log").read_text().count("POST /alertmanager")  # noqa: E731
        wait_for(lambda: requests() >= 3, 30, "Alertmanager's repeated notifications")
        assert len(remote_log(remote)) == 2
        assert remote_file(remote, rel) == text

        alert["endsAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        post(am_port, "/api/v2/alerts", json.dumps([alert]).encode(), {"Content-Type": "application/json"})
        wait_for(lambda: len(remote_log(remote)) == 3, 30, "the resolved alert's commit")
        text = remote_file(remote, rel)
        assert "Alertmanager resolved: CheckoutErrors" in text and "status: investigating" in text
        clone = tmp_path / "clone"
        git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(clone))
        assert "\n0 errors," in "\n" + incidents("validate", cwd=clone).stdout
        # Nothing reaches the public site until a person runs `update`: the record is internal.
        built = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(tmp_path / "site")],
            cwd=clone,
            capture_output=True,
            text=True,
            env=dict(ENV, NO_MKDOCS_2_WARNING="1"),
        )
        assert built.returncode == 0, built.stderr
        public = " ".join(p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*") if p.is_file())
        assert "5xx above 5% on checkout" not in public and "CheckoutErrors" not in public
    finally:
        for proc in (am, serve):
            proc.terminate()
            proc.wait(timeout=10)
        log.close()


def _up(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


@pytest.fixture
def server(checkout):
    work, remote = checkout
    env = {"INCIDENTS_INGEST_TOKEN": TOKEN, "INCIDENTS_INGEST_HMAC_SECRET": "hmac-secret"}
    srv = make_server(work, "127.0.0.1", 0, env=env)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1], work, remote
    srv.shutdown()
    srv.server_close()


GENERIC = json.dumps(
    {"id": "db-disk", "title": "Disk 95% full", "status": "firing", "at": "2026-05-01T09:00:00Z", "service": "web"}
).encode()


def test_hmac_signed_generic_alert_is_committed_and_pushed(server):
    port, work, remote = server
    signature = "sha256=" + hmac.new(b"hmac-secret", GENERIC, hashlib.sha256).hexdigest()
    status, answer = post(port, "/generic", GENERIC, {"X-Incidents-Signature": signature})
    assert status == 200, answer
    assert answer["commit"] == git(remote, "rev-parse", "main").strip()
    assert post(port, "/generic", GENERIC, {"Authorization": f"Bearer {TOKEN}"})[1]["commit"] is None  # idempotent


@pytest.mark.parametrize(
    ("path", "body", "headers", "status"),
    [
        ("/generic", GENERIC, {"Authorization": "Bearer wrong"}, 401),
        ("/generic", GENERIC, {}, 401),
        ("/generic", GENERIC, {"X-Incidents-Signature": "sha256=" + "0" * 64}, 401),
        ("/generic", b"x" * (2 * 1024 * 1024), {"Authorization": f"Bearer {TOKEN}"}, 413),
        ("/../../etc", GENERIC, {"Authorization": f"Bearer {TOKEN}"}, 404),
        ("/generic", b"{not json", {"Authorization": f"Bearer {TOKEN}"}, 422),
    ],
)
def test_refused_requests_write_nothing(server, path, body, headers, status):
    port, work, remote = server
    before = git(work, "status", "--porcelain", "--untracked-files=all"), remote_log(remote)
    assert post(port, path, body, headers)[0] == status
    assert (git(work, "status", "--porcelain", "--untracked-files=all"), remote_log(remote)) == before
    assert not list((work / "incidents").rglob("INC-*.md"))


def test_a_rejected_push_is_rebased_and_retried(checkout, tmp_path):
    """Someone pushed between our sync and our push: the push is rejected, rebased, pushed again."""
    from incidents.ingest.gitsync import commit_and_push

    work, remote = checkout
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(other))
    (other / "README-ops.md").write_text("someone else pushed first\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "elsewhere")
    git(other, "push", "-q")
    (work / "incidents" / "2026").mkdir(parents=True)
    (work / "incidents" / "2026" / "note.md").write_text("x\n")
    head = commit_and_push(work, ["incidents"], "ingest: ours")
    assert remote_log(remote) == ["ingest: ours", "elsewhere", "init"]
    assert head == git(remote, "rev-parse", "main").strip()


def test_serve_refuses_to_start_without_a_secret(checkout):
    work, _ = checkout
    with pytest.raises(IngestError, match="INCIDENTS_INGEST_TOKEN"):
        make_server(work, "127.0.0.1", 0, env={})
    result = incidents("ingest", "serve", "--repo", str(work), "--port", "0", cwd=work)
    assert result.returncode == 2 and "never runs without authentication" in result.stderr
