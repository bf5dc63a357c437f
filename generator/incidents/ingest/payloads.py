"""One webhook body, as its sender posts it, read into alerts: every field checked, named by its JSON path.

Nothing here trusts the sender: the body is at most `MAX_BODY` bytes, must be a JSON object, and each
field used is checked for its type (`$.alerts[2].labels.service: expected text, not a number`).
Free text is cleaned (`clean`): control characters, markup and line breaks go, long text is cut.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NoReturn

from incidents.ingest import IngestError
from incidents.records.timestamps import TimestampError, parse_timestamp

MAX_BODY = 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+")
_TAG = re.compile(r"<[^>]{0,2000}>")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_ZERO_TIME = "0001-01-01T00:00:00Z"


def clean(text: str, limit: int = 300) -> str:
    """Outside text made safe to keep: markup removed, control characters and line breaks to spaces,
    runs of spaces to one, at most `limit` characters."""
    text = _TAG.sub(" ", text).replace("<", " ").replace(">", " ")
    text = " ".join(_CONTROLS.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stable_id(text: str) -> str:
    """An id fit for a record field and a file name: the text itself when it is a plain id, else a hash."""
    if _SAFE_ID.match(text):
        return text
    return "h" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass(frozen=True)
class Alert:
    fingerprint: str  # a safe id (stable_id)
    status: str  # firing | resolved
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None = None

    @property
    def name(self) -> str:
        return clean(self.labels.get("alertname") or self.annotations.get("title") or "alert", 120)

    @property
    def summary(self) -> str:
        return clean(self.annotations.get("summary") or self.annotations.get("description") or "", 200)


@dataclass(frozen=True)
class Payload:
    system: str
    group_key: str  # the sender's grouping key (raw; never a path)
    status: str
    alerts: tuple[Alert, ...]
    event: str | None = None  # PagerDuty: the event type
    event_id: str | None = None
    occurred_at: datetime | None = None
    agent: str | None = None
    extra: dict = field(default_factory=dict)


class _Reader:
    """Typed access to a parsed JSON value, each problem named by its JSON path."""

    def __init__(self, system: str):
        self.system = system

    def fail(self, path: str, message: str) -> NoReturn:
        raise IngestError(f"{self.system} payload: {path}: {message}; nothing was written")

    def obj(self, value, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, not {_kind(value)}")
        return value

    def get(self, obj: dict, key: str, path: str, kind: type | tuple, *, required: bool = True):
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "is missing")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            want = _WANT.get(kind, "a value") if isinstance(kind, type) else "a value"
            self.fail(f"{path}.{key}", f"expected {want}, not {_kind(value)}")
        return value

    def text_map(self, obj: dict, key: str, path: str) -> dict[str, str]:
        value = self.get(obj, key, path, dict, required=False) or {}
        out = {}
        for k, v in value.items():
            if not isinstance(v, str):
                self.fail(f"{path}.{key}.{k}", f"expected text, not {_kind(v)}")
            out[str(k)] = v
        return out

    def when(self, obj: dict, key: str, path: str) -> datetime:
        """A required timestamp (the zero time Alertmanager writes for "none" is refused here)."""
        value = self.time(obj, key, path)
        if value is None:
            self.fail(f"{path}.{key}", "is missing")
        return value

    def time(self, obj: dict, key: str, path: str, *, required: bool = True) -> datetime | None:
        text = self.get(obj, key, path, str, required=required)
        if text is None or text == _ZERO_TIME:
            return None
        m = _FRACTION.match(text)
        if m:  # records keep seconds; senders write up to nanoseconds
            text = m.group(1) + text[m.end() :]
        try:
            return parse_timestamp(text).astimezone(UTC)
        except TimestampError as exc:
            self.fail(f"{path}.{key}", str(exc))


_WANT: dict[type, str] = {str: "text", list: "a list", dict: "an object"}


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def load_json(data: bytes, system: str):
    """The JSON value of a body; refused when over MAX_BODY or not JSON (line and column named)."""
    if len(data) > MAX_BODY:
        raise IngestError(f"{system} payload: {len(data)} bytes is over the 1 MB limit; nothing was written")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{system} payload: not UTF-8 (byte {exc.start}); nothing was written") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{system} payload: not JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); nothing was written"
        ) from None
    except RecursionError:
        raise IngestError(f"{system} payload: nested too deeply; nothing was written") from None


def parse_payload(system: str, data: bytes) -> Payload:
    value = load_json(data, system)
    parser = {
        "alertmanager": _alertmanager,
        "grafana": _alertmanager,
        "pagerduty": _pagerduty,
        "generic": _generic,
    }.get(system)
    if parser is None:
        raise IngestError(f"unknown source `{system}`; use alertmanager, grafana, pagerduty or generic")
    return parser(_Reader(system), value)


def _alertmanager(r: _Reader, value) -> Payload:
    """Alertmanager's webhook (version 4) and Grafana Alerting's, which has the same shape."""
    top = r.obj(value, "$")
    status = r.get(top, "status", "$", str)
    if status not in ("firing", "resolved"):
        r.fail("$.status", f"expected `firing` or `resolved`, not `{clean(status, 40)}`")
    group_key = r.get(top, "groupKey", "$", str, required=False)
    items = r.get(top, "alerts", "$", list)
    if len(items) > 1000:
        r.fail("$.alerts", f"{len(items)} alerts is more than the 1000 one payload may carry")
    alerts = []
    for i, item in enumerate(items):
        path = f"$.alerts[{i}]"
        item = r.obj(item, path)
        a_status = r.get(item, "status", path, str, required=False) or status
        if a_status not in ("firing", "resolved"):
            r.fail(f"{path}.status", f"expected `firing` or `resolved`, not `{clean(a_status, 40)}`")
        labels = r.text_map(item, "labels", path)
        annotations = r.text_map(item, "annotations", path)
        starts = r.when(item, "startsAt", path)
        ends = r.time(item, "endsAt", path, required=False)
        fingerprint = r.get(item, "fingerprint", path, str, required=False)
        if not fingerprint:  # version 4 always has one; compute it from the labels otherwise
            fingerprint = json.dumps(sorted(labels.items()))
        alerts.append(Alert(stable_id(fingerprint), a_status, labels, annotations, starts, ends))
    if group_key is None:
        group_key = json.dumps(sorted(r.text_map(top, "groupLabels", "$").items())) if alerts else ""
    return Payload(r.system, group_key, status, tuple(alerts))


PAGERDUTY_EVENTS = ("incident.triggered", "incident.acknowledged", "incident.resolved")


def _pagerduty(r: _Reader, value) -> Payload:
    """PagerDuty's V3 webhook: one `event` whose `data` is the incident."""
    top = r.obj(value, "$")
    event = r.obj(r.get(top, "event", "$", dict), "$.event")
    kind = r.get(event, "event_type", "$.event", str)
    event_id = r.get(event, "id", "$.event", str)
    occurred = r.when(event, "occurred_at", "$.event")
    data = r.get(event, "data", "$.event", dict)
    if data.get("type", "incident") != "incident":  # a note, a responder, a service: not an incident's state
        return Payload(r.system, "", "firing", (), event=kind, event_id=stable_id(event_id), occurred_at=occurred)
    incident_id = r.get(data, "id", "$.event.data", str)
    agent_obj = r.get(event, "agent", "$.event", dict, required=False) or {}
    agent = agent_obj.get("summary") if isinstance(agent_obj.get("summary"), str) else None
    title = r.get(data, "title", "$.event.data", str, required=False) or ""
    service = r.get(data, "service", "$.event.data", dict, required=False) or {}
    priority = r.get(data, "priority", "$.event.data", dict, required=False) or {}
    urgency = r.get(data, "urgency", "$.event.data", str, required=False) or ""
    labels = {"alertname": title or incident_id, "urgency": urgency}
    if isinstance(service.get("summary"), str):
        labels["service"] = service["summary"]
    if isinstance(priority.get("summary"), str):
        labels["priority"] = labels["severity"] = priority["summary"]
    created = r.time(data, "created_at", "$.event.data", required=False) or occurred
    status = "resolved" if kind == "incident.resolved" else "firing"
    alert = Alert(
        stable_id(incident_id), status, labels, {"summary": title}, created, occurred if status == "resolved" else None
    )
    return Payload(
        r.system,
        incident_id,
        status,
        (alert,),
        event=kind,
        event_id=stable_id(event_id),
        occurred_at=occurred,
        agent=clean(agent, 100) if agent else None,
    )


def _generic(r: _Reader, value) -> Payload:
    """`{id, title, status: firing|resolved, at, severity?, service?}`."""
    top = r.obj(value, "$")
    ident = r.get(top, "id", "$", str)
    if not ident.strip():
        r.fail("$.id", "is empty")
    title = r.get(top, "title", "$", str)
    status = r.get(top, "status", "$", str)
    if status not in ("firing", "resolved"):
        r.fail("$.status", f"expected `firing` or `resolved`, not `{clean(status, 40)}`")
    at = r.when(top, "at", "$")
    labels = {"alertname": title}
    for key in ("severity", "service"):
        v = r.get(top, key, "$", str, required=False)
        if v is not None:
            labels[key] = v
    alert = Alert(stable_id(ident), status, labels, {"summary": title}, at, at if status == "resolved" else None)
    return Payload(r.system, ident, status, (alert,))
