"""`incidents ingest serve`: a small HTTP receiver for senders that cannot reach GitHub (Alertmanager).

Built on the standard library's `ThreadingHTTPServer`: a receiver that writes one record at a time
(every write is serialised by the lock anyway) gains nothing from an async stack, and it adds no
dependency to a tool teams install in CI. What it does per request:

1. the path names the source (`/alertmanager`, `/grafana`, `/pagerduty`, `/generic`), else 404;
2. `Content-Length` is required (411) and at most 1 MB (413, answered before the body is read);
3. authentication: `Authorization: Bearer <INCIDENTS_INGEST_TOKEN>` or
   `X-Incidents-Signature: sha256=<HMAC-SHA256 of the body with INCIDENTS_INGEST_HMAC_SECRET>`,
   compared in constant time (401 otherwise);
4. one writer thread: bring the checkout up to date, ingest, commit, push (rebase and retry on a
   rejected push), the requests waiting at that moment together in one commit; 200 only once
   committed (and pushed), 422 for a payload that cannot be recorded (nothing written), 503 when
   git failed (the sender retries; ingest is idempotent).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.ingest import INGEST_SYSTEMS, IngestError
from incidents.ingest.apply import Result, ingest_batch
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


class _Job:
    """One request waiting for the writer: its payload, and the answer once the writer is done."""

    def __init__(self, system: str, body: bytes):
        self.system, self.body = system, body
        self.done = threading.Event()
        self.answer: tuple[int, dict] = (503, {"error": "not recorded"})

    def finish(self, status: int, payload: dict) -> None:
        self.answer = (status, payload)
        self.done.set()


class Receiver:
    """One writer for the checkout (a thread), fed by the request threads.

    The writer takes every request waiting, brings the checkout up to date once, ingests each
    payload, and makes one commit and one push for all of them (group commit): under load a burst
    of alerts costs one push, not one each, and no two writes ever interleave. Each request is
    answered only when the commit holding its record is pushed.
    """

    def __init__(self, repo: Path, auth: Auth, *, push: bool = True, now=None, wait: float = 120.0):
        self.repo = Path(repo).resolve()
        self.auth = auth
        self.push = push
        self.wait = wait
        self.now = now or (lambda: datetime.now(UTC))
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.writer = threading.Thread(target=self._run, name="incidents-ingest-writer", daemon=True)
        self.writer.start()

    def record(self, system: str, body: bytes) -> tuple[int, dict]:
        job = _Job(system, body)
        self.jobs.put(job)
        if not job.done.wait(self.wait):
            return 503, {"error": f"not recorded within {self.wait:.0f}s; retry (ingest is idempotent)"}
        return job.answer

    def stop(self) -> None:
        self.jobs.put(None)

    def _run(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                return
            batch = [first]
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self.jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            try:
                write_batch(self.repo, batch, self.now(), self.push)
            except Exception as exc:  # noqa: BLE001 - a bug of ours answers 500; the writer keeps going
                for job in batch:
                    if not job.done.is_set():
                        job.finish(500, {"error": f"internal error ({type(exc).__name__}); nothing was recorded"})


def write_batch(repo: Path, batch: list[_Job], at: datetime, push: bool) -> None:
    """Sync, ingest every job's payload, one commit and one push; answer each job."""
    try:
        sync(repo)
    except IngestError as exc:
        for job in batch:
            job.finish(503, {"error": exc.message})
        return
    try:
        results = ingest_batch(repo, [(job.system, job.body) for job in batch], at)
    except (IngestError, AuthoringError) as exc:  # the policy itself cannot be used
        for job in batch:
            job.finish(422, {"error": exc.message})
        return
    recorded = []
    for job, result in zip(batch, results):
        if isinstance(result, Result):
            recorded.append((job, result))
        else:
            job.finish(422, {"error": result.message})
    lines = [o.line() for _, result in recorded for o in result.outcomes if o.action in ("created", "updated")]
    changed = any(result.paths for _, result in recorded)
    message = f"ingest: {lines[0]}" if len(lines) == 1 else f"ingest: {len(lines)} records\n\n" + "\n".join(lines)
    try:
        # `incidents` as a whole: also what an earlier failed commit left behind
        commit = commit_and_push(repo, ["incidents"] if changed else [], message[:20000], push=push)
    except IngestError as exc:
        for job, _ in recorded:
            job.finish(503, {"error": exc.message})
        return
    for job, result in recorded:
        job.finish(200, {"commit": commit if result.paths else None, "results": [o.line() for o in result.outcomes]})


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


class IngestServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def server_close(self) -> None:
        super().server_close()
        self.receiver.stop()


def make_server(repo: Path, host: str, port: int, *, push: bool = True, env=None) -> IngestServer:
    env = os.environ if env is None else env
    auth = Auth(env.get(TOKEN_ENV), env.get(SECRET_ENV))
    check_checkout(Path(repo))
    receiver = Receiver(Path(repo), auth, push=push)
    server = IngestServer((host, port), make_handler(receiver))
    server.receiver = receiver
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
