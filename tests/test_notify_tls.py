"""Email delivery uses STARTTLS when the server offers it, and verifies the server's certificate: a real
aiosmtpd server on 127.0.0.1 that requires STARTTLS before AUTH, with a certificate made by openssl here."""

from __future__ import annotations

import shutil
import subprocess
from email.message import EmailMessage

import pytest

from incidents.notify.deliver import Deliverer
from notify_servers import certificate, free_port, plain_smtp  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
PASSWORD = "tls-only-password"


@pytest.fixture
def tls_server(tmp_path):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received = []

    class Box:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append({"tls": session.ssl is not None, "data": envelope.original_content})
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password.decode() == PASSWORD)

    port = free_port()
    controller = Controller(
        Box(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    yield port, cert, received
    controller.stop()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "[Investigating] API errors"
    msg["From"] = "status@example.com"
    msg["To"] = "status-announce@example.com"
    msg.set_content("We are investigating errors on the API.\n")
    return msg


def test_starttls_when_offered_then_login_and_send(tls_server, monkeypatch):
    port, cert, received = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
    outcome = Deliverer(sleep=lambda s: None).send_mail("127.0.0.1", port, message(), "mailer", PASSWORD)
    assert outcome.ok, outcome.detail
    assert received and received[0]["tls"] is True
    assert b"Subject: [Investigating] API errors" in received[0]["data"]


def test_an_untrusted_certificate_fails_at_once(tls_server, monkeypatch, tmp_path):
    port, cert, received = tls_server
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    sleeps = []
    outcome = Deliverer(sleep=sleeps.append).send_mail("127.0.0.1", port, message(), "mailer", PASSWORD)
    assert not outcome.ok and outcome.detail.startswith("TLS failed")
    assert outcome.attempts == 1 and sleeps == []
    assert received == []


def test_no_tls_means_no_password_and_no_message(plain_smtp):
    """A server that offers neither STARTTLS nor TLS never sees the credentials; the event is not delivered."""
    outcome = Deliverer(sleep=lambda s: None).send_mail("127.0.0.1", plain_smtp.port, message(), "mailer", PASSWORD)
    assert not outcome.ok and "offers no STARTTLS" in outcome.detail and "no password was sent" in outcome.detail
    assert outcome.attempts == 1
    assert plain_smtp.logins == [] and plain_smtp.messages == []
    # Without credentials there is nothing to protect: the message goes out.
    assert Deliverer(sleep=lambda s: None).send_mail("127.0.0.1", plain_smtp.port, message(), None, None).ok
    assert len(plain_smtp.messages) == 1 and plain_smtp.logins == []


def test_tls_true_speaks_tls_from_the_first_byte(certificate, monkeypatch):
    """`tls: true` (SMTPS): implicit TLS, then AUTH and the message."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    received = []

    class Box:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(server.transport.get_extra_info("ssl_object") is not None)
            return "250 OK"

    port = free_port()
    controller = Controller(
        Box(),
        hostname="127.0.0.1",
        port=port,
        ssl_context=context,
        authenticator=lambda *a: AuthResult(success=a[-1].password.decode() == PASSWORD),
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS as TLS; the connection is TLS from the start
    )
    controller.start()
    try:
        outcome = Deliverer(sleep=lambda s: None).send_mail("127.0.0.1", port, message(), "mailer", PASSWORD, tls=True)
    finally:
        controller.stop()
    assert outcome.ok, outcome.detail
    assert received == [True]
