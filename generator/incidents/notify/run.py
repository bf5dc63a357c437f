"""`incidents notify`: events between two revisions (and from time), delivered to every channel that wants them.

Channels are independent: one that fails never stops the others. Within a
channel, events go out in the order they happened; after a channel's first
undelivered event its later events wait for the next run (so a receiver never
sees an update before the incident it belongs to). With a state file, what was
delivered is recorded per channel and never sent twice.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from incidents.findings_output import format_text
from incidents.notify.deliver import SIGNATURE_HEADER, Deliverer, Outcome, signature
from incidents.notify.events import Event, diff_events
from incidents.notify.payloads import Payloads
from incidents.notify.snapshot import snapshot
from incidents.notify.state import State, load_state, save_state
from incidents.policy.notify_file import Channel, NotifyConfig, PageConfig, load_notify_config
from incidents.publish.statuspage import PageInfo, stable_id
from incidents.records.model import impact_rank


@dataclass
class Report:
    out: list[str] = field(default_factory=list)  # one line per delivery (stdout)
    err: list[str] = field(default_factory=list)  # one line per undelivered event, findings (stderr)
    delivered: int = 0
    failed: int = 0
    skipped: int = 0  # delivered by an earlier run
    events: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class _Redactor:
    """Replaces every secret value read from the environment with `***` in what we print."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def add(self, value: str | None) -> str | None:
        if value and len(value) >= 4:
            self.secrets.add(value)
        return value

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def page_info(root: Path, page: PageConfig) -> PageInfo:
    """The page identity of the API the site publishes: notify.yml's `page:`, else mkdocs.yml's."""
    site_name, site_url, opts = "Status", "/", {}
    try:
        doc = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        doc = None
    if isinstance(doc, dict):
        site_name = str(doc.get("site_name") or site_name)
        site_url = str(doc.get("site_url") or site_url)
        for plugin in doc.get("plugins") or []:
            if isinstance(plugin, dict) and isinstance(plugin.get("incidents"), dict):
                opts = plugin["incidents"]
    pid = page.id or opts.get("page_id") or stable_id(f"page:{site_name}")
    name = page.name or opts.get("page_name") or site_name
    return PageInfo(str(pid), str(name), page.url or site_url)


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags: read them as nothing, run nothing."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def wants(channel: Channel, ev: Event) -> bool:
    if ev.internal and not channel.internal:
        return False
    if channel.events is not None and ev.kind not in channel.events:
        return False
    if channel.services is not None and not set(channel.services) & set(ev.record.services):
        return False
    return not (
        channel.min_impact is not None
        and ev.is_incident
        and impact_rank(ev.record.worst_impact) < impact_rank(channel.min_impact)
    )


