"""The severity policy and the service catalogue, as data.

`policy/policy.yml` and `policy/services.yml` are read with the same reader as
records and checked field by field; durations are parsed once here. A policy
with errors still yields a Policy built from its valid parts, so incidents can
be checked against what is usable (and the findings say what is not).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from pathlib import Path as FsPath

from incidents.findings import ERROR, Finding
from incidents.policy.policy_fields import check_known_tag, check_role, read_calendar, read_languages, unique_texts
from incidents.policy.services import SERVICES_FILE, Service, read_services
from incidents.policy.severities import Duration, Escalation, Severity, read_severity
from incidents.policy.templates import read_postmortem_block
from incidents.records.business import WorkCalendar
from incidents.records.fields import Fields
from incidents.records.model import is_detected
from incidents.records.safe_files import check_file
from incidents.records.source import Document, read_yaml_file

POLICY_FILE = "policy/policy.yml"

MTTR_FROM_CHOICES = ("started_at", "detected_at", "acknowledged_at")

POLICY_KEYS = (
    "severities",
    "roles",
    "priorities",
    "postmortem",
    "metrics",
    "assume_timezone",
    "roles_for_tags",
    "effective_from",
    "tags",
    "calendar",
    "languages",
)
METRICS_KEYS = ("mttr_from",)


@dataclass(frozen=True, slots=True)
class Policy:
    severities: tuple[Severity, ...] = ()
    services: tuple[Service, ...] = ()
    roles: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    required_sections: tuple[str, ...] = ()
    section_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # section name -> aliases
    placeholders: tuple[str, ...] = ()  # plain: whole words or bracketed tokens
    placeholder_patterns: tuple[str, ...] = ()  # `{pattern: REGEX}`: searched as written
    mttr_from: str = "started_at"
    assume_timezone: tzinfo | None = None
    assume_timezone_name: str | None = None
    roles_for_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # keys casefolded
    effective_from: date | None = None
    tags: tuple[str, ...] = ()  # the known tags, as written (empty: any tag)
    postmortem_required_for_tags: tuple[str, ...] = ()  # casefolded
    postmortem_due_within: Duration | None = None  # the default for postmortems required by tag
    postmortem_author_role: str | None = None
    calendar: WorkCalendar | None = None
    # Languages every public update must be written in (`translations:`), e.g. ("en", "de")
    languages: tuple[str, ...] = ()
    # Ids written in the files, valid or not: rules use them to avoid a cascade
    # of "unknown severity" findings when the policy itself has an error.
    declared_severity_ids: frozenset[str] = frozenset()
    declared_service_ids: frozenset[str] = frozenset()

    def severity(self, severity_id: str) -> Severity | None:
        for sev in self.severities:
            if sev.id == severity_id:
                return sev
        return None

    def service(self, service_id: str) -> Service | None:
        for svc in self.services:
            if svc.id == service_id:
                return svc
        return None

    @property
    def severity_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.severities)

    @property
    def service_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.services)

    @property
    def author_role(self) -> str | None:
        """The role whose handle `incidents postmortem` writes as the author."""
        return self.postmortem_author_role or (self.roles[0] if self.roles else None)

    def postmortem_requirement(self, incident) -> tuple[str, Duration | None] | None:
        """(why, due_within) when `incident` needs a postmortem, else None.

        Its severity's `postmortem.required`, or a tag of `postmortem.required_for_tags` (due after the
        severity's `due_within`, else the top-level `postmortem.due_within`).
        """
        sev = self.severity(incident.severity)
        if sev is not None and sev.postmortem_required:
            return f"severity `{sev.id}`", sev.postmortem_due_within
        for tag in incident.tags:
            if tag.casefold() in self.postmortem_required_for_tags:
                due = sev.postmortem_due_within if sev is not None and sev.postmortem_due_within else None
                return f"tag `{tag}`", due or self.postmortem_due_within
        return None

    def required_roles(self, severity_id: str, tags: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
        """(role, why) pairs an incident must fill: its severity's roles, then those its tags add."""
        out: dict[str, str] = {}
        sev = self.severity(severity_id)
        if sev is not None:
            for role in sev.required_roles:
                out.setdefault(role, f"severity `{sev.id}`")
        for tag in tags:
            for role in self.roles_for_tags.get(tag.casefold(), ()):
                out.setdefault(role, f"tag `{tag}`")
        return tuple(out.items())


def process_rules_apply(incident, policy: Policy) -> bool:
    """Whether the team's process rules hold `incident` (anything with `source` and `started_at`).

    The process rules are required roles, acknowledgement, cadences, escalation, `monitor_for` and
    postmortems. They do not apply to an imported record (it has a `source`: the other system did
    not enforce this team's process) nor to one that started before the policy's `effective_from`
    (a date, compared with `started_at` in UTC). Such records are checked for structure only. A record
    detection opened (`source.system` an ingest system or `probe`) is this team's own: the rules apply.
    """
    source = getattr(incident, "source", None)
    if source is not None and not is_detected(source):
        return False
    started = getattr(incident, "started_at", None)
    if policy.effective_from is not None and started is not None:
        return started.astimezone(UTC).date() >= policy.effective_from
    return True


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: Policy
    findings: tuple[Finding, ...]
    files: int  # policy files read
    usable: bool  # False when policy.yml is missing or unreadable


