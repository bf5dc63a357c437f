"""`incidents ingest serve`: a small HTTP receiver for senders that cannot reach GitHub (Alertmanager).

Built on the standard library's `ThreadingHTTPServer`: a receiver that writes one record at a time
(every write is serialised by the lock anyway) gains nothing from an async stack, and it adds no
dependency to a tool teams install in CI. What it does per request:

1. the path names the source (`/alertmanager`, `/grafana`, `/pagerduty`, `/generic`), else 404;
2. `Content-Length` is required (411) and at most 1 MB (413, answered before the body is read);
3. authentication: `Authorization: Bearer <INCIDENTS_INGEST_TOKEN>` or
   `X-Incidents-Signature: sha256=<HMAC-SHA256 of the body with INCIDENTS_INGEST_HMAC_SECRET>`,
   compared in constant time (401 otherwise);
4. under one lock: bring the checkout up to date, ingest, commit, push (rebase and retry on a
   rejected push); 200 only once committed (and pushed), 422 for a payload that cannot be recorded
   (nothing written), 503 when git failed (the sender retries; ingest is idempotent).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.ingest import INGEST_SYSTEMS, IngestError
from incidents.ingest.apply import ingest
from incidents.ingest.gitsync import check_checkout, commit_and_push, sync
from incidents.ingest.payloads import MAX_BODY

TOKEN_ENV = "INCIDENTS_INGEST_TOKEN"
SECRET_ENV = "INCIDENTS_INGEST_HMAC_SECRET"


class Auth:
    def __init__(self, token: str | None, secret: str | None):
        if not token and not secret:
            raise IngestError(
                f"set {TOKEN_ENV} (a bearer token) or {SECRET_ENV} (an HMAC secret) in the environment; "
                "the receiver never runs without authentication"
            )
        self.token = token.encode() if token else None
        self.secret = secret.encode() if secret else None

    def ok(self, headers, body: bytes) -> bool:
        auth = headers.get("Authorization", "")
        if self.token and auth[:7].lower() == "bearer " and hmac.compare_digest(auth[7:].strip().encode(), self.token):
            return True
        signature = headers.get("X-Incidents-Signature", "")
        if self.secret and signature.startswith("sha256="):
            expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
            return hmac.compare_digest(signature.strip().encode(), expected.encode())
        return False


class Receiver:
    """The state one server shares between its request threads."""

    def __init__(self, repo: Path, auth: Auth, *, push: bool = True, now=None):
        self.repo = Path(repo).resolve()
        self.auth = auth
        self.push = push
        self.lock = threading.Lock()
        self.now = now or (lambda: datetime.now(UTC))

    def record(self, system: str, body: bytes) -> tuple[int, dict]:
        with self.lock:
            try:
                sync(self.repo)
                result = ingest(self.repo, system, body, self.now())
            except (IngestError, AuthoringError) as exc:
                if isinstance(exc, IngestError) and exc.message.startswith("git "):
                    return 503, {"error": exc.message}
                return 422, {"error": exc.message}
            paths = ["incidents"] if result.paths else []  # also what an earlier failed commit left
            message = "ingest: " + "; ".join(o.line() for o in result.outcomes)
            try:
                commit = commit_and_push(self.repo, paths, message[:2000], push=self.push)
            except IngestError as exc:
                return 503, {"error": exc.message}
            return 200, {"commit": commit, "results": [o.line() for o in result.outcomes]}


def make_handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        server_version = "incidents-ingest"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, payload: dict, *, close: bool = False) -> None:
            body = (json.dumps(payload) + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - the http.server naming
            if self.path == "/healthz":
                self._answer(200, {"ok": True})
            else:
                self._answer(404, {"error": "POST to /alertmanager, /grafana, /pagerduty or /generic"})

        def do_POST(self):  # noqa: N802
            system = self.path.split("?", 1)[0].strip("/")
            if system not in INGEST_SYSTEMS:
                return self._answer(
                    404, {"error": f"unknown path; use one of /{', /'.join(INGEST_SYSTEMS)}"}, close=True
                )
            length_text = self.headers.get("Content-Length")
            if length_text is None or not length_text.isdigit():
                return self._answer(411, {"error": "a Content-Length is required"}, close=True)
            length = int(length_text)
            if length > MAX_BODY:
                return self._answer(413, {"error": "the body is over the 1 MB limit"}, close=True)
            body = self.rfile.read(length)
            if not receiver.auth.ok(self.headers, body):
                return self._answer(401, {"error": "missing or wrong credentials"}, close=True)
            status, payload = receiver.record(system, body)
            self._answer(status, payload)

        def log_message(self, format, *args):  # noqa: A002 - the http.server signature
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    return Handler


def make_server(repo: Path, host: str, port: int, *, push: bool = True, env=None) -> ThreadingHTTPServer:
    env = os.environ if env is None else env
    auth = Auth(env.get(TOKEN_ENV), env.get(SECRET_ENV))
    check_checkout(Path(repo))
    server = ThreadingHTTPServer((host, port), make_handler(Receiver(Path(repo), auth, push=push)))
    server.daemon_threads = True
    return server


def run_server(repo: Path, host: str, port: int, *, push: bool = True) -> None:
    server = make_server(repo, host, port, push=push)
    print(
        f"incidents ingest: listening on http://{host}:{server.server_port}/ for {Path(repo).resolve()}",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        server.server_close()
