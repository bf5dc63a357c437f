"""`policy/notify.yml`: the notification channels, read like every policy file (findings at file:line).

Secrets never live here: a channel names the environment variables that hold
them (`url_env`, `secret_env`, `smtp.username_env`, `smtp.password_env`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from incidents.findings import ERROR, Finding
from incidents.records.fields import Fields
from incidents.records.model import IMPACTS
from incidents.records.source import read_yaml_file

NOTIFY_FILE = "policy/notify.yml"
CHANNEL_TYPES = ("webhook", "slack", "email")
AUDIENCES = ("public", "internal")
EVENT_KINDS = (
    "incident.created",
    "incident.updated",
    "incident.resolved",
    "maintenance.scheduled",
    "maintenance.updated",
    "maintenance.started",
    "maintenance.completed",
)
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")

COMMON_KEYS = ("id", "type", "services", "min_impact", "audience", "events")
TYPE_KEYS = {
    "webhook": ("url", "url_env", "secret_env"),
    "slack": ("url", "url_env"),
    "email": ("smtp", "from", "to"),
}
SMTP_KEYS = ("host", "port", "username_env", "password_env")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    username_env: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class Channel:
    id: str
    type: str
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None
    services: tuple[str, ...] | None = None
    min_impact: str | None = None
    audience: str = "public"
    events: tuple[str, ...] | None = None
    smtp: Smtp | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()

    @property
    def internal(self) -> bool:
        return self.audience == "internal"


@dataclass(frozen=True)
class PageConfig:
    id: str | None = None
    name: str | None = None
    url: str | None = None


@dataclass
class NotifyConfig:
    channels: list[Channel] = field(default_factory=list)
    page: PageConfig = field(default_factory=PageConfig)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.level == ERROR for f in self.findings)


def load_notify_config(root: Path, rel: str = NOTIFY_FILE, services: frozenset[str] | None = None) -> NotifyConfig:
    """Read `rel` under `root`; a missing file is an empty configuration (no channel)."""
    path = root / rel
    if not path.is_file():
        return NotifyConfig()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return NotifyConfig(findings=[Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}")])
    return parse_notify_config(data, rel, services)


def check_notify_file(root: Path, services=None) -> tuple[list[Finding], int]:
    """For `incidents validate`: the findings of policy/notify.yml and 1, or nothing and 0 when it is absent.
    `services`: the catalogue (Service records), to check channel `services:` filters against."""
    from incidents.records.safe_files import check_file

    unsafe = check_file(root, NOTIFY_FILE)  # a FIFO, a device or a symlink out of the root: never read
    if unsafe is not None:
        return [unsafe], 1
    if not (root / NOTIFY_FILE).is_file():
        return [], 0
    known = frozenset(s.id for s in services) if services else None
    return load_notify_config(root, NOTIFY_FILE, known).findings, 1


def parse_notify_config(data: bytes, rel: str, services: frozenset[str] | None = None) -> NotifyConfig:
    findings: list[Finding] = []
    if not data.strip() or all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines()):
        return NotifyConfig()  # every channel commented out, as `incidents init` writes it
    doc, found = read_yaml_file(data, rel)
    findings.extend(found)
    if doc is None:
        return NotifyConfig(findings=findings)
    f = Fields(doc, rel, findings)
    f.unknown_keys((), ("channels", "page"))
    page = PageConfig()
    if f.mapping(("page",), required=False) is not None:
        f.unknown_keys(("page",), ("id", "name", "url"))
        url = f.text(("page", "url"), required=False)
        if url is not None and not _URL.match(url):
            f.error(("page", "url"), "invalid-url", f"`page.url` `{url}` is not an http(s) URL")
            url = None
        page = PageConfig(f.text(("page", "id"), required=False), f.text(("page", "name"), required=False), url)
    channels: list[Channel] = []
    items = f.sequence(("channels",), required=False) or []
    seen: dict[str, int] = {}
    for i in range(len(items)):
        channel = _channel(f, ("channels", i), services)
        if channel is None:
            continue
        if channel.id in seen:
            f.error(
                ("channels", i, "id"),
                "duplicate-id",
                f"the channel id `{channel.id}` is used twice (first at line {seen[channel.id]}); "
                "delivered events are recorded per channel id",
            )
            continue
        seen[channel.id] = doc.position(("channels", i, "id"))[0]
        channels.append(channel)
    return NotifyConfig(channels, page, findings)


def _env(f: Fields, path: tuple, *, required: bool = False) -> str | None:
    name = f.text(path, required=required)
    if name is not None and not _ENV.match(name):
        f.error(
            path,
            "invalid-value",
            f"`{name}` is not the name of an environment variable "
            "(letters, digits and `_`, e.g. `SLACK_WEBHOOK_URL`); secrets "
            "come from the environment, never from this file",
        )
        return None
    return name


def _channel(f: Fields, path: tuple, services: frozenset[str] | None) -> Channel | None:
    if f.mapping(path) is None:
        return None
    errors_before = sum(1 for x in f.findings if x.level == ERROR)
    cid = f.identifier(path + ("id",), what="channel id")
    ctype = f.choice(path + ("type",), CHANNEL_TYPES, code="invalid-value", what="channel type")
    known = COMMON_KEYS + (TYPE_KEYS[ctype] if ctype else tuple(k for v in TYPE_KEYS.values() for k in v))
    f.unknown_keys(path, known, what=f"key for a {ctype or ''} channel".replace("  ", " "))
    svc = f.text_list(path + ("services",), required=False, non_empty=True)
    if svc is not None and services is not None:
        for j, name in enumerate(svc):
            if name not in services:
                f.error(
                    path + ("services", j), "unknown-service", f"unknown service `{name}` (not in policy/services.yml)"
                )
    min_impact = f.choice(path + ("min_impact",), IMPACTS, code="unknown-impact", what="impact", required=False)
    audience = f.choice(path + ("audience",), AUDIENCES, code="invalid-value", what="audience", required=False)
    events = f.text_list(path + ("events",), required=False, non_empty=True)
    if events is not None:
        for j, kind in enumerate(events):
            if kind not in EVENT_KINDS:
                f.error(
                    path + ("events", j),
                    "invalid-value",
                    f"unknown event `{kind}`; use any of " + ", ".join(f"`{k}`" for k in EVENT_KINDS),
                )
    url = url_env = secret_env = None
    smtp = None
    sender = None
    to: list[str] = []
    if ctype in ("webhook", "slack"):
        url = f.text(path + ("url",), required=False)
        if url is not None and not _URL.match(url):
            f.error(path + ("url",), "invalid-url", f"`{url}` is not an http(s) URL")
        url_env = _env(f, path + ("url_env",))
        if url is None and url_env is None and not f.present(path + ("url",)) and not f.present(path + ("url_env",)):
            f.missing(path + ("url",), " (or `url_env:`, the environment variable that holds it)")
        elif f.present(path + ("url",)) and f.present(path + ("url_env",)):
            f.error(path + ("url_env",), "invalid-value", "give `url` or `url_env`, not both", at_key=True)
        if ctype == "webhook":
            secret_env = _env(f, path + ("secret_env",))
    elif ctype == "email":
        if f.mapping(path + ("smtp",)) is not None:
            f.unknown_keys(path + ("smtp",), SMTP_KEYS)
            host = f.text(path + ("smtp", "host"))
            port_value = f.get(path + ("smtp", "port"))
            port = 587
            if port_value is not None and f.present(path + ("smtp", "port")):
                if isinstance(port_value, bool) or not isinstance(port_value, int) or not 0 < port_value < 65536:
                    f.error(path + ("smtp", "port"), "invalid-value", "`smtp.port` must be a port number such as 587")
                else:
                    port = port_value
            user = _env(f, path + ("smtp", "username_env"))
            password = _env(f, path + ("smtp", "password_env"))
            if host is not None:
                smtp = Smtp(host, port, user, password)
        sender = f.text(path + ("from",))
        if sender is not None and not _EMAIL.match(sender.strip()):
            f.error(path + ("from",), "invalid-value", f"`from` `{sender}` is not an email address")
        to = f.text_list(path + ("to",), non_empty=True) or []
        for j, address in enumerate(to):
            if not _EMAIL.match(address.strip()):
                f.error(path + ("to", j), "invalid-value", f"`{address}` is not an email address")
    if sum(1 for x in f.findings if x.level == ERROR) > errors_before or cid is None or ctype is None:
        return None
    return Channel(
        cid,
        ctype,
        url=url,
        url_env=url_env,
        secret_env=secret_env,
        services=tuple(svc) if svc else None,
        min_impact=min_impact,
        audience=audience or "public",
        events=tuple(events) if events else None,
        smtp=smtp,
        sender=sender,
        to=tuple(to),
    )
