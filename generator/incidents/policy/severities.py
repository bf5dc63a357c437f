"""The severities of `policy/policy.yml`: targets, cadences, roles, escalation steps, postmortem rule.

Each severity is read field by field (`read_severity`); a bad value is a finding at its line and the
rest of the severity is still usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from incidents.policy.policy_fields import check_role, read_duration
from incidents.records.business import BusinessDuration, WorkCalendar
from incidents.records.fields import Fields

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
    "observe_for",
)
SEVERITY_DURATIONS = (
    "acknowledge_within",
    "resolve_within",
    "update_every",
    "first_update_within",
    "detect_within",
    "internal_update_every",
    "monitor_for",
    "observe_for",
)
SEVERITY_POSTMORTEM_KEYS = ("required", "due_within")
PUBLIC_UPDATES_CHOICES = ("required", "optional")
ESCALATION_KEYS = ("after", "to")
NAME_MAX = 200

# A policy duration: a timedelta, or business time counted in the policy's calendar (durations.deadline).
Duration = timedelta | BusinessDuration


def name_key(name: str) -> str:
    """How escalation names compare: whole names, case-insensitively, spaces trimmed and collapsed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Escalation:
    """One step: after `after` (from `detected_at`), each of `names` is pulled in."""

    after: Duration
    names: tuple[str, ...]

    @property
    def to(self) -> str:
        """The step's names as one text (`VP Engineering, CTO and CEO`)."""
        if len(self.names) < 2:
            return "".join(self.names)
        return ", ".join(self.names[:-1]) + " and " + self.names[-1]

    def named_by(self, text: str) -> bool:
        """Whether `text` (an `escalations` entry's `to`, or one item of its list) is one of this step's
        names: the whole name, case-insensitively after trimming (never a part of it)."""
        key = name_key(text)
        return bool(key) and any(key == name_key(n) for n in self.names)


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
    observe_for: Duration | None = None  # least time between resolved_at and closed_at
    public_updates: str = "required"  # or "optional": no public updates needed at all
    escalation: tuple[Escalation, ...] = ()
    response: str | None = None
    color: str | None = None


def read_severity(
    f: Fields,
    path: tuple,
    sev_id: str,
    rank: int,
    roles: tuple[str, ...],
    roles_known: bool = True,
    calendar: WorkCalendar | None = None,
) -> Severity:
    f.unknown_keys(path, SEVERITY_KEYS, what="severity key")
    durations = {key: read_duration(f, path + (key,), calendar) for key in SEVERITY_DURATIONS}
    public_updates = f.choice(
        path + ("public_updates",),
        PUBLIC_UPDATES_CHOICES,
        code="invalid-value",
        what="`public_updates` value",
        required=False,
    )
    required_roles: list[str] = []
    for i, role in enumerate(f.text_list(path + ("required_roles",), required=False) or []):
        if roles_known and check_role(f, path + ("required_roles", i), role, roles) and role not in required_roles:
            required_roles.append(role)
    pm_required, pm_due = _read_severity_postmortem(f, path, sev_id, calendar)
    return Severity(
        id=sev_id,
        name=f.text(path + ("name",), required=False, max_len=100) or sev_id,
        rank=rank,
        description=f.text(path + ("description",), required=False) or "",
        required_roles=tuple(required_roles),
        postmortem_required=pm_required,
        postmortem_due_within=pm_due,
        escalation=tuple(_read_escalation(f, path, calendar)),
        response=f.text(path + ("response",), required=False),
        color=f.text(path + ("color",), required=False),
        public_updates=public_updates or "required",
        **durations,
    )


def _read_severity_postmortem(
    f: Fields, path: tuple, sev_id: str, calendar: WorkCalendar | None
) -> tuple[bool, Duration | None]:
    pm_path = path + ("postmortem",)
    if f.mapping(pm_path, required=False) is None:
        return False, None
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
    return pm_required, pm_due


def read_names(f: Fields, path: tuple) -> tuple[str, ...] | None:
    """`to`: a name, or a non-empty list of names (each 1-200 characters); None after a finding."""
    value = f.get(path)
    if isinstance(value, list):
        names = f.text_list(path, required=True, non_empty=True, max_len=NAME_MAX)
        if names is None or len(names) != len(value):
            return None
        return tuple(names)
    name = f.text(path, max_len=NAME_MAX)
    return None if name is None else (name,)


def _read_escalation(f: Fields, path: tuple, calendar: WorkCalendar | None) -> list[Escalation]:
    steps = []
    for j, _item in enumerate(f.sequence(path + ("escalation",), required=False) or []):
        epath = path + ("escalation", j)
        if f.mapping(epath) is None:
            continue
        f.unknown_keys(epath, ESCALATION_KEYS, what="escalation key")
        after = read_duration(f, epath + ("after",), calendar, required=True, allow_zero=True)
        names = read_names(f, epath + ("to",))
        if after is not None and names is not None:
            steps.append(Escalation(after, names))
    return steps


__all__ = ["Duration", "Escalation", "Severity", "name_key", "read_names", "read_severity"]
