"""One round of probes: check, append the line, open or annotate the incident."""

from __future__ import annotations

import csv
import io
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incidents.authoring import atomic
from incidents.authoring.checks import load
from incidents.authoring.lock import locked
from incidents.ingest.payloads import clean
from incidents.ingest.write import Entry, NewRecord, append, create, find_matching
from incidents.policy.services import Probe, Service

HEADER = "at,ok,status,ms,error\n"
MAX_READ = 1024 * 1024


@dataclass(frozen=True)
class Check:
    at: datetime
    ok: bool
    status: int | None
    ms: int | None
    error: str = ""


def http_check(probe: Probe, at: datetime) -> Check:
    """GET the probe's URL once: ok when the status is the expected one and the body holds `contains`."""
    start = time.perf_counter()
    request = urllib.request.Request(probe.url, headers={"User-Agent": "incidents-probe"})
    status, body, error = None, b"", ""
    try:
        with urllib.request.urlopen(request, timeout=probe.timeout) as response:  # noqa: S310 - http(s) only (policy)
            status, body = response.status, response.read(MAX_READ)
    except urllib.error.HTTPError as exc:
        status = exc.code
        body = exc.read(MAX_READ) if exc.fp is not None else b""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        error = clean(f"{type(reason).__name__}: {reason}", 200)
    ms = round((time.perf_counter() - start) * 1000)
    if not error and status != probe.expect_status:
        error = f"HTTP {status} (expected {probe.expect_status})"
    if not error and probe.contains is not None and probe.contains.encode() not in body:
        error = clean(f"the body does not contain `{probe.contains}`", 200)
    return Check(at, not error, status, ms if status is not None else None, error)


def csv_path(service_id: str, at: datetime) -> str:
    return f"probes/{service_id}/{at.astimezone(UTC):%Y-%m}.csv"


def _line(check: Check) -> str:
    out = io.StringIO()
    at = check.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    error = check.error.lstrip("=+-@")  # never a spreadsheet formula
    csv.writer(out, lineterminator="\n").writerow(
        [
            at,
            "1" if check.ok else "0",
            check.status if check.status is not None else "",
            check.ms if check.ms is not None else "",
            error,
        ]
    )
    return out.getvalue()


def read_checks(root: Path, service_id: str, at: datetime) -> list[Check]:
    """This month's and last month's checks of a service, oldest first (unreadable lines skipped)."""
    first_of_month = at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    out: list[Check] = []
    for month in (first_of_month - timedelta(days=1), first_of_month):
        path = root / csv_path(service_id, month)
        if path.is_file():
            out.extend(parse_csv(path.read_text(encoding="utf-8", errors="replace")))
    return out


def parse_csv(text: str) -> list[Check]:
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            at = datetime.strptime(row["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            status = int(row["status"]) if row.get("status") else None
            ms = int(row["ms"]) if row.get("ms") else None
            out.append(Check(at, row["ok"] == "1", status, ms, row.get("error") or ""))
        except (KeyError, ValueError, TypeError):
            continue
    return out


@dataclass
class ProbeOutcome:
    service: str
    check: Check
    action: str = ""  # "", "created INC-…", "recovered INC-…"

    def line(self) -> str:
        state = "ok" if self.check.ok else f"FAILED ({self.check.error})"
        ms = f" in {self.check.ms} ms" if self.check.ms is not None else ""
        return f"{self.service}: {state}{ms}" + (f"; {self.action}" if self.action else "")


def probe_all(root: Path, now: datetime, check=http_check) -> list[ProbeOutcome]:
    root, loaded = load(root)
    now = now.astimezone(UTC).replace(microsecond=0)
    outcomes = []
    for service in loaded.policy.services:
        if service.probe is None:
            continue
        result = check(service.probe, now)
        outcomes.append(ProbeOutcome(service.id, result))
    (root / "incidents").mkdir(exist_ok=True)
    probed = {svc.id: svc for svc in loaded.policy.services if svc.probe is not None}
    with locked(root / "incidents" / ".ingest", what="another ingest or probe"):
        for outcome in outcomes:
            outcome.action = _record(root, loaded, probed[outcome.service], outcome.check)
    return outcomes


def _record(root: Path, loaded, service: Service, check: Check) -> str:
    if service.probe is None:  # only probed services are recorded
        return ""
    history = read_checks(root, service.id, check.at)
    rel = csv_path(service.id, check.at)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.is_file() else HEADER
    atomic.replace(path, (old + ("" if old.endswith("\n") else "\n") + _line(check)).encode("utf-8"))
    history.append(check)
    failing = _trailing_failures(history)
    pattern = re.compile(re.escape(service.id) + r"-\d{8}T\d{6}Z")
    if failing:
        first = failing[0]
        if len(failing) < service.probe.fail_after:
            return ""
        source_id = f"{service.id}-{first.at:%Y%m%dT%H%M%SZ}"
        if find_matching(root, "probe", source_id, re.compile(re.escape(source_id))):
            return ""
        incident_id, _ = create(root, loaded, _new_record(loaded.policy, service, failing, source_id))
        return f"created {incident_id}"
    previous = history[-2] if len(history) > 1 else None
    if previous is None or previous.ok:
        return ""
    open_ = [f for f in find_matching(root, "probe", service.id + "-", pattern) if f.status != "resolved"]
    if not open_:
        return ""
    entry = Entry(
        check.at,
        f"Probe passes again: HTTP {check.status} in {check.ms} ms",
        f"probe recovered={check.at:%Y-%m-%dT%H:%M:%SZ}",
    )
    append(root, loaded, open_[-1].incident_id, [entry], None)
    return f"recovered: timeline entry in {open_[-1].incident_id}"


def _trailing_failures(history: list[Check]) -> list[Check]:
    out: list[Check] = []
    for check in reversed(history):
        if check.ok:
            break
        out.append(check)
    return list(reversed(out))


def _new_record(policy, service: Service, failing: list[Check], source_id: str) -> NewRecord:
    first, last = failing[0], failing[-1]
    wanted = service.probe.severity if service.probe is not None else None
    severity: str = wanted if wanted is not None and wanted in policy.severity_ids else policy.severity_ids[-1]
    entries = (
        Entry(first.at, f"Probe failed: {first.error}", f"probe failed={first.at:%Y-%m-%dT%H:%M:%SZ}"),
        Entry(
            last.at,
            f"Probe failed {len(failing)} times in a row: {last.error}",
            f"probe opened={last.at:%Y-%m-%dT%H:%M:%SZ}",
        ),
    )
    return NewRecord(
        title=clean(f"{service.name} fails its probe", 200),
        severity=severity,
        services=(service.id,),
        impact="major_outage",
        started_at=first.at,
        detected_at=first.at,
        system="probe",
        source_id=source_id,
        entries=entries,
    )
