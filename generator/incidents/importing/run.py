"""`import_statuspage`: sources -> payloads -> record plans -> staged files -> written (or printed)."""

from __future__ import annotations

import dataclasses
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import incidents.importing.http as http
from incidents.authoring import AuthoringError
from incidents.authoring.checks import check_incident_bytes, check_postmortem_bytes, errors_of
from incidents.authoring.repo import RecordRef, scan
from incidents.findings import Finding
from incidents.importing.existing import append_to_incident, append_to_maintenance, missing_updates
from incidents.importing.http import fetch, is_url
from incidents.importing.mapping import RecordPlan, default_severities, map_incident, map_maintenance, utc
from incidents.importing.payloads import Payload, PayloadError, SPComponent, SPIncident, parse_payload
from incidents.importing.render import render_record
from incidents.importing.services import Catalogue, append_services
from incidents.importing.writer import Staged, commit
from incidents.policy.policy_file import LoadedPolicy, Service
from incidents.records.source import read_record
from incidents.rules.maintenance import read_maintenance

SERVICES_FILE = "policy/services.yml"
DEFAULT_SERVICE = "general"


class ImportFailure(AuthoringError):
    """The import cannot be done; nothing was written."""


@dataclass(slots=True)
class ImportResult:
    staged: list[Staged] = field(default_factory=list)
    services_added: list[str] = field(default_factory=list)
    incidents_new: int = 0
    incidents_updated: int = 0
    maintenance: int = 0
    skipped_older: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def incidents(self) -> int:
        return self.incidents_new + self.incidents_updated

    def lines(self) -> list[str]:
        return [
            f"{item.action} {item.rel}"
            + (f" (added {', '.join(self.services_added)})" if item.kind == "services" else "")
            for item in self.staged
        ]

    def summary(self) -> str:
        return (
            f"imported {self.incidents} incidents ({self.incidents_new} new, {self.incidents_updated} updated), "
            f"{self.maintenance} maintenance windows; {len(self.services_added)} services added"
        )