class Notifier:
    def __init__(
        self,
        root: Path,
        config: NotifyConfig,
        payloads: Payloads,
        *,
        env: Mapping[str, str],
        deliverer: Deliverer,
        state: State | None,
        dry_run: bool,
        report: Report,
    ):
        self.root, self.config, self.payloads = root, config, payloads
        self.env, self.deliverer, self.state, self.dry_run, self.report = env, deliverer, state, dry_run, report
        self.redact = _Redactor()

    def secret(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.redact.add(self.env.get(name) or None)

    def deliver(self, channel: Channel, ev: Event) -> Outcome:
        internal = channel.internal
        if channel.type in ("webhook", "slack"):
            url = channel.url or self.secret(channel.url_env)
            if not url:
                return Outcome(False, f"the environment variable {channel.url_env} is not set", 0)
            headers = {"X-Incidents-Event": ev.kind, "X-Incidents-Event-Id": ev.id}
            if channel.type == "webhook":
                body = self.payloads.webhook(ev, internal)
                if channel.secret_env:
                    secret = self.secret(channel.secret_env)
                    if not secret:
                        return Outcome(
                            False,
                            f"the environment variable {channel.secret_env} is not set (the webhook is signed with it)",
                            0,
                        )
                    headers[SIGNATURE_HEADER] = signature(secret, body)
            else:
                body = self.payloads.slack(ev, internal)
                headers = {}
            return self.deliverer.post(url, body, headers)
        smtp = channel.smtp
        user = self.secret(smtp.username_env)
        password = self.secret(smtp.password_env)
        for name, value in ((smtp.username_env, user), (smtp.password_env, password)):
            if name and not value:
                return Outcome(False, f"the environment variable {name} is not set", 0)
        msg = self.payloads.email(ev, internal, channel.sender, channel.to)
        return self.deliverer.send_mail(smtp.host, smtp.port, msg, user, password)

    def run(self, events_by_view: dict[str, list[Event]]) -> None:
        report = self.report
        for channel in self.config.channels:
            view = "internal" if channel.internal else "public"
            blocked: str | None = None
            for ev in events_by_view.get(view, []):
                if not wants(channel, ev):
                    continue
                where = f"{ev.id} -> {channel.id} ({channel.type})"
                if self.state is not None and self.state.done(channel.id, ev.id):
                    report.skipped += 1
                    continue
                if self.dry_run:
                    report.out.append(f"would deliver {where}")
                    continue
                if blocked is not None:
                    report.failed += 1
                    report.err.append(
                        self.redact(f"not delivered: {where}: waits for {blocked}, which this channel did not take")
                    )
                    continue
                outcome = self.deliver(channel, ev)
                if outcome.ok:
                    report.delivered += 1
                    report.out.append(self.redact(f"delivered {where}: {outcome.detail}"))
                    if self.state is not None:
                        self.state.mark(channel.id, ev.id)
                else:
                    report.failed += 1
                    blocked = ev.id
                    report.err.append(self.redact(f"not delivered: {where}: {outcome.detail}"))


def run_notify(
    root: Path,
    from_rev: str,
    to_rev: str,
    *,
    config_path: str,
    state_path: Path | None,
    as_of: datetime | None,
    dry_run: bool,
    env: Mapping[str, str] | None = None,
    deliverer: Deliverer | None = None,
) -> Report:
    """Raises IncidentsError (GitError, StateError) when it cannot run as asked."""
    report = Report()
    now = (as_of or datetime.now(UTC).replace(microsecond=0)).astimezone(UTC)
    old = snapshot(root, from_rev)
    new = snapshot(root, to_rev)
    services = frozenset(s.id for s in new.repo.policy.services) if new.repo is not None else None
    config = load_notify_config(root, config_path, services)
    if not config.ok:
        report.err.append(format_text(config.findings, 1).rstrip("\n"))
        report.failed += 1
        return report
    state = load_state(state_path) if state_path is not None else None
    since = None
    if state is not None:
        since = state.as_of or old.committed_at
    events: dict[str, list[Event]] = {}
    if new.repo is not None:
        events["public"] = diff_events(old.repo, new.repo, "public", now, since)
        if any(c.internal for c in config.channels):
            events["internal"] = diff_events(old.repo, new.repo, "internal", now, since)
        report.events = len({e.id for evs in events.values() for e in evs})
    if new.repo is not None and config.channels:
        payloads = Payloads(new.repo, now, page_info(root, config.page))
        Notifier(
            root,
            config,
            payloads,
            env=os.environ if env is None else env,
            deliverer=deliverer or Deliverer(),
            state=state,
            dry_run=dry_run,
            report=report,
        ).run(events)
    if state is not None and not dry_run:
        state.as_of = now
        save_state(state_path, state)
    report.out.append(
        f"{report.events} event(s) from {old.rev[:12]} to {new.rev[:12]}: {report.delivered} "
        f"delivered, {report.failed} not delivered, {report.skipped} delivered before"
        + (" (dry run: nothing sent)" if dry_run else "")
    )
    return report
