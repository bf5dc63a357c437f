"""`incidents notify` end to end: a real git repository whose commits declare, update and resolve an incident
(and an internal one) and schedule a maintenance window; an HTTP receiver and a real SMTP server (aiosmtpd) on
127.0.0.1; the real CLI. Every event arrives once, in order, in the right shape; internal incidents never reach a
public channel; a re-run with --state sends nothing; retries, a failing channel, and no secret in any output."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incidents.notify import Deliverer, parse_notify_config, run_notify
from incidents.records.timestamps import parse_timestamp
from notify_servers import (  # noqa: F401 - fixtures
    SMTP_PASSWORD,
    Receiver,
    certificate,
    free_port,
    plain_smtp,
    receiver,
    smtp,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

WEBHOOK_SECRET = "whsec-7Qx9-very-secret"
SLACK_PATH = "/services/T0001/B0002/slacktokenSECRET42"


# ---- the repository ------------------------------------------------------------------------------


def env(extra: dict | None = None) -> dict:
    out = dict(
        os.environ,
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        GIT_AUTHOR_NAME="Alice",
        GIT_AUTHOR_EMAIL="alice@example.com",
        GIT_COMMITTER_NAME="Alice",
        GIT_COMMITTER_EMAIL="alice@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    out.update(extra or {})
    return out


def run(root: Path, *args: str, extra: dict | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=root, env=env(extra), capture_output=True, text=True, timeout=120)
    if ok:
        assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc


def commit(root: Path, message: str) -> str:
    run(root, "git", "add", "-A")
    run(root, "git", "commit", "-q", "-m", message)
    return run(root, "git", "rev-parse", "HEAD").stdout.strip()


MAINTENANCE = """---
type: maintenance
id: MNT-2026-0001
title: Database upgrade
services: [db]
scheduled_start: 2026-04-02T22:00:00Z
scheduled_end: 2026-04-02T23:00:00Z
status: scheduled
updates:
  - at: 2026-04-01T12:00:00Z
    status: scheduled
    message: We will upgrade the database on 2 April, 22:00-23:00 UTC.
---
"""


def notify_yml(receiver: Receiver, smtp_port: int, *, slack_url_env: str = "SLACK_WEBHOOK_URL") -> str:
    return f"""# who hears about what
channels:
  - id: customers
    type: webhook
    url: {receiver.url}/hook
    secret_env: STATUS_WEBHOOK_SECRET
  - id: ops
    type: slack
    url_env: {slack_url_env}
    audience: internal
  - id: announce
    type: email
    smtp: {{host: 127.0.0.1, port: {smtp_port}, username_env: SMTP_USER, password_env: SMTP_PASSWORD}}
    from: status@example.com
    to: [status-announce@example.com]
  - id: db-team
    type: webhook
    url: {receiver.url}/db
    services: [db]
  - id: majors
    type: webhook
    url: {receiver.url}/majors
    min_impact: major_outage
