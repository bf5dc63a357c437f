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
from datetime import UTC, date, timedelta, tzinfo
from pathlib import Path as FsPath

from incidents.findings import ERROR, Finding
from incidents.policy.policy_fields import (
    check_known_tag,
    check_role,
    read_calendar,
    read_duration,
    read_languages,
    unique_texts,
)
from incidents.policy.services import SERVICES_FILE, Service, read_services
from incidents.records.business import BusinessDuration, WorkCalendar
from incidents.records.fields import Fields
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
SEVERITY_KEYS = (
    "id",
    "name",
    "description",
    "acknowledge_within",
    "resolve_within",
    "update_every",
    "first_update_within",
    "detect_within",
    "required_roles",
    "postmortem",
    "escalation",
    "response",
    "color",
    "internal_update_every",
    "public_updates",
    "monitor_for",
)
SEVERITY_POSTMORTEM_KEYS = ("required", "due_within")
POSTMORTEM_KEYS = ("required_sections", "placeholders", "required_for_tags", "due_within", "author_role")
PUBLIC_UPDATES_CHOICES = ("required", "optional")
METRICS_KEYS = ("mttr_from",)
ESCALATION_KEYS = ("after", "to")


# A policy duration: a timedelta, or business time counted in the policy's calendar (durations.deadline).
Duration = timedelta | BusinessDuration


@dataclass(frozen=True, slots=True)
class Escalation:
    after: Duration
    to: str

    def named_by(self, text: str) -> bool:
        """Whether an `escalations` entry's `to` names this step's `to` (case-insensitive, either contains
        the other: `VP Engineering` names the step `CTO/VP Engineering`)."""
        a, b = " ".join(self.to.split()).casefold(), " ".join(text.split()).casefold()
        return bool(a and b) and (a in b or b in a)