def load_policy(root: FsPath) -> LoadedPolicy:
    findings: list[Finding] = []
    files = 0
    pol_doc = svc_doc = None
    for rel in (POLICY_FILE, SERVICES_FILE):
        path = root / rel
        unsafe = check_file(root, rel)  # a FIFO, a device or a symlink out of the root: never read
        if unsafe is not None:
            findings.append(unsafe)
            continue
        if not path.is_file():
            what = "severities, roles and targets" if rel == POLICY_FILE else "the catalogue of services"
            findings.append(
                Finding(
                    rel,
                    1,
                    1,
                    ERROR,
                    "policy-missing",
                    f"`{rel}` is missing; create it with {what} "
                    "(see the manual's policy reference, manual/reference/policy.md)",
                )
            )
            continue
        files += 1
        try:
            data = path.read_bytes()
        except OSError as exc:
            findings.append(Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}"))
            continue
        doc, found = read_yaml_file(data, rel)
        findings.extend(found)
        if rel == POLICY_FILE:
            pol_doc = doc
        else:
            svc_doc = doc
    policy_kwargs = _read_policy(pol_doc, findings) if pol_doc is not None else {}
    services, service_ids = read_services(svc_doc, findings) if svc_doc is not None else ((), frozenset())
    policy = Policy(services=services, declared_service_ids=service_ids, **policy_kwargs)
    return LoadedPolicy(policy, tuple(findings), files, usable=pol_doc is not None)


def _read_policy(doc: Document, findings: list[Finding]) -> dict:
    f = Fields(doc, POLICY_FILE, findings)
    f.unknown_keys((), POLICY_KEYS, what="policy key")

    roles = tuple(unique_texts(f, ("roles",), "role"))
    # `roles:` written but not a list: that is one finding; don't call every role named elsewhere unknown.
    roles_known = not (f.has_value(("roles",)) and not isinstance(f.get(("roles",)), list))
    priorities = tuple(unique_texts(f, ("priorities",), "priority"))
    tz, tz_name = _read_timezone(f)
    calendar = read_calendar(f)
    known_tags = tuple(unique_texts(f, ("tags",), "tag", fold=True))
    effective_from = f.date(("effective_from",), required=False)
    pm_block = read_postmortem_block(f, roles, roles_known, known_tags, calendar)
    roles_for_tags = _read_roles_for_tags(f, roles, roles_known, known_tags)
    severities, declared = _read_severities(f, doc, roles, roles_known, calendar)
    return dict(
        severities=tuple(severities),
        roles=roles,
        priorities=priorities,
        mttr_from=_read_mttr_from(f),
        calendar=calendar,
        **pm_block,
        assume_timezone=tz,
        assume_timezone_name=tz_name,
        roles_for_tags=roles_for_tags,
        declared_severity_ids=frozenset(declared),
        effective_from=effective_from,
        tags=known_tags,
        languages=read_languages(f),
    )


def _read_timezone(f: Fields) -> tuple[tzinfo | None, str | None]:
    """`assume_timezone`: (the zone, its name), or (None, None)."""
    if not f.present(("assume_timezone",)) or f.get(("assume_timezone",)) is None:
        return None, None
    tz_name = f.text(("assume_timezone",), required=False)
    if tz_name is None:
        return None, None
    try:
        return zoneinfo.ZoneInfo(tz_name), tz_name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: `America` (a folder), long names
        f.error(
            ("assume_timezone",),
            "invalid-timezone",
            f"unknown time zone `{tz_name}`; use an IANA name such as `UTC` or `Europe/Berlin`, or null",
        )
        return None, None


def _read_mttr_from(f: Fields) -> str:
    if f.mapping(("metrics",), required=False) is None:
        return "started_at"
    f.unknown_keys(("metrics",), METRICS_KEYS, what="metrics key")
    chosen = f.choice(
        ("metrics", "mttr_from"),
        MTTR_FROM_CHOICES,
        code="invalid-value",
        what="`metrics.mttr_from` field",
        required=False,
    )
    return chosen or "started_at"


def _read_roles_for_tags(
    f: Fields, roles: tuple[str, ...], roles_known: bool, known_tags: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    roles_for_tags: dict[str, tuple[str, ...]] = {}
    for tag in f.mapping(("roles_for_tags",), required=False) or ():
        path = ("roles_for_tags", tag)
        listed = f.text_list(path, required=True, non_empty=True) or []
        for i, role in enumerate(listed):
            if roles_known:
                check_role(f, path + (i,), role, roles)
        if isinstance(tag, str):
            check_known_tag(f, path, tag, known_tags)
            merged = roles_for_tags.get(tag.casefold(), ()) + tuple(r for r in listed if r in roles)
            roles_for_tags[tag.casefold()] = tuple(dict.fromkeys(merged))
    return roles_for_tags


def _read_severities(
    f: Fields, doc: Document, roles: tuple[str, ...], roles_known: bool, calendar: WorkCalendar | None
) -> tuple[list[Severity], set[str]]:
    """The valid severities in order, and every id written (valid or not)."""
    severities: list[Severity] = []
    declared: set[str] = set()
    seen: dict[str, int] = {}
    for i, _item in enumerate(f.sequence(("severities",), required=True, non_empty=True) or []):
        path = ("severities", i)
        if f.mapping(path) is None:
            continue
        sev_id = f.text(path + ("id",), max_len=64)
        if sev_id is None:
            continue
        declared.add(sev_id)
        if sev_id in seen:
            f.error(
                path + ("id",),
                "duplicate-id",
                f"severity `{sev_id}` is defined twice (first at line {seen[sev_id]}); give each severity its own id",
            )
            continue
        seen[sev_id] = doc.position(path + ("id",))[0]
        severities.append(read_severity(f, path, sev_id, len(severities), roles, roles_known, calendar))
    return severities, declared


__all__ = ["Duration", "Escalation", "LoadedPolicy", "Policy", "Severity", "load_policy", "process_rules_apply"]
