"""The time-dependent gates of `incidents check` (contract sections 3 and 7).

`check_gates(repository, as_of)` looks at the valid records of a repository at
the instant `as_of` (an argument: nothing here reads the clock) and returns
findings, each naming the incident id and pointing at the file and line
concerned. Present obligations are errors, past misses warnings:

* postmortems (gates.postmortem) - required by the severity or by a tag of
  `postmortem.required_for_tags` (a `postmortem_url` satisfies the
  requirement): missing or incomplete once due is an error, before a warning;
  open action items past their `due` date are errors;
* acknowledgement (`ack-overdue` / `ack-late`), escalation steps
  (`escalation-overdue` / `escalation-missed`), the public cadence
  (`first-update-late`, `update-overdue` / `update-gap`; the gap from
  `detected_at` to the first update counts), the internal timeline cadence
  (`timeline-overdue` / `timeline-gap`; every cadence is measured up to `resolved_at`) and
  `monitor_for` (`monitor-short`), in gates.response;
* the observation after resolution (`observe_for`: `close-overdue` / `close-late` /
  `observe-short`), in gates.closing;
* translations (gates.languages): with the policy's `languages: [en, de]`, an open public
  incident's update without every listed translation (`translation-missing`), a warning
  once resolved (`translation-missed`).

A record with `validate` errors still gets every time gate whose fields could be read (gates.partial):
the response and closing gates run on what could be read of it.

Only incidents the process rules apply to (`policy.process_rules_apply`: not
imported, not started before `effective_from`) are gated.

May import: the vocabulary, `records`, `policy`, `rules`, `reading`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from incidents.findings import Finding
from incidents.gates.closing import observe_gates
from incidents.gates.languages import language_gates
from incidents.gates.partial import partial_incidents
from incidents.gates.postmortem import (
    action_item_gates,
    front_matter_lines,
    is_complete,
    postmortem_gates,
    postmortem_problems,
    raw_front_matter,
    sections,
)
from incidents.gates.response import ack_gates, cadence_gates, escalation_gates, monitor_gates, monitoring_since
from incidents.policy.policy_file import Policy, process_rules_apply
from incidents.records.source import SourceFile
from incidents.rules.common import placeholder_pattern


def check_gates(repository, as_of: datetime, sources: Mapping[str, SourceFile] | None = None) -> list[Finding]:
    """Every gate finding for `repository` (a validate.Repository) at `as_of` (an aware datetime).

    Placeholders in a required postmortem's front matter are looked for in the
    file's own lines (comments included), read again from `repository.root`;
    when that fails, in `sources` (path -> SourceFile, from
    validate_root(keep_sources=True)) if given, else in the record's values.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime (with a UTC offset)")
    policy: Policy = repository.policy
    findings: list[Finding] = []
    postmortems = {pm.incident: pm for pm in repository.postmortems}
    partial = partial_incidents(getattr(repository, "root", None), getattr(repository, "invalid", ()), policy)
    for inc in partial:
        sev = policy.severity(inc.severity)
        if sev is not None and process_rules_apply(inc, policy):
            findings += response_gates(inc, sev, as_of)
    for inc in repository.incidents:
        sev = policy.severity(inc.severity)
        pm = postmortems.get(inc.id)
        if sev is not None and process_rules_apply(inc, policy):
            findings += response_gates(inc, sev, as_of)
            findings += language_gates(inc, policy.languages)
            required = policy.postmortem_requirement(inc)
            if required is not None and (pm is not None or inc.postmortem_url is None):
                src = sources.get(pm.path) if pm is not None and sources else None
                wanted = policy.placeholders or policy.placeholder_patterns
                raw = raw_front_matter(repository, pm) if pm is not None and wanted else None
                findings += postmortem_gates(inc, required[0], required[1], pm, policy, as_of, src, raw)
        if pm is not None:
            findings += action_item_gates(inc.id, pm, as_of)
    return findings


def response_gates(inc, sev, as_of: datetime) -> list[Finding]:
    """The gates that need only the incident: acknowledgement, escalation, cadences, monitoring, closing."""
    return (
        ack_gates(inc, sev, as_of)
        + escalation_gates(inc, sev, as_of)
        + cadence_gates(inc, sev, as_of)
        + monitor_gates(inc, sev)
        + observe_gates(inc, sev, as_of)
    )


__all__ = [
    "check_gates",
    "front_matter_lines",
    "is_complete",
    "monitoring_since",
    "response_gates",
    "placeholder_pattern",
    "postmortem_problems",
    "sections",
]
