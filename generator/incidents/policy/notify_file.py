"""`policy/notify.yml`: the notification channels, read like every policy file (findings at file:line).

Secrets never live here: a channel names the environment variables that hold
them (`url_env`, `secret_env`, `smtp.username_env`, `smtp.password_env`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from incidents.findings import ERROR, WARNING, Finding
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
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_MAX_AGE = timedelta(hours=24)

COMMON_KEYS = ("id", "type", "services", "min_impact", "audience", "events")
TYPE_KEYS = {
    "webhook": ("url", "url_env", "secret_env"),
    "slack": ("url", "url_env"),
    "email": ("smtp", "from", "to", "unsubscribe"),
}
SMTP_KEYS = ("host", "port", "tls", "username_env", "password_env")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    username_env: str | None = None
    password_env: str | None = None
    tls: bool = False  # implicit TLS from the first byte (SMTPS, usually port 465); else STARTTLS

    @property
    def implicit_tls(self) -> bool:
        return self.tls or self.port == 465


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
    unsubscribe: str | None = None  # email: an https URL or an address, sent as List-Unsubscribe

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
    max_age: timedelta = DEFAULT_MAX_AGE  # changes older than this (before the run's "now") are not announced
    channels_line: int = 1

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
    config = load_notify_config(root, NOTIFY_FILE, known)
    return config.findings + site_url_findings(root, config), 1


def site_url_findings(root: Path, config: NotifyConfig) -> list[Finding]:
    """Every link a message carries starts with the site's address: channels without one cannot run."""
    from incidents.policy.site_file import MKDOCS_FILE, read_site_settings

    if not config.channels or config.page.url:
        return []
    site = read_site_settings(root)
    if site.absolute_url:
        return []
    written = site.url
    why = (
        f"its `site_url` `{written}` is not an absolute http(s) address"
        if written
        else f"{MKDOCS_FILE} has no `site_url`"
        if (root / MKDOCS_FILE).is_file()
        else f"there is no {MKDOCS_FILE} with a `site_url`"
    )
    return [
        Finding(
            NOTIFY_FILE,
            config.channels_line,
            1,
            WARNING,
            "notify-no-site-url",
            f"these channels send links to the public site, but {why}: `incidents notify` refuses to run "
            "until mkdocs.yml says where the site lives (e.g. `site_url: https://status.example.com/`)",
        )
    ]


def parse_notify_config(data: bytes, rel: str, services: frozenset[str] | None = None) -> NotifyConfig:
    findings: list[Finding] = []
    if not data.strip() or all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines()):
        return NotifyConfig()  # every channel commented out, as `incidents init` writes it
    doc, found = read_yaml_file(data, rel)
    findings.extend(found)
    if doc is None:
        return NotifyConfig(findings=findings)
    f = Fields(doc, rel, findings)
    f.unknown_keys((), ("channels", "page", "max_age"))
    max_age = f.duration(("max_age",), required=False)
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
    line = (doc.key_positions.get(("channels",)) or doc.position(("channels",)))[0]
    return NotifyConfig(channels, page, findings, max_age or DEFAULT_MAX_AGE, line)


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


def _address(f: Fields, path: tuple, value: str) -> None:
    """An address, bare (`ops@example.org`) or with a display name (`Ops Team <ops@example.org>`)."""
    if _CONTROL.search(value):
        f.error(path, "invalid-value", f"`{value!r}` holds a line break or control character; write one address")
        return
    _name, addr = parseaddr(value)
    text = value.strip()
    if not addr or not _EMAIL.match(addr) or not (text == addr or text.endswith(f"<{addr}>")):
        f.error(
            path,
            "invalid-value",
            f"`{value}` is not an email address (write `ops@example.org` or `Ops Team <ops@example.org>`)",
        )


def _filters(f: Fields, path: tuple, services: frozenset[str] | None) -> dict:
    """The keys every channel type has: which events it wants, for which audience."""
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
    for j, kind in enumerate(events or ()):
        if kind not in EVENT_KINDS:
            f.error(
                path + ("events", j),
                "invalid-value",
                f"unknown event `{kind}`; use any of " + ", ".join(f"`{k}`" for k in EVENT_KINDS),
            )
    return {
        "services": tuple(svc) if svc else None,
        "min_impact": min_impact,
        "audience": audience or "public",
        "events": tuple(events) if events else None,
    }


