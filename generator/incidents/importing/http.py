"""Fetching payloads over HTTP(S) with requests: timeouts, retries, the Manage API's pages.

* A status page's own URL (`https://status.example.com`) means its
  `/api/v2/incidents.json` and `/api/v2/scheduled-maintenances.json`.
* A Manage API v1 incident list (`.../v1/pages/{page_id}/incidents`) is fetched
  with `Authorization: OAuth <key>` from STATUSPAGE_API_KEY, page after page
  (`page=N&per_page=100`) until a page comes back empty.
* Any other URL is fetched as it is.

Every request has a 10-second timeout for connecting and for each read, and
is retried up to 3 times, with backoff, on a connection error, a 429
(honouring Retry-After) or a 5xx; any other 4xx fails at once. The body is
streamed, and one request is bounded as a whole: a body over `MAX_BYTES`
(64 MB) or an answer not complete within `FETCH_SECONDS` (a server that
trickles a byte every few seconds) fails at once, without retrying. The key
is sent only in the header and never printed.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

API_KEY_ENV = "STATUSPAGE_API_KEY"
TIMEOUT = 10.0
RETRIES = 3
BACKOFF = (0.5, 1.0, 2.0)
MAX_WAIT = 60.0
PER_PAGE = 100
MAX_PAGES = 10_000
# The Manage API's incident lists: /incidents and /incidents/{unresolved,upcoming,active_maintenance,scheduled}.
_MANAGE = re.compile(
    r"/v1/pages/[^/]+/incidents(?:/(?:unresolved|upcoming|active_maintenance|scheduled))?(?:\.json)?/?$"
)
USER_AGENT = "incident-as-code import"
# One document at most (a Statuspage history of ten thousand incidents is a few MB), and one request's time,
# from connecting to the body's last byte.
MAX_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * MAX_BYTES  # every page of one Manage API list together
FETCH_SECONDS = 120.0
_CHUNK = 1 << 16


class FetchError(Exception):
    """A URL that could not be fetched (after retries)."""


class MissingKey(FetchError):
    """The Manage API needs STATUSPAGE_API_KEY."""


class _Unbounded(FetchError):
    """An answer too large or too slow: never retried (it would only cost the same again)."""


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def too_large(what: str) -> str:
    return f"{what} is larger than {_size(MAX_BYTES)}, the most one payload may be"


@dataclass(frozen=True, slots=True)
class Fetched:
    label: str  # the URL (with its page) as errors name it
    data: bytes


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def is_manage_api(url: str) -> bool:
    return bool(_MANAGE.search(urlsplit(url).path))


def expand(url: str) -> list[str]:
    """A status page's URL -> its two public API documents; other URLs as they are."""
    parts = urlsplit(url)
    if is_manage_api(url) or parts.path.endswith(".json"):
        return [url]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return [f"{base}/api/v2/incidents.json", f"{base}/api/v2/scheduled-maintenances.json"]


def _wait(headers) -> float | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_WAIT)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_WAIT)


def get(session, url: str, headers: dict, sleep=time.sleep) -> bytes:
    import requests

    last = ""
    for attempt in range(RETRIES + 1):
        delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
        try:
            status, answer_headers, body = _bounded(session, url, headers)
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status < 300:
                return body
            last = f"HTTP {status}"
            if status == 429:
                wait = _wait(answer_headers)
                delay = wait if wait is not None else delay
            elif status < 500:
                raise FetchError(f"GET {url}: {last}" + ("; check STATUSPAGE_API_KEY" if status in (401, 403) else ""))
        if attempt < RETRIES:
            sleep(delay)
    raise FetchError(f"GET {url}: {last} (after {RETRIES} retries)")