@dataclass(frozen=True, slots=True)
class Severity:
    id: str
    name: str
    rank: int  # 0 is the most severe
    description: str = ""
    acknowledge_within: Duration | None = None
    resolve_within: Duration | None = None
    update_every: Duration | None = None
    first_update_within: Duration | None = None
    detect_within: Duration | None = None
    required_roles: tuple[str, ...] = ()
    postmortem_required: bool = False
    postmortem_due_within: Duration | None = None
    internal_update_every: Duration | None = None
    monitor_for: Duration | None = None
    public_updates: str = "required"  # or "optional": no public updates needed at all
    escalation: tuple[Escalation, ...] = ()
    response: str | None = None
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    severities: tuple[Severity, ...] = ()
    services: tuple[Service, ...] = ()
    roles: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    required_sections: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()
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
    (a date, compared with `started_at` in UTC). Such records are checked for structure only.
    """
    if getattr(incident, "source", None) is not None:
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

    tz_name = None
    tz = None
    if f.present(("assume_timezone",)) and f.get(("assume_timezone",)) is not None:
        tz_name = f.text(("assume_timezone",), required=False)
        if tz_name is not None:
            try:
                tz = zoneinfo.ZoneInfo(tz_name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: `America` (a folder), long names
                f.error(
                    ("assume_timezone",),
                    "invalid-timezone",
                    f"unknown time zone `{tz_name}`; use an IANA name such as `UTC` or `Europe/Berlin`, or null",
                )
                tz_name = None

    calendar = read_calendar(f)

    mttr_from = "started_at"
    if f.mapping(("metrics",), required=False) is not None:
        f.unknown_keys(("metrics",), METRICS_KEYS, what="metrics key")
        mttr_from = (
            f.choice(
                ("metrics", "mttr_from"),
                MTTR_FROM_CHOICES,
                code="invalid-value",
                what="`metrics.mttr_from` field",
                required=False,
            )
            or "started_at"
        )

    known_tags = tuple(unique_texts(f, ("tags",), "tag", fold=True))
    effective_from = f.date(("effective_from",), required=False)
    pm_block = _read_postmortem_block(f, roles, roles_known, known_tags, calendar)

    roles_for_tags: dict[str, tuple[str, ...]] = {}
    tag_map = f.mapping(("roles_for_tags",), required=False)
    if tag_map is not None:
        for tag in tag_map:
            path = ("roles_for_tags", tag)
            listed = f.text_list(path, required=True, non_empty=True) or []
            for i, role in enumerate(listed):
                if roles_known:
                    check_role(f, path + (i,), role, roles)
            if isinstance(tag, str):
                check_known_tag(f, path, tag, known_tags)
                merged = roles_for_tags.get(tag.casefold(), ()) + tuple(r for r in listed if r in roles)
                roles_for_tags[tag.casefold()] = tuple(dict.fromkeys(merged))

    severities: list[Severity] = []
    declared: set[str] = set()
    items = f.sequence(("severities",), required=True, non_empty=True) or []
    seen: dict[str, int] = {}
    for i, _item in enumerate(items):
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
        sev = _read_severity(f, path, sev_id, len(severities), roles, roles_known, calendar)
        if sev is not None:
            severities.append(sev)

    return dict(
        severities=tuple(severities),
        roles=roles,
        priorities=priorities,
        mttr_from=mttr_from,
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


def _read_postmortem_block(
    f: Fields, roles: tuple[str, ...], roles_known: bool, known_tags: tuple[str, ...], calendar: WorkCalendar | None
) -> dict:
    out: dict = {}
    if f.mapping(("postmortem",), required=False) is None:
        return out
    f.unknown_keys(("postmortem",), POSTMORTEM_KEYS, what="postmortem key")
    out["required_sections"] = tuple(f.text_list(("postmortem", "required_sections"), required=False) or ())
    out["placeholders"] = tuple(f.text_list(("postmortem", "placeholders"), required=False) or ())
    tags = []
    for i, tag in enumerate(f.text_list(("postmortem", "required_for_tags"), required=False) or []):
        check_known_tag(f, ("postmortem", "required_for_tags", i), tag, known_tags)
        tags.append(tag.casefold())
    out["postmortem_required_for_tags"] = tuple(dict.fromkeys(tags))
    out["postmortem_due_within"] = read_duration(f, ("postmortem", "due_within"), calendar)
    if tags and out["postmortem_due_within"] is None and not f.has_value(("postmortem", "due_within")):
        f.warning(
            ("postmortem", "required_for_tags"),
            "postmortem-never-due",
            "postmortems required by tag have no `postmortem.due_within` (unless their severity sets one), "
            "so they are never overdue; add e.g. `due_within: 5d` under `postmortem:`",
            at_key=True,
        )
    author = f.text(("postmortem", "author_role"), required=False)
    if author is not None and roles_known and check_role(f, ("postmortem", "author_role"), author, roles):
        out["postmortem_author_role"] = author
    return out


def _read_severity(
    f: Fields,
    path: tuple,
    sev_id: str,
    rank: int,
    roles: tuple[str, ...],
    roles_known: bool = True,
    calendar: WorkCalendar | None = None,
) -> Severity | None:
    f.unknown_keys(path, SEVERITY_KEYS, what="severity key")
    name = f.text(path + ("name",), required=False, max_len=100) or sev_id
    description = f.text(path + ("description",), required=False) or ""
    response = f.text(path + ("response",), required=False)
    color = f.text(path + ("color",), required=False)
    durations = {
        key: read_duration(f, path + (key,), calendar)
        for key in (
            "acknowledge_within",
            "resolve_within",
            "update_every",
            "first_update_within",
            "detect_within",
            "internal_update_every",
            "monitor_for",
        )
    }
    public_updates = (
        f.choice(
            path + ("public_updates",),
            PUBLIC_UPDATES_CHOICES,
            code="invalid-value",
            what="`public_updates` value",
            required=False,
        )
        or "required"
    )
    required_roles = []
    for i, role in enumerate(f.text_list(path + ("required_roles",), required=False) or []):
        if not roles_known:
            continue
        if check_role(f, path + ("required_roles", i), role, roles) and role not in required_roles:
            required_roles.append(role)

    pm_required = False
    pm_due = None
    pm_path = path + ("postmortem",)
    if f.mapping(pm_path, required=False) is not None:
        f.unknown_keys(pm_path, SEVERITY_POSTMORTEM_KEYS, what="postmortem key")
        pm_required = bool(f.boolean(pm_path + ("required",)))
        pm_due = read_duration(f, pm_path + ("due_within",), calendar)
        if pm_required and pm_due is None and not f.has_value(pm_path + ("due_within",)):
            f.warning(
                pm_path,
                "postmortem-never-due",
                f"severity `{sev_id}` requires a postmortem but sets no `due_within`, so it is never "
                "overdue; add e.g. `due_within: 5d`",
            )

    escalation = []
    esc_items = f.sequence(path + ("escalation",), required=False) or []
    for j, _item in enumerate(esc_items):
        epath = path + ("escalation", j)
        if f.mapping(epath) is None:
            continue
        f.unknown_keys(epath, ESCALATION_KEYS, what="escalation key")
        after = read_duration(f, epath + ("after",), calendar, required=True, allow_zero=True)
        to = f.text(epath + ("to",), max_len=200)
        if after is not None and to is not None:
            escalation.append(Escalation(after, to))

    return Severity(
        id=sev_id,
        name=name,
        rank=rank,
        description=description,
        required_roles=tuple(required_roles),
        postmortem_required=pm_required,
        postmortem_due_within=pm_due,
        escalation=tuple(escalation),
        response=response,
        color=color,
        public_updates=public_updates,
        **durations,
    )
