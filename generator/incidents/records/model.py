"""Typed, frozen records, built by the rules only from valid values.

Timestamps are aware datetimes (their written offsets kept); `Lines` remembers
where each field was written so that later checks (the gates) can point at the
file and line concerned without reading the file again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
IMPACTS = ("degraded_performance", "partial_outage", "major_outage")
VISIBILITIES = ("public", "internal")
POSTMORTEM_STATUSES = ("draft", "in_review", "published")
POSTMORTEM_VISIBILITIES = ("internal", "public")
ACTION_ITEM_STATUSES = ("open", "done", "cancelled")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "completed")
RECORD_TYPES = ("incident", "postmortem", "maintenance")

# The lifecycle timestamps, in the order they must hold.
LIFECYCLE = ("started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at")
# The lifecycle timestamp that each status fills when an incident reaches it.
STATUS_TIMESTAMP = {
    "identified": "identified_at",
    "monitoring": "mitigated_at",
    "resolved": "resolved_at",
}


def impact_rank(impact: str) -> int:
    """operational < degraded_performance < partial_outage < major_outage."""
    return IMPACTS.index(impact) + 1 if impact in IMPACTS else 0


@dataclass(frozen=True, slots=True)
class Lines:
    """Where things were written: the file, the front matter's first line, and each field's line."""

    path: str
    start: int = 1
    fields: Mapping[str, int] = field(default_factory=dict)

    def of(self, key: str) -> int:
        return self.fields.get(key, self.start)


@dataclass(frozen=True, slots=True)
class Update:
    at: datetime
    status: str
    message: str
    line: int = 0
    # language code -> the message in that language (`translations: {de: "..."}`), as written
    translations: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    event: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class EscalationEntry:
    """Who was pulled in, and when (the incident's `escalations:` list); `to` is a name or a list of names."""

    at: datetime
    to: str  # the names as one text, as the pages show it
    line: int = 0
    names: tuple[str, ...] = ()  # each name written (`to: [CTO, CEO]`); empty: `to` is the one name

    @property
    def all_names(self) -> tuple[str, ...]:
        return self.names or (self.to,)


# `source.system` of the records detection opens (`incidents ingest`, `incidents probe`; manual: detection.md):
# unlike an import (section 9) they are this team's own incidents, held to its process.
DETECTION_SYSTEMS = ("alertmanager", "grafana", "pagerduty", "generic", "probe")


def source_system(source) -> str | None:
    """The `system` of a Source, a `(system, id)` pair or anything else (None)."""
    if isinstance(source, tuple) and source:
        return source[0] if isinstance(source[0], str) else None
    return getattr(source, "system", None)


def is_detected(source) -> bool:
    """Whether a record's `source` says detection opened it (an ingested alert or a probe)."""
    return source_system(source) in DETECTION_SYSTEMS


@dataclass(frozen=True, slots=True)
class Source:
    """Where an imported record came from: `system` + `id` are unique across the repository."""

    system: str
    id: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    title: str
    severity: str
    status: str
    services: tuple[str, ...]
    impact: Mapping[str, str]  # service id -> impact, for every service named
    started_at: datetime
    detected_at: datetime
    acknowledged_at: datetime | None = None
    identified_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None  # the observation after resolution ended (severity `observe_for`)
    roles: Mapping[str, str] = field(default_factory=dict)
    updates: tuple[Update, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    visibility: str = "public"
    tags: tuple[str, ...] = ()
    escalations: tuple[EscalationEntry, ...] = ()
    source: Source | None = None
    postmortem_url: str | None = None
    body: str = ""
    body_line: int = 0
    lines: Lines = field(default_factory=lambda: Lines(""))

    @property
    def path(self) -> str:
        return self.lines.path

    @property
    def is_imported(self) -> bool:
        return self.source is not None and not is_detected(self.source)

    def has_tag(self, tag: str) -> bool:
        """Tags match case-insensitively."""
        wanted = tag.casefold()
        return any(t.casefold() == wanted for t in self.tags)

    def entered(self, status: str) -> datetime | None:
        """When the incident first reached `status`, from its updates (None if it never did)."""
        for u in self.updates:
            if u.status == status:
                return u.at
        return None

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    @property
    def is_closed(self) -> bool:
        """Resolved, and the observation after resolution is over (`closed_at`)."""
        return self.resolved_at is not None and self.closed_at is not None

    @property
    def under_observation(self) -> bool:
        """Resolved but not closed yet (`closed_at` still empty)."""
        return self.status == "resolved" and self.closed_at is None

    @property
    def worst_impact(self) -> str:
        return max(self.impact.values(), key=impact_rank) if self.impact else IMPACTS[0]

    def timestamp(self, name: str) -> datetime | None:
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class ActionItem:
    title: str
    owner: str | None
    due: date | None
    priority: str | None
    status: str
    link: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Postmortem:
    incident: str
    status: str
    authors: tuple[str, ...]
    date: date | None = None
    action_items: tuple[ActionItem, ...] = ()
    title: str | None = None
    visibility: str = "internal"  # `public`: also published on the public site
    body: str = ""
    body_line: int = 0
    lines: Lines = field(default_factory=lambda: Lines(""))

    @property
    def path(self) -> str:
        return self.lines.path

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"


@dataclass(frozen=True, slots=True)
class Maintenance:
    id: str
    title: str
    services: tuple[str, ...]
    scheduled_start: datetime
    scheduled_end: datetime
    status: str
    updates: tuple[Update, ...] = ()
    visibility: str = "public"
    body: str = ""
    body_line: int = 0
    lines: Lines = field(default_factory=lambda: Lines(""))

    @property
    def path(self) -> str:
        return self.lines.path

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"