def _bounded(session, url: str, headers: dict) -> tuple[int, dict, bytes]:
    """One request within FETCH_SECONDS as a whole (connecting, headers, body): it runs in a thread of its
    own, given up when the time is over (it then stops at its next read)."""
    deadline = time.monotonic() + FETCH_SECONDS
    outcome: list = []

    def exchange() -> None:
        try:
            outcome.append(_exchange(session, url, headers, deadline))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=exchange, name="incidents-fetch", daemon=True)
    worker.start()
    worker.join(FETCH_SECONDS + 0.5)
    if not outcome:
        raise _Unbounded(_too_slow(url))
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _too_slow(url: str) -> str:
    return f"GET {url}: no complete answer within {FETCH_SECONDS:g} s, the most one request may take"


def _exchange(session, url: str, headers: dict, deadline: float) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request, the body streamed and bounded in size and time."""
    timeout = max(min(TIMEOUT, deadline - time.monotonic()), 0.01)
    response = session.get(url, headers=headers, timeout=timeout, stream=True)
    try:
        answer_headers = dict(response.headers)
        if response.status_code >= 300:
            return response.status_code, answer_headers, b""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > MAX_BYTES:
            raise _Unbounded(f"GET {url}: {too_large('the answer')} (Content-Length: {declared})")
        body = bytearray()
        for chunk in _chunks(response):
            body += chunk
            if len(body) > MAX_BYTES:
                raise _Unbounded(f"GET {url}: {too_large('the answer')}")
            if time.monotonic() > deadline:
                raise _Unbounded(_too_slow(url))
        return response.status_code, answer_headers, bytes(body)
    finally:
        response.close()


def _chunks(response):
    """The body as it arrives: each piece is what one read of the socket gave (never waits to fill a buffer,
    so a server that trickles bytes is seen trickling)."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # pragma: no cover - urllib3 < 2
        yield from response.iter_content(_CHUNK)
        return
    while True:
        chunk = read1(_CHUNK, decode_content=True)
        if not chunk:
            return
        yield chunk


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("page", "per_page")]
    query += [("page", str(page)), ("per_page", str(PER_PAGE))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _more(data: bytes) -> bool:
    """A page that is a non-empty JSON array: there may be another after it."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return False  # the payload reader names the problem
    return isinstance(doc, list) and bool(doc)


def fetch(url: str, *, environ=None, sleep=time.sleep) -> list[Fetched]:
    """Every document behind `url`, in order; FetchError when one cannot be had. All of them together are
    at most `MAX_TOTAL_BYTES` (a Manage API that never sends an empty page is stopped there)."""
    import requests

    environ = os.environ if environ is None else environ
    out: list[Fetched] = []
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        for target in expand(url):
            if not is_manage_api(target):
                out.append(Fetched(target, get(session, target, {}, sleep)))
                continue
            headers = {"Authorization": f"OAuth {_key(target, environ)}"}
            for page in range(1, MAX_PAGES + 1):
                paged = _with_page(target, page)
                data = get(session, paged, headers, sleep)
                out.append(Fetched(paged, data))
                if sum(len(f.data) for f in out) > MAX_TOTAL_BYTES:
                    raise _Unbounded(
                        f"GET {paged}: the pages so far hold more than {_size(MAX_TOTAL_BYTES)} together, "
                        "the most one import may read from one list"
                    )
                if not _more(data):
                    break
    return out


def _key(target: str, environ) -> str:
    """The Manage API key, sent only over https (or to this machine, for tests and proxies)."""
    key = environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise MissingKey(
            f"{target} is the Statuspage Manage API: set {API_KEY_ENV} to an API key "
            "(the page's API key from your Statuspage profile)"
        )
    parts = urlsplit(target)
    if parts.scheme != "https" and (parts.hostname or "") not in ("127.0.0.1", "localhost", "::1"):
        raise MissingKey(f"{target}: the API key is sent only over https; use the https:// URL")
    return key


__all__ = ["API_KEY_ENV", "FetchError", "Fetched", "MissingKey", "expand", "fetch", "is_manage_api", "is_url"]
