"""`incidents validate`: every file under incidents/ and policy/ against the contract.

Reads the policy, then every record file, applies the rules of its type, then
the rules across files; collects every finding (never stops at the first) and
the records built from files without errors. Independent of the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .discovery import INCIDENTS_DIR, POLICY_DIR, check_root, record_files  # noqa: F401 - re-exported
from .findings import ERROR, Finding, count_levels, did_you_mean, sort_findings
from .policy import Policy, load_policy
from .records import RECORD_TYPES, Incident, Maintenance, Postmortem
from .rules.incident import read_incident
from .rules.maintenance import read_maintenance
from .rules.postmortem import read_postmortem
from .rules.repository import Declared, check_repository
from .source import SourceFile, read_record


@dataclass(frozen=True, slots=True)
class Repository:
    """The valid records of a root, in path order, and its policy."""

    root: Path
    policy: Policy
    incidents: tuple[Incident, ...] = ()
    postmortems: tuple[Postmortem, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()

    def incident(self, incident_id: str) -> Incident | None:
        for inc in self.incidents:
            if inc.id == incident_id:
                return inc
        return None

    def postmortem_for(self, incident_id: str) -> Postmortem | None:
        for pm in self.postmortems:
            if pm.incident == incident_id:
                return pm
        return None


@dataclass(frozen=True, slots=True)
class Report:
    repository: Repository
    findings: tuple[Finding, ...]
    files: int
    sources: dict = field(default_factory=dict)  # path -> SourceFile, for rules that need the text

    @property
    def errors(self) -> int:
        return count_levels(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count_levels(self.findings)[1]

    @property
    def ok(self) -> bool:
        return self.errors == 0


def validate_root(root: Path, *, keep_sources: bool = False) -> Report:
    root = check_root(root)
    loaded = load_policy(root)
    policy = loaded.policy
    findings: list[Finding] = list(loaded.findings)
    usable = loaded.usable

    incidents: list[Incident] = []
    postmortems: list[Postmortem] = []
    maintenances: list[Maintenance] = []
    declared: list[Declared] = []
    sources: dict[str, SourceFile] = {}
    files = record_files(root)
    for rel in files:
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            findings.append(Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}"))
            continue
        # Each file's findings go to a list of its own: the rules count the
        # errors they add, which must not cost more as the repository grows.
        src, found = read_record(data, rel)
        try:
            if src is None:
                continue
            if keep_sources:
                sources[rel] = src
            kind = _record_type(src, found)
            if kind is None:
                continue
            try:
                if kind == "incident":
                    record = read_incident(src, policy, found, policy_usable=usable)
                    if record is not None:
                        incidents.append(record)
                elif kind == "maintenance":
                    record = read_maintenance(src, policy, found, policy_usable=usable)
                    if record is not None:
                        maintenances.append(record)
                else:
                    record = read_postmortem(src, policy, found)
                    if record is not None:
                        postmortems.append(record)
            except Exception as exc:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
                found.append(Finding(rel, 1, 1, ERROR, "internal-error",
                                     f"the checker failed on this file ({type(exc).__name__}: {exc}); "
                                     "please report it with the file attached"))
                continue
        finally:
            findings.extend(found)
        declared_id = _declared(src, kind)
        if declared_id is not None:
            declared.append(declared_id)

    cross, drop = check_repository(declared, policy)
    findings.extend(cross)
    if drop:
        incidents = [r for r in incidents if r.path not in drop]
        maintenances = [r for r in maintenances if r.path not in drop]
        postmortems = [r for r in postmortems if r.path not in drop]
    repo = Repository(root, policy, tuple(incidents), tuple(postmortems), tuple(maintenances))
    return Report(repo, tuple(sort_findings(findings)), len(files) + loaded.files, sources)


def _record_type(src: SourceFile, findings: list[Finding]) -> str | None:
    data = src.front_matter.data
    if "type" not in data:
        return "incident"
    value = data["type"]
    if value in RECORD_TYPES:
        return value
    line, col = src.front_matter.position(("type",))
    scalar = src.front_matter.scalars.get(("type",))
    choices = "`incident`, `postmortem` or `maintenance`"
    if isinstance(value, (list, dict)):
        message = f"`type` must be {choices}, not a {'list' if isinstance(value, list) else 'mapping'}"
    elif value is None and (scalar is None or scalar.text in ("", "~")):
        line, col = src.front_matter.key_position(("type",))
        message = f"`type` is empty; write {choices} (or leave `type` out for an incident)"
    else:
        written = scalar.text if scalar is not None else str(value)
        hint = did_you_mean(written, RECORD_TYPES)
        message = f"unknown record type `{written}`{hint}" + ("" if hint else f"; use {choices}")
    findings.append(Finding(src.path, line, col, ERROR, "unknown-type", message))
    return None


def _declared(src: SourceFile, kind: str) -> Declared | None:
    doc = src.front_matter
    key = "incident" if kind == "postmortem" else "id"
    value = doc.data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = doc.scalars[(key,)].text
    if not isinstance(value, str) or not value:
        return None
    line, col = doc.position((key,))
    severity = doc.data.get("severity") if kind == "incident" else None
    return Declared(value, src.path, line, col, kind,
                    severity if isinstance(severity, str) else None,
                    has_action_items="action_items" in doc.data,
                    source=_source_key(doc) if kind == "incident" else None,
                    started_at=_text(doc, "started_at") if kind == "incident" else None)


def _text(doc, key: str) -> str | None:
    scalar = doc.scalars.get((key,))
    return scalar.text if scalar is not None and isinstance(doc.data.get(key), str) else None


def _source_key(doc) -> tuple[str, str] | None:
    """(system, id) of an imported incident's `source`, as written (numbers as their text)."""
    source = doc.data.get("source")
    if not isinstance(source, dict):
        return None
    parts = []
    for key in ("system", "id"):
        value = source.get(key)
        scalar = doc.scalars.get(("source", key))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and scalar is not None:
            value = scalar.text
        if not isinstance(value, str) or not value.strip():
            return None
        parts.append(value)
    return parts[0], parts[1]
