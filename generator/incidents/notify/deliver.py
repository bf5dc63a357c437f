"""Delivery: HTTP POST (webhook, Slack) with `requests`, email with the standard library's smtplib.

Every attempt has a 10-second timeout. Up to 3 retries (4 attempts) with
backoff on connection errors, HTTP 429 (waiting what `Retry-After` says) and
5xx, and on SMTP's transient 4xx replies; other 4xx (and SMTP 5xx) fail at
once. The waits are injectable (`sleep`, `backoff`) so tests run fast.
Failure reasons name the status or the kind of error, never a URL (a Slack
webhook URL is itself a secret) or any other secret.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

TIMEOUT = 10.0
RETRIES = 3
BACKOFF = (1.0, 4.0, 16.0)  # seconds before retry 1, 2, 3
MAX_RETRY_AFTER = 120.0
USER_AGENT = "incident-as-code-notify"
SIGNATURE_HEADER = "X-Incidents-Signature"


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _Fail(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Outcome:
    ok: bool
    detail: str  # "HTTP 200", "HTTP 500 after 4 attempts", "SMTP 250"...
    attempts: int


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now() if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    try:
        server.login(username, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise _Fail(f"SMTP authentication failed ({exc.smtp_code})") from None
    except smtplib.SMTPServerDisconnected:
        raise _Fail("SMTP authentication failed (the server closed the connection)") from None


class Deliverer:
    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        backoff: tuple[float, ...] = BACKOFF,
        timeout: float = TIMEOUT,
        retries: int = RETRIES,
    ):
        self.sleep = sleep
        self.backoff = backoff
        self.timeout = timeout
        self.retries = retries

    def _with_retries(self, attempt: Callable[[], str]) -> Outcome:
        tries = 0
        while True:
            tries += 1
            try:
                return Outcome(True, attempt(), tries)
            except _Fail as exc:
                return Outcome(False, exc.reason, tries)
            except _Retry as exc:
                if tries > self.retries:
                    return Outcome(False, f"{exc.reason} after {tries} attempts", tries)
                wait = exc.wait if exc.wait is not None else self.backoff[min(tries - 1, len(self.backoff) - 1)]
                if wait > MAX_RETRY_AFTER:
                    return Outcome(
                        False,
                        f"{exc.reason}; Retry-After asks for {wait:.0f} s, more than {MAX_RETRY_AFTER:.0f} s",
                        tries,
                    )
                self.sleep(wait)

    # -- HTTP --------------------------------------------------------------------------------
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        import requests

        def attempt() -> str:
            try:
                resp = requests.post(
                    url,
                    data=body,
                    headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout:
                raise _Retry(f"no answer within {self.timeout:.0f} s") from None
            except requests.ConnectionError:
                raise _Retry("connection failed") from None
            except requests.RequestException as exc:
                raise _Fail(f"request failed ({type(exc).__name__})") from None
            code = resp.status_code
            if 200 <= code < 300:
                return f"HTTP {code}"
            if code == 429:
                raise _Retry("HTTP 429", retry_after(resp.headers.get("Retry-After")))
            if code >= 500:
                raise _Retry(f"HTTP {code}")
            raise _Fail(f"HTTP {code}")

        return self._with_retries(attempt)

    # -- SMTP --------------------------------------------------------------------------------
    def send_mail(
        self,
        host: str,
        port: int,
        msg: EmailMessage,
        username: str | None,
        password: str | None,
        *,
        tls: bool = False,
    ) -> Outcome:
        """`tls` (or port 465): TLS from the first byte; else STARTTLS when the server offers it. Credentials
        only ever travel over TLS: a server that offers none gets no password and no message."""
        implicit = tls or port == 465

        def attempt() -> str:
            try:
                with _connect(host, port, implicit, self.timeout) as server:
                    _secure(server, implicit, bool(username))
                    if username:
                        _login(server, username, password or "")
                    refused = server.send_message(msg)
                if refused:
                    raise _Fail(f"SMTP refused {len(refused)} recipient(s)")
                return "SMTP 250"
            except smtplib.SMTPAuthenticationError as exc:
                raise _Fail(f"SMTP authentication failed ({exc.smtp_code})") from None
            except smtplib.SMTPRecipientsRefused as exc:
                raise _Fail(f"SMTP refused all {len(exc.recipients)} recipient(s)") from None
            except smtplib.SMTPResponseException as exc:
                if 400 <= exc.smtp_code < 500:
                    raise _Retry(f"SMTP {exc.smtp_code}") from None
                raise _Fail(f"SMTP {exc.smtp_code}") from None
            except smtplib.SMTPNotSupportedError:
                raise _Fail("the SMTP server does not support authentication") from None
            except ssl.SSLError as exc:
                raise _Fail(f"TLS failed ({exc.reason or type(exc).__name__})") from None
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
                raise _Retry(f"SMTP connection failed ({type(exc).__name__})") from None

        return self._with_retries(attempt)


def _connect(host: str, port: int, implicit: bool, timeout: float) -> smtplib.SMTP:
    if implicit:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=timeout)


def _secure(server: smtplib.SMTP, implicit: bool, credentials: bool) -> None:
    """EHLO, then STARTTLS when offered; with credentials to send and no TLS to send them over, stop."""
    server.ehlo()
    if implicit:
        return
    if server.has_extn("starttls"):
        server.starttls(context=ssl.create_default_context())
        server.ehlo()
    elif credentials:
        raise _Fail(
            "the SMTP server offers no STARTTLS, and credentials are only sent over TLS "
            "(set `tls: true` in the channel's smtp map for a server that speaks TLS from the start); "
            "no password was sent"
        )