def _http_target(f: Fields, path: tuple, ctype: str) -> dict:
    """webhook and slack: where to POST (`url`, or `url_env` naming the variable that holds it)."""
    url = f.text(path + ("url",), required=False)
    if url is not None and not _URL.match(url):
        f.error(path + ("url",), "invalid-url", f"`{url}` is not an http(s) URL")
    url_env = _env(f, path + ("url_env",))
    if url is None and url_env is None and not f.present(path + ("url",)) and not f.present(path + ("url_env",)):
        f.missing(path + ("url",), " (or `url_env:`, the environment variable that holds it)")
    elif f.present(path + ("url",)) and f.present(path + ("url_env",)):
        f.error(path + ("url_env",), "invalid-value", "give `url` or `url_env`, not both", at_key=True)
    secret_env = _env(f, path + ("secret_env",)) if ctype == "webhook" else None
    return {"url": url, "url_env": url_env, "secret_env": secret_env}


def _smtp(f: Fields, path: tuple) -> Smtp | None:
    if f.mapping(path) is None:
        return None
    f.unknown_keys(path, SMTP_KEYS)
    host = f.text(path + ("host",))
    port_value = f.get(path + ("port",))
    port = 587
    if port_value is not None and f.present(path + ("port",)):
        if isinstance(port_value, bool) or not isinstance(port_value, int) or not 0 < port_value < 65536:
            f.error(path + ("port",), "invalid-value", "`smtp.port` must be a port number such as 587")
        else:
            port = port_value
    tls = f.boolean(path + ("tls",))
    user = _env(f, path + ("username_env",))
    password = _env(f, path + ("password_env",))
    return Smtp(host, port, user, password, bool(tls)) if host is not None else None


def _email_target(f: Fields, path: tuple) -> dict:
    smtp = _smtp(f, path + ("smtp",))
    sender = f.text(path + ("from",))
    if sender is not None:
        _address(f, path + ("from",), sender)
    to = f.text_list(path + ("to",), non_empty=True) or []
    for j, address in enumerate(to):
        _address(f, path + ("to", j), address)
    unsubscribe = f.text(path + ("unsubscribe",), required=False)
    if unsubscribe is not None:
        if _URL.match(unsubscribe):
            if not unsubscribe.lower().startswith("https://") or _CONTROL.search(unsubscribe) or " " in unsubscribe:
                f.error(path + ("unsubscribe",), "invalid-url", f"`{unsubscribe}` must be an https URL")
        elif not _EMAIL.match(unsubscribe.removeprefix("mailto:")):
            f.error(
                path + ("unsubscribe",),
                "invalid-value",
                f"`{unsubscribe}` is neither an https URL nor an email address (it becomes `List-Unsubscribe`)",
            )
    return {"smtp": smtp, "sender": sender, "to": tuple(to), "unsubscribe": unsubscribe}


def _channel(f: Fields, path: tuple, services: frozenset[str] | None) -> Channel | None:
    if f.mapping(path) is None:
        return None
    errors_before = sum(1 for x in f.findings if x.level == ERROR)
    cid = f.identifier(path + ("id",), what="channel id")
    ctype = f.choice(path + ("type",), CHANNEL_TYPES, code="invalid-value", what="channel type")
    known = COMMON_KEYS + (TYPE_KEYS[ctype] if ctype else tuple(k for v in TYPE_KEYS.values() for k in v))
    f.unknown_keys(path, known, what=f"key for a {ctype or ''} channel".replace("  ", " "))
    values = _filters(f, path, services)
    if ctype in ("webhook", "slack"):
        values.update(_http_target(f, path, ctype))
    elif ctype == "email":
        values.update(_email_target(f, path))
    if sum(1 for x in f.findings if x.level == ERROR) > errors_before or cid is None or ctype is None:
        return None
    return Channel(cid, ctype, **values)