"""


@pytest.fixture
def history(tmp_path, receiver, smtp):
    """c0 policy + channels; c1 declare (and an internal incident); c2 identified; c3 resolved;
    c4 a maintenance window scheduled."""
    root = tmp_path / "status"
    root.mkdir()
    run(root, "git", "init", "-q", "-b", "main")
    shutil.copytree(FIXTURES / "roundtrip" / "policy", root / "policy")
    (root / "mkdocs.yml").write_text(
        "site_name: Acme Status\nsite_url: https://status.example.com/\nplugins:\n  - incidents\n", encoding="utf-8"
    )
    (root / "policy" / "notify.yml").write_text(notify_yml(receiver, smtp.port), encoding="utf-8")
    (root / "incidents").mkdir()
    (root / "incidents" / "README.md").write_text("Records.\n", encoding="utf-8")
    revs = [commit(root, "policy and channels")]
    run(
        root,
        "incidents",
        "new",
        "--severity",
        "SEV-2",
        "--title",
        "API errors",
        "--service",
        "api",
        "--impact",
        "partial_outage",
        "--role",
        "commander=alice",
        "--at",
        "2026-04-01T09:00:00Z",
        "--message",
        "We are investigating errors on the API.",
    )
    run(
        root,
        "incidents",
        "new",
        "--severity",
        "SEV-3",
        "--title",
        "Secret project Zeta stalls",
        "--service",
        "web",
        "--internal",
        "--at",
        "2026-04-01T09:05:00Z",
        "--message",
        "Zeta builds stall.",
    )
    revs.append(commit(root, "declare"))
    run(
        root,
        "incidents",
        "update",
        "INC-2026-0001",
        "--status",
        "identified",
        "--at",
        "2026-04-01T09:20:00Z",
        "--message",
        "A bad deploy; rolling back.",
    )
    revs.append(commit(root, "identified"))
    run(
        root,
        "incidents",
        "update",
        "INC-2026-0001",
        "--status",
        "resolved",
        "--at",
        "2026-04-01T10:00:00Z",
        "--message",
        "Error rates are back to normal.",
    )
    revs.append(commit(root, "resolved"))
    (root / "incidents" / "2026" / "MNT-2026-0001.md").write_text(MAINTENANCE, encoding="utf-8")
    revs.append(commit(root, "maintenance"))
    return root, revs


SECRETS = {"STATUS_WEBHOOK_SECRET": WEBHOOK_SECRET, "SMTP_USER": "mailer", "SMTP_PASSWORD": SMTP_PASSWORD}


def notify(root: Path, *args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
    return run(root, "incidents", "notify", *args, extra=extra, ok=False)


def keys_everywhere(doc, prefix="") -> set[str]:
    """Every key path of a JSON document, lists taken by their first item: `incident.incident_updates[].id`."""
    out = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(prefix + k)
            out |= keys_everywhere(v, prefix + k + ".")
    elif isinstance(doc, list) and doc and isinstance(doc[0], dict):
        for item in doc:
            out |= keys_everywhere(item, prefix[:-1] + "[].")
    return out


def test_every_event_once_in_order_in_the_right_shape(history, receiver, smtp, tmp_path):
    root, revs = history
    secrets = dict(SECRETS, SLACK_WEBHOOK_URL=receiver.url + SLACK_PATH)
    state = tmp_path / "state.json"
    proc = notify(root, "--from", revs[0], "--state", str(state), "--as-of", "2026-04-01T13:00:00Z", extra=secrets)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # The public webhook: every public event once, in the order it happened, signed.
    hooks = receiver.on("/hook")
    assert [(r["headers"]["X-Incidents-Event"], r["headers"]["X-Incidents-Event-Id"]) for r in hooks] == [
        ("incident.created", "INC-2026-0001:incident.created:0"),
        ("incident.updated", "INC-2026-0001:incident.updated:1"),
        ("incident.resolved", "INC-2026-0001:incident.resolved:2"),  # one message per transition
        ("maintenance.scheduled", "MNT-2026-0001:maintenance.scheduled:0"),
    ]
    for r in hooks:
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), r["body"], hashlib.sha256).hexdigest()
        assert r["headers"]["X-Incidents-Signature"] == expected
        assert r["headers"]["Content-Type"] == "application/json"
    bodies = [json.loads(r["body"]) for r in hooks]
    # Statuspage's recorded webhook: every key it has, at every level, ours has too.
    recorded = json.loads((FIXTURES / "notify" / "statuspage-webhook-incident-update.json").read_text())
    missing = keys_everywhere(recorded) - keys_everywhere(bodies[2])
    assert not missing, missing
    assert set(bodies[0]) == {"meta", "page", "incident"}
    created, identified, resolved = (b["incident"] for b in bodies[:3])
    assert created["id"] == "INC-2026-0001" and created["status"] == "investigating"
    assert [u["body"] for u in created["incident_updates"]] == ["We are investigating errors on the API."]
    assert identified["status"] == "identified" and len(identified["incident_updates"]) == 2
    assert identified["incident_updates"][0]["body"] == "A bad deploy; rolling back."  # newest first
    assert resolved["status"] == "resolved" and resolved["resolved_at"] == "2026-04-01T10:00:00.000Z"
    assert (
        resolved["impact"] == "major" and resolved["shortlink"] == "https://status.example.com/incidents/INC-2026-0001/"
    )
    assert bodies[2]["page"] == {
        "id": bodies[0]["page"]["id"],
        "status_indicator": "none",
        "status_description": "All Systems Operational",
    }
    # The page as it was when each event happened: the incident open, the API in partial outage.
    assert bodies[0]["page"]["status_indicator"] == "major"
    assert [c["status"] for c in created["components"]] == ["partial_outage"]
    maintenance = bodies[3]["incident"]
    assert maintenance["impact"] == "maintenance" and maintenance["scheduled_for"] == "2026-04-02T22:00:00.000Z"
    assert "internal" not in created

    # The internal Slack channel: the internal incident too, with internal fields.
    slack = receiver.on(SLACK_PATH)
    ids = [r["headers"]["X-Incidents-Event-Id"] if "X-Incidents-Event-Id" in r["headers"] else None for r in slack]
    assert len(slack) == 5
    messages = [json.loads(r["body"]) for r in slack]
    assert all(set(m) == {"text", "blocks"} for m in messages)
    assert messages[0]["text"] == "[Investigating] API errors: We are investigating errors on the API."
    assert messages[1]["text"] == "[Investigating] Secret project Zeta stalls: Zeta builds stall."
    assert "Severity: SEV-3" in json.dumps(messages[1]["blocks"])
    assert ids == [None] * 5

    # Email: subject [Status] title, text + HTML, threaded per incident.
    mails = [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in smtp.messages]
    assert [m["Subject"] for m in mails] == [
        "[Investigating] API errors",
        "[Identified] API errors",
        "[Resolved] API errors",
        "[Scheduled] Database upgrade",
    ]
    root_id = mails[0]["Message-ID"]
    assert root_id == "<incident.INC-2026-0001@example.com>"
    assert all(m["In-Reply-To"] == root_id and m["References"] == root_id for m in mails[1:3])
    assert len({m["Message-ID"] for m in mails}) == 4
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mails)
    assert (
        mails[0]
        .get_body(("plain",))
        .get_content()
        .replace("\r\n", "\n")
        .startswith("API errors\n\nWe are investigating")
    )
    assert "<h1>API errors</h1>" in mails[0].get_body(("html",)).get_content()
    assert smtp.logins[0] == ("mailer", SMTP_PASSWORD)
    assert smtp.tls == [True] * 4  # STARTTLS before the password and every message
    assert all(rcpt == ["status-announce@example.com"] for rcpt, _ in smtp.messages)

    # Filters: the db team hears of the maintenance only; nothing here was a major outage.
    assert [r["headers"]["X-Incidents-Event"] for r in receiver.on("/db")] == ["maintenance.scheduled"]
    assert [r["headers"]["X-Incidents-Event"] for r in receiver.on("/majors")] == ["maintenance.scheduled"]

    # The internal incident never reached a public channel.
    public = [r["body"] for r in receiver.requests if r["path"] != SLACK_PATH] + [raw for _, raw in smtp.messages]
    assert not any(b"Zeta" in body or b"INC-2026-0002" in body for body in public)
    assert b"SEV-2" not in b"".join(r["body"] for r in hooks)  # severity is internal text

    # Secrets never printed.
    output = proc.stdout + proc.stderr
    for secret in (WEBHOOK_SECRET, "slacktokenSECRET42", SMTP_PASSWORD):
        assert secret not in output
    assert "delivered INC-2026-0001:incident.created:0 -> customers (webhook): HTTP 200" in proc.stdout

    # A re-run with the state delivers nothing twice.
    count = len(receiver.requests), len(smtp.messages)
    again = notify(root, "--from", revs[0], "--state", str(state), "--as-of", "2026-04-01T13:05:00Z", extra=secrets)
    assert again.returncode == 0, again.stderr
    assert (len(receiver.requests), len(smtp.messages)) == count
    assert "0 delivered" in again.stdout

    # Time: once the window starts (and ends), the state's clock notices it, once.
    later = notify(root, "--from", revs[-1], "--state", str(state), "--as-of", "2026-04-02T23:30:00Z", extra=secrets)
    assert later.returncode == 0, later.stderr
    assert [r["headers"]["X-Incidents-Event"] for r in receiver.on("/db")] == [
        "maintenance.scheduled",
        "maintenance.started",
        "maintenance.completed",
    ]
    again = notify(root, "--from", revs[-1], "--state", str(state), "--as-of", "2026-04-02T23:45:00Z", extra=secrets)
    assert len(receiver.on("/db")) == 3


def test_retries_then_delivers_and_a_failing_channel_does_not_stop_the_others(history, receiver, smtp, tmp_path):
    root, revs = history
    receiver.script["/hook"] = [(500, {}), (429, {"Retry-After": "7"}), (200, {})]
    closed = free_port()  # nothing listens here: connection refused, retried, then given up
    secrets = dict(SECRETS, SLACK_WEBHOOK_URL=f"http://127.0.0.1:{closed}{SLACK_PATH}")
    sleeps: list[float] = []
    report = run_notify(
        root,
        revs[0],
        revs[1],
        config_path="policy/notify.yml",
        state_path=tmp_path / "s.json",
        as_of=parse_timestamp("2026-04-01T09:30:00Z"),
        dry_run=False,
        env=secrets,
        deliverer=Deliverer(sleep=sleeps.append, backoff=(0.5, 1.0, 2.0)),
    )
    assert report.exit_code == 1
    # The webhook: 500 -> backoff 0.5 s, 429 -> Retry-After 7 s, then 200; the slack channel: 3 backoffs.
    assert sleeps[:2] == [0.5, 7.0]
    assert [r["headers"]["X-Incidents-Event-Id"] for r in receiver.on("/hook")] == [
        "INC-2026-0001:incident.created:0"
    ] * 3
    assert len(smtp.messages) == 1
    assert report.err == [
        "not delivered: INC-2026-0001:incident.created:0 -> ops (slack): connection failed after 4 attempts",
        "not delivered: INC-2026-0002:incident.created:0 -> ops (slack): waits for "
        "INC-2026-0001:incident.created:0, which this channel did not take",
    ]
    assert sleeps[2:] == [0.5, 1.0, 2.0]
    # A 4xx other than 429 is not retried.
    receiver.script["/hook"] = [(410, {})]
    report2 = run_notify(
        root,
        revs[1],
        revs[2],
        config_path="policy/notify.yml",
        state_path=tmp_path / "s.json",
        as_of=parse_timestamp("2026-04-01T09:30:00Z"),
        dry_run=False,
        env=dict(SECRETS),
        deliverer=Deliverer(sleep=sleeps.append, backoff=(0.5, 1.0, 2.0)),
    )
    assert "not delivered: INC-2026-0001:incident.updated:1 -> customers (webhook): HTTP 410" in report2.err
    assert (
        "not delivered: INC-2026-0001:incident.updated:1 -> ops (slack): the environment variable "
        "SLACK_WEBHOOK_URL is not set" in report2.err
    )
    assert len(receiver.on("/hook")) == 4
    assert len(smtp.messages) == 2  # email still went out


def test_the_cli_names_each_undelivered_event_and_prints_no_secret(history, receiver, smtp, tmp_path):
    root, revs = history
    receiver.script[SLACK_PATH] = [(404, {})]
    secrets = dict(SECRETS, SLACK_WEBHOOK_URL=receiver.url + SLACK_PATH, SMTP_PASSWORD="wrong-password-123")
    proc = notify(root, "--from", revs[0], "--to", revs[1], "--as-of", "2026-04-01T09:30:00Z", extra=secrets)
    assert proc.returncode == 1
    assert "not delivered: INC-2026-0001:incident.created:0 -> ops (slack): HTTP 404" in proc.stderr
    assert (
        "not delivered: INC-2026-0001:incident.created:0 -> announce (email): SMTP authentication failed" in proc.stderr
    )
    assert "delivered INC-2026-0001:incident.created:0 -> customers (webhook): HTTP 200" in proc.stdout
    for secret in (WEBHOOK_SECRET, "slacktokenSECRET42", "wrong-password-123", receiver.url + SLACK_PATH):
        assert secret not in proc.stdout + proc.stderr


def test_dry_run_sends_nothing(history, receiver, smtp, tmp_path):
    root, revs = history
    state = tmp_path / "state.json"
    proc = notify(
        root,
        "--from",
        revs[0],
        "--to",
        revs[1],
        "--state",
        str(state),
        "--dry-run",
        "--as-of",
        "2026-04-01T09:30:00Z",
        extra=dict(SECRETS, SLACK_WEBHOOK_URL="http://127.0.0.1:9/x"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "would deliver INC-2026-0001:incident.created:0 -> customers (webhook)" in proc.stdout
    assert receiver.requests == [] and smtp.messages == [] and not state.exists()


def test_a_bad_notify_yml_is_a_finding_at_its_line(history):
    root, revs = history
    (root / "policy" / "notify.yml").write_text(
        "channels:\n  - id: ops\n    type: slak\n  - id: mail\n    type: email\n    smtp: {host: h}\n"
        "    from: status@example.com\n    to: [nobody]\n    min_impact: huge\n",
        encoding="utf-8",
    )
    proc = notify(root, "--from", revs[0])
    assert proc.returncode == 1
    assert (
        "policy/notify.yml:3:11: error invalid-value unknown channel type `slak`; did you mean `slack`?" in proc.stderr
    )
    assert "policy/notify.yml:8:10: error invalid-value `nobody` is not an email address" in proc.stderr
    assert "policy/notify.yml:9:17: error unknown-impact" in proc.stderr
    assert "Traceback" not in proc.stderr
    bad_rev = notify(root, "--from", "no-such-rev")
    assert bad_rev.returncode == 2 and "`no-such-rev` is not a commit" in bad_rev.stderr


def test_notify_yml_reading():
    cfg = parse_notify_config(b"# every channel commented out\n# channels:\n#   - id: x\n", "policy/notify.yml")
    assert cfg.ok and cfg.channels == []
    cfg = parse_notify_config(
        b"channels:\n  - id: a\n    type: webhook\n    url: https://x.example/h\n"
        b"    url_env: A_URL\n  - id: a\n    type: slack\n    url_env: 'bad name'\n",
        "policy/notify.yml",
        frozenset({"api"}),
    )
    lines = [(f.line, f.code) for f in cfg.findings]
    assert (5, "invalid-value") in lines  # url and url_env both given
    assert (8, "invalid-value") in lines  # not an environment variable name


def test_the_manuals_notify_yml_example_is_valid():
    import re

    page = (REPO / "manual" / "live-incidents.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(# policy/notify.yml\n.*?)```", page, re.S).group(1)
    cfg = parse_notify_config(example.encode(), "policy/notify.yml", frozenset({"api", "web"}))
    assert cfg.ok and not cfg.findings, cfg.findings
    assert [(c.id, c.type, c.audience) for c in cfg.channels] == [
        ("customers", "webhook", "public"),
        ("ops", "slack", "internal"),
        ("announce", "email", "public"),
    ]


def test_validate_checks_notify_yml(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES / "roundtrip" / "policy", root / "policy")
    (root / "incidents").mkdir()
    proc = run(root, "incidents", "validate", ok=False)
    assert proc.returncode == 0 and "in 2 files" in proc.stderr + proc.stdout
    (root / "policy" / "notify.yml").write_text(
        "channels:\n  - id: ops\n    type: slack\n    url_env: X\n    services: [apii]\n", encoding="utf-8"
    )
    proc = run(root, "incidents", "validate", ok=False)
    assert proc.returncode == 1
    assert "policy/notify.yml:5:16: error unknown-service unknown service `apii`" in proc.stdout
