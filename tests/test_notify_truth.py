"""What customers receive is true and sent once (`incidents notify`, end to end).

A real git repository whose commits walk an incident through declare, update, identified, monitoring and
resolved, then a maintenance window through scheduled, started and completed; a real HTTP receiver (webhook,
Slack) and a real SMTP server with STARTTLS (aiosmtpd) on 127.0.0.1; the real CLI. One catch-up run over
every commit must deliver each transition once, each payload as the records stood at that commit; a run
killed half-way must send nothing twice when run again; a history (imported records, records before
`effective_from`, changes older than `max_age`) is never announced.

The documented Statuspage webhook fields come from Atlassian's "Enable webhook notifications" page (its
incident and component examples), as also recorded in public integrations; see tests/fixtures/notify/README.md.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from pathlib import Path

import pytest

from incidents import REPOSITORY
from incidents.notify import Deliverer, run_notify
from incidents.records.timestamps import parse_timestamp
from notify_servers import (  # noqa: F401 - fixtures
    SMTP_PASSWORD,
    certificate,
    plain_smtp,
    receiver,
    smtp,
)
from test_notify import FIXTURES, commit, keys_everywhere, notify, run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
SITE = "https://status.example.com/"
SLACK = "/slack/T1/B2/token"
EVIL = "Ping <!channel> & see <https://evil.example|Reset your password>"

MAINTENANCE_HEAD = """---
type: maintenance
id: MNT-2026-0007
title: Database upgrade
services: [db]
scheduled_start: 2026-04-01T12:00:00Z
scheduled_end: 2026-04-01T13:00:00Z
status: {status}
updates:
  - at: 2026-04-01T10:30:00Z
    status: scheduled
    message: We will upgrade the database from 12:00 to 13:00 UTC.
"""
STARTED = """  - at: 2026-04-01T12:00:00Z
    status: in_progress
    message: The upgrade has begun.
"""
COMPLETED = """  - at: 2026-04-01T13:00:00Z
    status: completed
    message: The upgrade is done.
