"""Fetching payloads over HTTP(S) with requests: timeouts, retries, the Manage API's pages.

* A status page's own URL (`https://status.example.com`) means its
  `/api/v2/incidents.json` and `/api/v2/scheduled-maintenances.json`.
* A Manage API v1 incident list (`.../v1/pages/{page_id}/incidents`) is fetched
  with `Authorization: OAuth <key>` from STATUSPAGE_API_KEY, page after page
  (`page=N&per_page=100`) until a page comes back empty.
* Any other URL is fetched as it is.

Every request has a 10-second timeout and is retried up to 3 times, with
backoff, on a connection error, a 429 (honouring Retry-After) or a 5xx; any
other 4xx fails at once. The key is sent only in the header and never printed.
"""

from __future__ import annotations

import json
import os
import re
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


class FetchError(Exception):
    """A URL that could not be fetched (after retries)."""


class MissingKey(FetchError):
    """The Manage API needs STATUSPAGE_API_KEY."""


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


def _wait(response) -> float | None:
    value = response.headers.get("Retry-After")
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
            response = session.get(url, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 300:
                return response.content
            last = f"HTTP {response.status_code}"
            if response.status_code == 429:
                delay = _wait(response) if _wait(response) is not None else delay
            elif response.status_code < 500:
                raise FetchError(
                    f"GET {url}: {last}" + ("; check STATUSPAGE_API_KEY" if response.status_code in (401, 403) else "")
                )
        if attempt < RETRIES:
            sleep(delay)
    raise FetchError(f"GET {url}: {last} (after {RETRIES} retries)")


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("page", "per_page")]
    query += [("page", str(page)), ("per_page", str(PER_PAGE))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _more(data: bytes) -> bool:
    """A page that is a non-empty JSON array: there may be another after it."""
    try:
        doc = json.loads(data)
    except ValueError:
        return False  # the payload reader names the problem
    return isinstance(doc, list) and bool(doc)


def fetch(url: str, *, environ=None, sleep=time.sleep) -> list[Fetched]:
    """Every document behind `url`, in order; FetchError when one cannot be had."""
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
            key = environ.get(API_KEY_ENV, "").strip()
            if not key:
                raise MissingKey(
                    f"{target} is the Statuspage Manage API: set {API_KEY_ENV} to an API key "
                    "(the page's API key from your Statuspage profile)"
                )
            headers = {"Authorization": f"OAuth {key}"}
            for page in range(1, MAX_PAGES + 1):
                paged = _with_page(target, page)
                data = get(session, paged, headers, sleep)
                out.append(Fetched(paged, data))
                if not _more(data):
                    break
    return out


__all__ = ["API_KEY_ENV", "FetchError", "Fetched", "MissingKey", "expand", "fetch", "is_manage_api", "is_url"]
