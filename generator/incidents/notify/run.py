"""`incidents notify`: events between two revisions (and from time), delivered to every channel that wants them.

Channels are independent: one that fails never stops the others. Within a
channel, events go out in the order they happened; after a channel's first
undelivered event its later events wait for the next run (so a receiver never
sees an update before the incident it belongs to). With a state file, what was
delivered is recorded per channel, the file is written after every delivery,
and nothing is ever sent twice, even by a run that died half-way.

A history is never announced: events of imported records, of records from
before the policy's `effective_from`, and of changes older than notify.yml's
`max_age` are listed as "not announced" and never delivered.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incidents.errors import IncidentsError
from incidents.findings_output import format_text
from incidents.notify.deliver import SIGNATURE_HEADER, Deliverer, Outcome, signature
from incidents.notify.events import Event
from incidents.notify.history import collect, not_announced
from incidents.notify.payloads import Payloads
from incidents.notify.snapshot import resolve
from incidents.notify.state import load_state, save_state
from incidents.policy.notify_file import Channel, NotifyConfig, PageConfig, load_notify_config
from incidents.policy.site_file import read_site_settings
from incidents.publish.statuspage import PageInfo, stable_id
from incidents.records.model import Incident, impact_rank


class NotifyRefused(IncidentsError):
    """notify cannot tell the truth as configured (no absolute site address for the links)."""


@dataclass
class Report:
    out: list[str] = field(default_factory=list)  # one line per delivery (stdout)
    err: list[str] = field(default_factory=list)  # one line per undelivered event, findings (stderr)
    delivered: int = 0
    failed: int = 0
    skipped: int = 0  # delivered by an earlier run
    events: int = 0
    not_announced: int = 0

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
    """The page identity of the API the site publishes (notify.yml's `page:`, else mkdocs.yml's), whose url
    is the absolute address every link starts with. Raises NotifyRefused without one."""
    site = read_site_settings(root)
    url = page.url or site.absolute_url
    if not url:
        why = f"its `site_url` `{site.url}` is not an absolute http(s) address" if site.url else "it has no `site_url`"
        raise NotifyRefused(
            f"every message links to the public site, but mkdocs.yml does not say where it lives ({why}); "
            "set `site_url: https://status.example.com/` in mkdocs.yml (nothing was sent)"
        )
    opts = site.plugin
    site_name = site.name or "Status"
    pid = page.id or opts.get("page_id") or stable_id(f"page:{site_name}")
    name = page.name or opts.get("page_name") or site_name
    return PageInfo(str(pid), str(name), url)


def wants(channel: Channel, ev: Event) -> bool:
    if ev.internal and not channel.internal:
        return False
    if channel.events is not None and ev.kind not in channel.events:
        return False
    if channel.services is not None and not set(channel.services) & set(ev.record.services):
        return False
    rec = ev.record
    return not (
        channel.min_impact is not None
        and isinstance(rec, Incident)
        and impact_rank(rec.worst_impact) < impact_rank(channel.min_impact)
    )


@dataclass
class _Target:
    """What a channel needs from the environment, or why it cannot deliver."""

    problem: str | None = None
    url: str | None = None
    secret: str | None = None
    user: str | None = None
    password: str | None = None


class Notifier:
    def __init__(self, config: NotifyConfig, payloads: Payloads, *, env, deliverer, state, state_path, dry_run, report):
        self.config, self.payloads = config, payloads
        self.env, self.deliverer, self.state, self.dry_run, self.report = env, deliverer, state, dry_run, report
        self.state_path = state_path
        self.redact = _Redactor()

    def secret(self, name: str | None) -> str | None:
        return self.redact.add(self.env.get(name) or None) if name else None

    def target(self, channel: Channel) -> _Target:
        t = _Target()
        needed: list[str | None] = []
        if channel.type in ("webhook", "slack"):
            t.url = channel.url or self.secret(channel.url_env)
            needed = [None if channel.url else channel.url_env, channel.secret_env]
            t.secret = self.secret(channel.secret_env)
        elif channel.smtp is not None:
            t.user, t.password = self.secret(channel.smtp.username_env), self.secret(channel.smtp.password_env)
            needed = [channel.smtp.username_env, channel.smtp.password_env]
        for name in needed:
            if name and not self.env.get(name):
                signed = " (the webhook is signed with it)" if name == channel.secret_env else ""
                t.problem = f"the environment variable {name} is not set{signed}"
                break
        return t

    def deliver(self, channel: Channel, target: _Target, ev: Event) -> Outcome:
        if channel.type == "webhook":
            body = self.payloads.webhook(ev, channel.internal)
            headers = {"X-Incidents-Event": ev.kind, "X-Incidents-Event-Id": ev.id}
            if target.secret:
                headers[SIGNATURE_HEADER] = signature(target.secret, body)
            return self.deliverer.post(target.url, body, headers)
        if channel.type == "slack":
            return self.deliverer.post(target.url, self.payloads.slack(ev, channel.internal), {})
        smtp = channel.smtp
        assert smtp is not None  # an email channel without one is a finding: it never gets here
        msg = self.payloads.email(ev, channel.internal, channel)
        return self.deliverer.send_mail(smtp.host, smtp.port, msg, target.user, target.password, tls=smtp.tls)

    def _pending(self, channel: Channel, events: list[Event]) -> list[Event]:
        """The events this channel wants and has not had (a window's start or end already told by the clock
        goes as the plain update it also is)."""
        out = []
        for ev in events:
            if not wants(channel, ev):
                continue
            if self.state is not None and self.state.done(channel.id, ev.id):
                alias = ev.as_update()
                if alias is None or self.state.done(channel.id, alias.id) or not wants(channel, alias):
                    self.report.skipped += 1
                    continue
                ev = alias
            out.append(ev)
        return out

    def run_channel(self, channel: Channel, events: list[Event]) -> None:
        report = self.report
        target = self.target(channel)
        blocked: str | None = None
        for ev in self._pending(channel, events):
            where = f"{ev.id} -> {channel.id} ({channel.type})"
            if target.problem is not None:
                report.failed += 1
                verb = "cannot deliver" if self.dry_run else "not delivered"
                report.err.append(self.redact(f"{verb}: {where}: {target.problem}"))
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
            outcome = self.deliver(channel, target, ev)
            if outcome.ok:
                report.delivered += 1
                report.out.append(self.redact(f"delivered {where}: {outcome.detail}"))
                if self.state is not None:
                    self.state.mark(channel.id, ev.id)
                    alias = ev.as_update()  # the update that started (or completed) the window went out with it
                    if alias is not None:
                        self.state.mark(channel.id, alias.id)
                    save_state(self.state_path, self.state)  # at once: a crash after this never resends it
            else:
                report.failed += 1
                blocked = ev.id
                report.err.append(self.redact(f"not delivered: {where}: {outcome.detail}"))

    def run(self, events_by_view: dict[str, list[Event]]) -> None:
        for channel in self.config.channels:
            self.run_channel(channel, events_by_view.get("internal" if channel.internal else "public", []))


def _history_out(events: dict[str, list[Event]], now: datetime, config: NotifyConfig, state, report) -> dict:
    """Drop the events that are history; list each once (and, with a state, never again)."""
    reasons: dict[str, str | None] = {}
    kept: dict[str, list[Event]] = {}
    for view, evs in events.items():
        kept[view] = []
        for ev in evs:
            if ev.id not in reasons:
                reasons[ev.id] = not_announced(ev, now, config.max_age)
                if reasons[ev.id] is not None and not (state is not None and ev.id in state.not_announced):
                    report.not_announced += 1
                    report.out.append(f"not announced: {ev.id}: {reasons[ev.id]}")
            if reasons[ev.id] is None:
                kept[view].append(ev)
    if state is not None:
        state.not_announced |= {eid for eid, why in reasons.items() if why is not None}
    return kept


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
    """Raises IncidentsError (GitError, StateError, NotifyRefused) when it cannot run as asked."""
    report = Report()
    now = (as_of or datetime.now(UTC).replace(microsecond=0)).astimezone(UTC)
    from_rev, to_rev = resolve(root, from_rev), resolve(root, to_rev)  # an unknown revision: exit 2 first
    config = load_notify_config(root, config_path, None)
    if not config.ok:
        report.err.append(format_text(config.findings, 1).rstrip("\n"))
        report.failed += 1
        return report
    page = page_info(root, config.page) if config.channels else None
    state = load_state(state_path) if state_path is not None else None
    views = ("public", "internal") if any(c.internal for c in config.channels) else ("public",)
    last_run = state.as_of if state is not None else None
    history = collect(root, from_rev, to_rev, views, now, clock=state is not None, last_run=last_run)
    if history.new.repo is not None:  # the channels' `services:` filters name services of the records announced
        services = frozenset(s.id for s in history.new.repo.policy.services)
        checked = load_notify_config(root, config_path, services)
        if not checked.ok:
            report.err.append(format_text(checked.findings, 1).rstrip("\n"))
            report.failed += 1
            return report
    report.events = len({e.id for evs in history.events.values() for e in evs})
    events = _history_out(history.events, now, config, state, report)
    if page is not None and history.new.repo is not None:
        names = {s.id: s.name for s in history.new.repo.policy.services}
        Notifier(
            config,
            Payloads(page, names, now),
            env=os.environ if env is None else env,
            deliverer=deliverer or Deliverer(),
            state=state,
            state_path=state_path,
            dry_run=dry_run,
            report=report,
        ).run(events)
    if state is not None and state_path is not None and not dry_run:
        state.as_of = now
        save_state(state_path, state)
    report.out.append(
        f"{report.events} event(s) from {history.old.rev[:12]} to {history.new.rev[:12]}: {report.delivered} "
        f"delivered, {report.failed} not delivered, {report.skipped} delivered before, "
        f"{report.not_announced} not announced" + (" (dry run: nothing sent)" if dry_run else "")
    )
    return report