"""


PLAIN_EMAIL = "    from: status@example.com\n    to: [ops@example.org]\n"
NAMED_EMAIL = (
    "    from: Acme Status <status@example.com>\n    to: [Ops Team <ops@example.org>]\n"
    "    unsubscribe: https://lists.example.com/leave/status\n"
)


def channels(url: str, smtp_port: int, email_tail: str = PLAIN_EMAIL) -> str:
    return f"""channels:
  - id: customers
    type: webhook
    url: {url}/hook
  - id: ops
    type: slack
    url: {url}{SLACK}
  - id: announce
    type: email
    smtp: {{host: 127.0.0.1, port: {smtp_port}, username_env: SMTP_USER, password_env: SMTP_PASSWORD}}
{email_tail}"""


def make_root(tmp_path: Path, receiver, smtp, *, site_url: str | None = SITE, email_tail: str = PLAIN_EMAIL) -> Path:
    root = tmp_path / "status"
    root.mkdir()
    run(root, "git", "init", "-q", "-b", "main")
    shutil.copytree(FIXTURES / "roundtrip" / "policy", root / "policy")
    site = f"site_url: {site_url}\n" if site_url else ""
    (root / "mkdocs.yml").write_text(
        f"site_name: Acme Status\n{site}markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\nplugins:\n  - incidents\n",
        encoding="utf-8",
    )
    (root / "policy" / "notify.yml").write_text(channels(receiver.url, smtp.port, email_tail), encoding="utf-8")
    (root / "incidents" / "2026").mkdir(parents=True)
    return root


def incident_commits(root: Path) -> list[str]:
    revs = [commit(root, "policy and channels")]
    new = ["incidents", "new", "--severity", "SEV-2", "--title", "API errors", "--service", "api"]
    new += ["--impact", "partial_outage", "--role", "commander=alice", "--at", "2026-04-01T09:00:00Z"]
    run(root, *new, "--message", "We are investigating errors on the API.")
    revs.append(commit(root, "declare"))
    steps = [
        ("investigating", "2026-04-01T09:10:00Z", EVIL),
        ("identified", "2026-04-01T09:20:00Z", "A bad deploy; rolling back."),
        ("monitoring", "2026-04-01T09:40:00Z", "Rolled back; watching error rates."),
        ("resolved", "2026-04-01T10:00:00Z", "Error rates are back to normal."),
    ]
    for status, at, message in steps:
        run(root, "incidents", "update", "INC-2026-0001", "--status", status, "--at", at, "--message", message)
        revs.append(commit(root, status))
    path = root / "incidents" / "2026" / "MNT-2026-0007.md"
    for status, extra in (("scheduled", ""), ("in_progress", STARTED), ("completed", STARTED + COMPLETED)):
        path.write_text(MAINTENANCE_HEAD.format(status=status) + extra + "---\n", encoding="utf-8")
        revs.append(commit(root, f"maintenance {status}"))
    return revs


@pytest.fixture
def catchup(tmp_path, receiver, smtp):
    root = make_root(tmp_path, receiver, smtp)
    return root, incident_commits(root)


SECRETS = {"SMTP_USER": "mailer", "SMTP_PASSWORD": SMTP_PASSWORD}
# What each event must say, as its commit had it: (event id, status, updates so far, the component's status,
# the page's indicator).
EXPECTED = [
    ("INC-2026-0001:incident.created:0", "investigating", 1, "partial_outage", "major"),
    ("INC-2026-0001:incident.updated:1", "investigating", 2, "partial_outage", "major"),
    ("INC-2026-0001:incident.updated:2", "identified", 3, "partial_outage", "major"),
    ("INC-2026-0001:incident.updated:3", "monitoring", 4, "partial_outage", "major"),
    ("INC-2026-0001:incident.resolved:4", "resolved", 5, "operational", "none"),
    ("MNT-2026-0007:maintenance.scheduled:0", "scheduled", 1, "operational", "none"),
    ("MNT-2026-0007:maintenance.started", "in_progress", 2, "under_maintenance", "maintenance"),
    ("MNT-2026-0007:maintenance.completed", "completed", 3, "operational", "none"),
]


def test_a_catch_up_over_every_commit_sends_each_transition_once_as_of_its_commit(catchup, receiver, smtp, tmp_path):
    root, revs = catchup
    state = tmp_path / "state.json"
    proc = notify(root, "--from", revs[0], "--state", str(state), "--as-of", "2026-04-01T13:30:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    hooks = receiver.on("/hook")
    assert [r["headers"]["X-Incidents-Event-Id"] for r in hooks] == [e[0] for e in EXPECTED]
    for r, (eid, status, count, component, indicator) in zip(hooks, EXPECTED, strict=True):
        body = json.loads(r["body"])
        inc = body["incident"]
        assert inc["status"] == status, eid
        assert len(inc["incident_updates"]) == count, eid  # the updates so far, none from later
        assert [c["status"] for c in inc["components"]] == [component], eid
        assert body["page"]["status_indicator"] == indicator, eid
        assert inc["shortlink"].startswith(SITE) and body["meta"]["unsubscribe"] == SITE + "subscribe/"
        assert body["meta"]["documentation"].startswith(REPOSITORY + "/")
        assert "organization_id" in inc and inc["organization_id"] is None
        assert inc["scheduled_auto_transition"] is (eid.startswith("MNT")), eid
    maintenance = json.loads(hooks[6]["body"])["incident"]
    assert maintenance["shortlink"] == SITE + "maintenance/MNT-2026-0007/"  # the window's own page

    slack = [json.loads(r["body"]) for r in receiver.on(SLACK)]
    assert [m["text"].split("]")[0] + "]" for m in slack] == [
        "[Investigating]",
        "[Investigating]",
        "[Identified]",
        "[Monitoring]",
        "[Resolved]",
        "[Scheduled]",
        "[In progress]",
        "[Completed]",
    ]
    # Escaped everywhere: the fallback text as the blocks.
    assert "<!channel>" not in json.dumps(slack) and "<https://evil" not in json.dumps(slack)
    assert "&lt;!channel&gt; &amp; see &lt;https://evil.example|Reset your password&gt;" in slack[1]["text"]
    links = [m["blocks"][0]["text"]["text"].split("|")[0].removeprefix("*<") for m in slack]
    assert links[0] == SITE + "incidents/INC-2026-0001/" and links[-1] == SITE + "maintenance/MNT-2026-0007/"

    mails = [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in smtp.messages]
    assert [m["Subject"] for m in mails] == [
        "[Investigating] API errors",
        "[Investigating] API errors",
        "[Identified] API errors",
        "[Monitoring] API errors",
        "[Resolved] API errors",
        "[Scheduled] Database upgrade",
        "[In progress] Database upgrade",
        "[Completed] Database upgrade",
    ]
    assert all(rcpt == ["ops@example.org"] for rcpt, _ in smtp.messages)
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mails)
    texts = [m.get_body(("plain",)).get_content() for m in mails]
    assert f"Details: {SITE}incidents/INC-2026-0001/" in texts[0]
    assert f"Details: {SITE}maintenance/MNT-2026-0007/" in texts[-1]
    assert "Rolled back" not in texts[2]  # the identified mail knows nothing of what came later
    assert smtp.tls == [True] * 8

    # Nothing twice: the same run again, and each id once per channel.
    before = len(receiver.requests), len(smtp.messages)
    again = notify(root, "--from", revs[0], "--state", str(state), "--as-of", "2026-04-01T13:40:00Z", extra=SECRETS)
    assert again.returncode == 0 and (len(receiver.requests), len(smtp.messages)) == before
    for path in ("/hook", SLACK):
        ids = [json.loads(r["body"]).get("incident", {}).get("id") or r["body"] for r in receiver.on(path)]
        assert len(ids) == 8


def test_slack_text_is_escaped_as_its_blocks_and_every_link_is_absolute(catchup, receiver, smtp):
    root, revs = catchup
    proc = notify(root, "--from", revs[1], "--to", revs[2], "--as-of", "2026-04-01T09:30:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [message] = [json.loads(r["body"]) for r in receiver.on(SLACK)]
    assert message["text"] == (
        "[Investigating] API errors: Ping &lt;!channel&gt; &amp; see &lt;https://evil.example|Reset your password&gt;"
    )
    assert message["blocks"][0]["text"]["text"].startswith(f"*<{SITE}incidents/INC-2026-0001/|API errors>*")
    [hook] = [json.loads(r["body"]) for r in receiver.on("/hook")]
    assert hook["incident"]["shortlink"] == f"{SITE}incidents/INC-2026-0001/"
    assert hook["meta"]["unsubscribe"] == f"{SITE}subscribe/"
    [(_, raw)] = smtp.messages
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
    assert f"Details: {SITE}incidents/INC-2026-0001/" in text and f"unsubscribe: {SITE}subscribe/" in text


def test_the_documented_statuspage_fields_are_all_there(catchup, receiver, smtp, tmp_path):
    root, revs = catchup
    proc = notify(root, "--from", revs[0], "--to", revs[2], "--as-of", "2026-04-01T09:30:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stderr
    body = json.loads(receiver.on("/hook")[-1]["body"])
    documented = json.loads((FIXTURES / "notify" / "statuspage-documented-webhooks.json").read_text())
    missing = keys_everywhere(documented["incident"]) - keys_everywhere(body)
    assert not missing, missing
    component_keys = set(documented["component"]["component"])
    assert all(component_keys <= set(c) for c in body["incident"]["components"])


def test_a_run_killed_half_way_then_run_again_sends_nothing_twice(catchup, receiver, smtp, tmp_path, monkeypatch):
    root, revs = catchup
    state = tmp_path / "state.json"
    real_post = Deliverer.post
    calls = {"n": 0}

    def dying_post(self, url, body, headers):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt  # the runner is killed in the middle of a delivery loop
        return real_post(self, url, body, headers)

    monkeypatch.setattr(Deliverer, "post", dying_post)
    args = dict(config_path="policy/notify.yml", state_path=state, dry_run=False, env=SECRETS)
    with pytest.raises(KeyboardInterrupt):
        run_notify(root, revs[0], "HEAD", as_of=parse_timestamp("2026-04-01T13:30:00Z"), **args)
    assert len(receiver.requests) == 5
    saved = json.loads(state.read_text())
    assert sum(len(ids) for ids in saved["delivered"].values()) == 5  # written after every delivery
    monkeypatch.setattr(Deliverer, "post", real_post)
    report = run_notify(root, revs[0], "HEAD", as_of=parse_timestamp("2026-04-01T13:35:00Z"), **args)
    assert report.exit_code == 0, report.err
    sent = [(r["path"], r["headers"].get("X-Incidents-Event-Id") or r["body"]) for r in receiver.requests]
    assert len(sent) == len(set(sent)) == 16  # 8 events x (webhook + slack), each exactly once
    assert len(smtp.messages) == 8


def test_addresses_may_have_display_names_and_mail_says_how_to_leave(tmp_path, receiver, smtp):
    root = make_root(tmp_path, receiver, smtp, email_tail=NAMED_EMAIL)
    revs = incident_commits(root)
    proc = notify(root, "--from", revs[0], "--to", revs[1], "--as-of", "2026-04-01T09:30:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [(rcpt, raw)] = smtp.messages
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert rcpt == ["ops@example.org"]
    assert mail["From"] == "Acme Status <status@example.com>" and mail["To"] == "Ops Team <ops@example.org>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe"] == "<https://lists.example.com/leave/status>"
    assert mail["Message-ID"] == "<incident.INC-2026-0001@example.com>"


def write_incident(root: Path, rid: str, day: str, extra: str = "") -> None:
    (root / "incidents" / "2026" / f"{rid}.md").write_text(
        f"---\nid: {rid}\ntitle: Old outage {rid}\nseverity: SEV-2\nstatus: resolved\nservices: [api]\n"
        f"impact: major_outage\nstarted_at: {day}T10:00:00Z\ndetected_at: {day}T10:00:00Z\n"
        f"acknowledged_at: {day}T10:00:00Z\nresolved_at: {day}T11:00:00Z\nroles: {{commander: alice}}\n{extra}"
        f"updates:\n  - {{at: {day}T10:00:00Z, status: investigating, message: We are investigating.}}\n"
        f"  - {{at: {day}T11:00:00Z, status: resolved, message: Resolved.}}\n---\n",
        encoding="utf-8",
    )


def test_a_history_is_never_announced(tmp_path, receiver, smtp):
    root = make_root(tmp_path, receiver, smtp)
    policy = root / "policy" / "policy.yml"
    policy.write_text(policy.read_text() + "effective_from: 2026-03-01\n", encoding="utf-8")
    first = commit(root, "policy")
    write_incident(root, "INC-2026-0903", "2026-03-05")  # older than max_age (24h by default)
    source = "source: {system: statuspage, id: p8kbx1pq0m5v}\n"
    write_incident(root, "INC-2026-0901", "2026-03-10", source)  # imported, however recent
    write_incident(root, "INC-2026-0902", "2026-02-27")  # before effective_from
    commit(root, "import a history")
    state = tmp_path / "state.json"
    proc = notify(root, "--from", first, "--state", str(state), "--as-of", "2026-03-10T12:00:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stderr
    assert receiver.requests == [] and smtp.messages == []
    lines = [line for line in proc.stdout.splitlines() if line.startswith("not announced: ")]
    assert len(lines) == 6, proc.stdout  # two events (created, resolved) of each record
    assert (
        "not announced: INC-2026-0903:incident.created:0: it happened at 2026-03-05 10:00 UTC, "
        "more than max_age (1d) ago" in lines
    )
    assert (
        "not announced: INC-2026-0901:incident.resolved:1: imported from statuspage: a history is never announced"
        in lines
    )
    assert (
        "not announced: INC-2026-0902:incident.created:0: the record starts before the policy's effective_from "
        "(2026-03-01)" in lines
    )
    assert len(json.loads(state.read_text())["not_announced"]) == 6
    again = notify(root, "--from", first, "--state", str(state), "--as-of", "2026-03-10T12:05:00Z", extra=SECRETS)
    assert "not announced: " not in again.stdout and receiver.requests == []


def test_max_age_is_read_from_notify_yml(tmp_path, receiver, smtp):
    root = make_root(tmp_path, receiver, smtp)
    notify_yml = root / "policy" / "notify.yml"
    notify_yml.write_text("max_age: 2h\n" + notify_yml.read_text(), encoding="utf-8")
    revs = incident_commits(root)
    proc = notify(root, "--from", revs[0], "--to", revs[3], "--as-of", "2026-04-01T11:15:00Z", extra=SECRETS)
    assert proc.returncode == 0, proc.stderr
    # 09:00 and 09:10 are more than 2h before 11:15; 09:20 is not.
    assert [r["headers"]["X-Incidents-Event-Id"] for r in receiver.on("/hook")] == ["INC-2026-0001:incident.updated:2"]
    assert "not announced: INC-2026-0001:incident.created:0" in proc.stdout


def test_without_site_url_notify_refuses_to_run_and_validate_warns(tmp_path, receiver, smtp):
    root = make_root(tmp_path, receiver, smtp, site_url=None)
    revs = incident_commits(root)
    proc = notify(root, "--from", revs[0], "--as-of", "2026-04-01T13:30:00Z", extra=SECRETS)
    assert proc.returncode == 2
    assert "mkdocs.yml does not say where it lives" in proc.stderr and "site_url" in proc.stderr
    assert receiver.requests == [] and smtp.messages == []
    checked = run(root, "incidents", "validate", ok=False)
    assert checked.returncode == 0
    assert "policy/notify.yml:1:1: warning notify-no-site-url" in checked.stdout


def test_a_dry_run_says_which_channel_cannot_deliver_and_why(catchup, tmp_path):
    root, revs = catchup
    yml = root / "policy" / "notify.yml"
    yml.write_text(
        yml.read_text().replace("    url: http", "    url_env: SLACK_WEBHOOK_URL\n    #", 2), encoding="utf-8"
    )
    proc = notify(
        root, "--from", revs[0], "--to", revs[1], "--dry-run", "--as-of", "2026-04-01T09:30:00Z", extra=SECRETS
    )
    assert proc.returncode == 1
    assert (
        "cannot deliver: INC-2026-0001:incident.created:0 -> customers (webhook): "
        "the environment variable SLACK_WEBHOOK_URL is not set" in proc.stderr
    )
    assert "would deliver INC-2026-0001:incident.created:0 -> customers" not in proc.stdout
    assert "would deliver INC-2026-0001:incident.created:0 -> announce (email)" in proc.stdout


def test_header_text_is_folded_so_an_email_is_always_built():
    """A title with CR/LF is an error in validate, but whatever reaches notify (an older record, a message)
    is folded into one header line: no injected header, no `ValueError` while the webhook already went."""
    import dataclasses

    from incidents.notify.events import Event, incident_as_of
    from incidents.notify.payloads import Payloads
    from incidents.policy.notify_file import parse_notify_config
    from incidents.publish.statuspage import PageInfo
    from incidents.reading.validate import validate_root

    root = FIXTURES / "findings" / "valid_incident"
    report = validate_root(_root_with_policy(root, FIXTURES / "findings" / "_base"))
    inc = dataclasses.replace(
        incident_as_of(report.repository.incidents[0], 0), title="API down\r\nBcc: everyone@example.com\x0b"
    )
    ev = Event(f"{inc.id}:incident.created:0", "incident.created", inc, inc.updates[0].at, 0, report.repository)
    cfg = parse_notify_config(
        b"channels:\n  - id: m\n    type: email\n    smtp: {host: h}\n    from: 'Acme <status@example.com>'\n"
        b"    to: [ops@example.org]\n    unsubscribe: leave@example.org\n",
        "policy/notify.yml",
    )
    msg = Payloads(PageInfo("p", "Acme", SITE), {}, parse_timestamp("2026-02-10T16:00:00Z")).email(
        ev, False, cfg.channels[0]
    )
    raw = msg.as_bytes()
    assert msg["Subject"] == "[Investigating] API down Bcc: everyone@example.com"
    assert b"\nBcc:" not in raw.split(b"\n\n", 1)[0] and msg["List-Unsubscribe"] == "<mailto:leave@example.org>"


_ROOTS: dict = {}


def _root_with_policy(case: Path, base: Path) -> Path:
    import tempfile

    if case not in _ROOTS:
        tmp = Path(tempfile.mkdtemp(prefix="notify-fold-"))
        shutil.copytree(case, tmp / "root", ignore=shutil.ignore_patterns("expected.json"))
        shutil.copytree(base / "policy", tmp / "root" / "policy")
        _ROOTS[case] = tmp / "root"
    return _ROOTS[case]


def test_notify_yml_new_keys_are_read_and_checked_at_their_lines():
    from datetime import timedelta

    from incidents.policy.notify_file import parse_notify_config

    cfg = parse_notify_config(
        b"max_age: 6h\nchannels:\n  - id: m\n    type: email\n    smtp: {host: h, port: 465, tls: true}\n"
        b"    from: Acme Status <status@example.com>\n    to: ['Ops Team <ops@example.org>', b@example.org]\n"
        b"    unsubscribe: https://lists.example.com/leave\n",
        "policy/notify.yml",
    )
    assert cfg.ok and not cfg.findings, cfg.findings
    assert cfg.max_age == timedelta(hours=6) and cfg.channels[0].smtp.tls is True
    assert cfg.channels[0].to == ("Ops Team <ops@example.org>", "b@example.org")
    bad = parse_notify_config(
        b"max_age: soon\nchannels:\n  - id: m\n    type: email\n    smtp: {host: h, tls: maybe}\n"
        b"    from: status@example.com\n    to: ['a@b.org, c@d.org']\n    unsubscribe: nowhere\n",
        "policy/notify.yml",
    )
    assert sorted((f.line, f.code) for f in bad.findings) == [
        (1, "invalid-duration"),
        (5, "wrong-type"),
        (7, "invalid-value"),
        (8, "invalid-value"),
    ]


def test_several_updates_in_one_commit_are_each_told_as_of_their_own_time(tmp_path):
    """A late push carrying a whole incident (and a whole window) in one commit: each event still shows only
    the updates posted by then, and the components and page as they were at that moment."""
    from incidents.notify.events import diff_events, in_order
    from incidents.notify.payloads import Payloads
    from incidents.publish.statuspage import PageInfo
    from incidents.reading.validate import validate_root

    root = tmp_path / "root"
    shutil.copytree(FIXTURES / "roundtrip" / "policy", root / "policy")
    (root / "incidents" / "2026").mkdir(parents=True)
    write_incident(root, "INC-2026-0005", "2026-04-01")
    (root / "incidents" / "2026" / "MNT-2026-0007.md").write_text(
        MAINTENANCE_HEAD.format(status="completed") + STARTED + COMPLETED + "---\n", encoding="utf-8"
    )
    repo = validate_root(root).repository
    now = parse_timestamp("2026-04-01T14:00:00Z")
    events = in_order(diff_events(None, repo, "public", now, commit="c1", order=1))
    assert [e.id for e in events] == [
        "INC-2026-0005:incident.created:0",
        "MNT-2026-0007:maintenance.scheduled:0",
        "INC-2026-0005:incident.resolved:1",
        "MNT-2026-0007:maintenance.started",
        "MNT-2026-0007:maintenance.completed",
    ]
    payloads = Payloads(PageInfo("p", "Acme", SITE), {}, now)
    bodies = [json.loads(payloads.webhook(e, False)) for e in events]
    said = [
        (b["incident"]["status"], len(b["incident"]["incident_updates"]), b["incident"]["components"][0]["status"])
        for b in bodies
    ]
    assert said == [
        ("investigating", 1, "major_outage"),
        ("scheduled", 1, "operational"),
        ("resolved", 2, "operational"),
        ("in_progress", 2, "under_maintenance"),
        ("completed", 3, "operational"),
    ]
    # At 10:30 the incident (10:00-11:00) was still open: the page said so when the window was announced.
    assert [b["page"]["status_indicator"] for b in bodies] == ["critical", "critical", "none", "maintenance", "none"]
