"""Servers on 127.0.0.1 for the notify tests: an HTTP receiver that records every request (and can answer
500, 429 with Retry-After, 404... first), and real SMTP servers (aiosmtpd) with AUTH: `smtp` offers
STARTTLS with a certificate made here by openssl (trusted through SSL_CERT_FILE for the test), and
`plain_smtp` offers no TLS at all (it must never receive a password)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SMTP_PASSWORD = "smtp-pass-Zk3!"


class Receiver:
    """An HTTP server that records every request; `script[path]` lists (status, headers) answers to give
    first (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: dict[str, list[tuple[int, dict]]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                answers = receiver.script.get(self.path) or []
                status, headers = answers.pop(0) if answers else (200, {})
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.logins: list[tuple[str, str]] = []
        self.tls: list[bool] = []  # per message: did it arrive over TLS
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        self.tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (cert path, key path)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _serve(box: Mailbox, **options):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        box.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password.decode() == SMTP_PASSWORD)

    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port, authenticator=authenticator, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp(certificate, monkeypatch):
    """STARTTLS offered, AUTH only after it; the test (and the processes it starts) trust its certificate."""
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    box = Mailbox()
    controller = _serve(box, tls_context=context, require_starttls=False, auth_require_tls=True)
    yield box
    controller.stop()


@pytest.fixture
def plain_smtp():
    """No TLS of any kind; AUTH offered in clear (a server no password must ever reach)."""
    box = Mailbox()
    controller = _serve(box, auth_require_tls=False)
    yield box
    controller.stop()
