"""Which records, and which of their fields, each audience's site carries (FORMAT.md section 8).

`public`: public incidents with only their public fields (title, status,
impact, services, times, public updates); postmortems only when
`visibility: public` and `status: published`, with only their body; public
maintenance windows. The records are rebuilt from a list of public fields, so a
field added to a record later stays internal until it is named here.

`internal`: every record, every field. The status page, uptime, API, feeds,
calendar and badge of both sites come from the public view (the API stays the
public one).
"""

from __future__ import annotations

import dataclasses

from incidents.records.model import Incident, Maintenance, Postmortem

AUDIENCES = ("public", "internal")

# The public fields of an incident (everything else is internal text).
PUBLIC_INCIDENT_FIELDS = (
    "id",
    "title",
    "status",
    "services",
    "impact",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "identified_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "updates",
    "visibility",
    "source",
    "lines",
)  # source: an imported record's public original
PUBLIC_POSTMORTEM_FIELDS = ("incident", "status", "date", "title", "body", "body_line", "lines")


def _keep(record, names: tuple[str, ...], **blank):
    cls = type(record)
    present = {f.name for f in dataclasses.fields(cls)}
    values = {name: getattr(record, name) for name in names if name in present}
    return cls(**values, **{k: v for k, v in blank.items() if k in present})


def public_incident(inc: Incident) -> Incident:
    """The incident as the public may read it: no body, roles, tags, severity, timeline, escalations."""
    return _keep(inc, PUBLIC_INCIDENT_FIELDS, severity="")


def postmortem_visibility(pm: Postmortem) -> str:
    return getattr(pm, "visibility", "internal") or "internal"


def postmortem_is_public(pm: Postmortem) -> bool:
    return postmortem_visibility(pm) == "public" and pm.status == "published"


def public_postmortem(pm: Postmortem) -> Postmortem:
    """A published public postmortem as the public reads it: its body; no authors, action items."""
    return _keep(pm, PUBLIC_POSTMORTEM_FIELDS, authors=(), visibility="public")


def public_view(repo):
    """The repository as the public site (and every site's status page, API, feeds) sees it."""
    incidents = tuple(public_incident(i) for i in repo.incidents if i.is_public)
    ids = {i.id for i in incidents}
    postmortems = tuple(
        public_postmortem(pm) for pm in repo.postmortems if pm.incident in ids and postmortem_is_public(pm)
    )
    maintenances = tuple(m for m in repo.maintenances if m.is_public)
    return dataclasses.replace(repo, incidents=incidents, postmortems=postmortems, maintenances=maintenances)


def internal_view(repo):
    """Every record, with internal ones made visible to the page code (marked by `internal_ids`)."""
    return dataclasses.replace(
        repo,
        incidents=tuple(i if i.is_public else dataclasses.replace(i, visibility="public") for i in repo.incidents),
        maintenances=tuple(
            m if m.is_public else dataclasses.replace(m, visibility="public") for m in repo.maintenances
        ),
    )


def internal_ids(repo) -> frozenset[str]:
    return frozenset(
        [i.id for i in repo.incidents if not i.is_public] + [m.id for m in repo.maintenances if not m.is_public]
    )


__all__ = [
    "AUDIENCES",
    "Incident",
    "Maintenance",
    "internal_ids",
    "internal_view",
    "postmortem_is_public",
    "postmortem_visibility",
    "public_incident",
    "public_postmortem",
    "public_view",
]