def read_payload_file(source: str) -> bytes:
    """A payload file's bytes: a regular file or a pipe (`<(curl ...)`), at most `http.MAX_BYTES`; never a device
    or a folder (a device such as /dev/zero would never end)."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PayloadError(source, "", f"cannot read the file ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise PayloadError(source, "", "not a file: give a JSON file, a pipe or an http(s) URL")
        if stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(http.MAX_BYTES + 1)
    except OSError as exc:
        raise PayloadError(source, "", f"cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > http.MAX_BYTES:
        raise PayloadError(source, "", http.too_large("the file"))
    return data


def read_sources(sources: list[str], *, environ=None, sleep=None) -> list[Payload]:
    """Every payload behind the sources (files or URLs); PayloadError/FetchError on the first bad one."""
    payloads = []
    for source in map(str, sources):
        if is_url(source):
            kwargs = {"environ": environ}
            if sleep is not None:
                kwargs["sleep"] = sleep
            for doc in fetch(source, **kwargs):
                payloads.append(parse_payload(doc.data, doc.label))
            continue
        payloads.append(parse_payload(read_payload_file(source), source))
    return payloads


def _latest(payloads: list[Payload]) -> list[SPIncident]:
    """One entry per id: the one updated last (then: with the most updates), in first-seen order."""
    chosen: dict[str, SPIncident] = {}
    for payload in payloads:
        for inc in payload.incidents:
            old = chosen.get(inc.id)
            if old is None or _rank(inc) > _rank(old):
                chosen[inc.id] = inc
    return list(chosen.values())


def _rank(inc: SPIncident):
    updated = inc.updated_at or inc.created_at
    return (utc(updated), len(inc.updates))


def _components(payloads: list[Payload]) -> tuple[dict[str, str], dict[str, SPComponent]]:
    groups: dict[str, str] = {}
    by_id: dict[str, SPComponent] = {}
    for payload in payloads:
        every = list(payload.components) + [c for inc in payload.incidents for c in inc.components]
        for comp in every:
            if comp.id:
                by_id.setdefault(comp.id, comp)
                if comp.is_group:
                    groups[comp.id] = comp.name
    return groups, by_id


def plan_import(
    root: Path, loaded: LoadedPolicy, payloads: list[Payload], severity_map: dict[str, str], default_service: str
) -> ImportResult:
    policy = loaded.policy
    severities = {**default_severities(policy.severity_ids), **severity_map}
    catalogue = Catalogue.of(policy)
    groups, components = _components(payloads)
    plans: list[RecordPlan] = []
    for inc in sorted(_latest(payloads), key=lambda i: (utc(i.scheduled_for or i.started_at or i.created_at), i.id)):
        if inc.is_maintenance:
            plans.append(map_maintenance(inc, catalogue, default_service, groups, components))
        else:
            plans += map_incident(inc, catalogue, severities, default_service, groups, components)

    result = ImportResult()
    checked = _with_services(loaded, catalogue)
    refs = {(r.kind, r.id): r for r in scan(root)}
    ids = {r.id: r for r in refs.values() if r.id is not None and r.kind in ("incident", "maintenance")}
    problems: list[Finding] = []
    for plan in plans:
        item = _stage(root, plan, refs, ids, result)
        if item is None:
            continue
        problems += _check(item, plan, checked)
        result.staged.append(item)
        if plan.kind == "incident":
            if item.action == "new":
                result.incidents_new += 1
            else:
                result.incidents_updated += 1
        elif plan.kind == "maintenance":
            result.maintenance += 1
    if problems:
        raise ImportFailure("the imported records would not validate; nothing was written", tuple(problems))
    if catalogue.added:
        path = root / SERVICES_FILE
        original = path.read_bytes() if path.exists() else None
        result.staged.insert(
            0,
            Staged(
                SERVICES_FILE,
                append_services(original, catalogue.added),
                "updated" if original is not None else "new",
                "services",
                original,
            ),
        )
        result.services_added = [s.id for s in catalogue.added]
    return result


def _stage(root: Path, plan: RecordPlan, refs: dict, ids: dict[str, RecordRef], result: ImportResult) -> Staged | None:
    if plan.kind == "postmortem":
        if ("postmortem", plan.id) in refs or (root / plan.rel).exists():
            return None  # one postmortem per incident: the one there stays
        return Staged(plan.rel, render_record(plan.values, plan.body), "new", "postmortem")
    owner = ids.get(plan.id)
    if owner is None:
        if (root / plan.rel).exists():
            raise ImportFailure(f"{plan.rel} exists but does not declare the id `{plan.id}`; move it away first")
        return Staged(plan.rel, render_record(plan.values, plan.body), "new", plan.kind)
    if owner.kind != plan.kind:
        raise ImportFailure(
            f"the Statuspage {plan.kind} `{plan.id}` has the id of the {owner.kind} {owner.path}; nothing was written"
        )
    data = (root / owner.path).read_bytes()
    if owner.path == plan.rel and data == render_record(plan.values, plan.body):
        return None  # as imported and never touched since: nothing to compare
    src, _ = read_record(data, owner.path)
    if src is None:
        raise ImportFailure(f"{owner.path} cannot be read as a record (run `incidents validate`); nothing was written")
    fm = src.front_matter.data
    if plan.kind == "incident":
        source = fm.get("source")
        if not (isinstance(source, dict) and source.get("system") == "statuspage" and source.get("id") == plan.id):
            raise ImportFailure(
                f"the id `{plan.id}` is already used by {owner.path}, which was not imported from "
                "this Statuspage incident; nothing was written"
            )
    new, older = missing_updates(fm, plan)
    if older:
        result.skipped_older.append(
            f"{owner.path}: {older} older update(s) not in the file were left out (an import only appends)"
        )
    if not new:
        return None
    try:
        if plan.kind == "incident":
            out = append_to_incident(data, owner.path, new)
        else:
            out = append_to_maintenance(data, owner.path, new)
    except AuthoringError as exc:
        raise ImportFailure(f"{owner.path}: {exc.message}; nothing was written", exc.findings) from None
    return Staged(owner.path, out, "updated", plan.kind, data)


def _with_services(loaded: LoadedPolicy, catalogue: Catalogue) -> LoadedPolicy:
    if not catalogue.added:
        return loaded
    policy = loaded.policy
    start = len(policy.services)
    extra = tuple(Service(s.id, s.name, start + i, s.group) for i, s in enumerate(catalogue.added))
    policy = dataclasses.replace(
        policy,
        services=policy.services + extra,
        declared_service_ids=policy.declared_service_ids | {s.id for s in extra},
    )
    return dataclasses.replace(loaded, policy=policy)


def _check(item: Staged, plan: RecordPlan, loaded: LoadedPolicy) -> list[Finding]:
    """The error findings the rules give for the staged bytes (and a new file must read back as planned)."""
    if plan.kind == "postmortem":
        return list(check_postmortem_bytes(item.data, item.rel, loaded))
    errors: list[Finding]
    if plan.kind == "incident":
        src, found = check_incident_bytes(item.data, item.rel, loaded)
        errors = list(found)
    else:
        src, findings = read_record(item.data, item.rel)
        if src is not None:
            read_maintenance(src, loaded.policy, findings)
        errors = list(errors_of(findings))
    if not errors and item.action == "new" and src is not None and not _reads_back(src.front_matter.data, plan):
        raise ImportFailure(
            f"{item.rel} would not read back as it was planned (a bug of the importer: please "
            "report it with the payload); nothing was written"
        )
    return errors


def _reads_back(fm: dict, plan: RecordPlan) -> bool:
    """The free text (title, messages) as written reads back as the text planned."""
    if fm.get("title") != plan.values["title"]:
        return False
    written = fm.get("updates") or []
    planned = plan.values["updates"]
    return len(written) == len(planned) and all(
        isinstance(w, dict) and w.get("message") == p.message for w, p in zip(written, planned)
    )


def import_statuspage(
    root: Path,
    sources: list[str],
    severity_map: dict[str, str] | None = None,
    default_service: str = DEFAULT_SERVICE,
    dry_run: bool = False,
    *,
    loaded: LoadedPolicy | None = None,
    environ=None,
    sleep=None,
) -> ImportResult:
    """Import Statuspage payloads into the repository at `root`.

    `sources`: files or http(s) URLs (section 9); `severity_map`: Statuspage impact -> severity id
    (`{"critical": "SEV-1"}`), the rest by the policy's order. Raises PayloadError (a bad payload,
    naming the source and JSON path), FetchError (a URL that could not be fetched) or ImportFailure;
    in every case nothing is written. With `dry_run`, nothing is written and the result says what would be.
    """
    from incidents.authoring.checks import load

    root = Path(root)
    if loaded is None:
        root, loaded = load(root)
    unknown = [s for s in (severity_map or {}).values() if loaded.policy.severity(s) is None]
    if unknown:
        raise ImportFailure(
            f"unknown severity {', '.join(f'`{s}`' for s in unknown)} in --severity; the policy "
            f"defines {', '.join(loaded.policy.severity_ids)}"
        )
    payloads = read_sources(list(sources), environ=environ, sleep=sleep)
    result = plan_import(root, loaded, payloads, dict(severity_map or {}), default_service)
    result.dry_run = dry_run
    if not dry_run and result.staged:
        commit(root, result.staged)
    return result


__all__ = ["ImportFailure", "ImportResult", "import_statuspage", "plan_import", "read_sources"]
