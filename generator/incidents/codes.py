"""Every finding code, with its level and one line of meaning.

Codes are stable: tools and people filter on them. The manual's page of
codes (manual: reference/codes) is generated from this list, and a test checks
that every code here is produced by some rule.
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    # Reading files
    "encoding": ("error", "The file is not UTF-8."),
    "empty-file": ("error", "The file is empty."),
    "no-front-matter": ("error", "A record does not start with a `---` line."),
    "unclosed-front-matter": ("error", "The front matter has no closing `---` line."),
    "front-matter-not-mapping": (
        "error",
        "The front matter is empty, a list or a single value instead of `key: value` lines.",
    ),
    "not-a-mapping": ("error", "A policy file is empty or not a mapping."),
    "unreadable": ("error", "The file could not be read from disk."),
    "yaml-syntax": ("error", "The YAML cannot be parsed (the message gives libyaml's reason)."),
    "yaml-tag": ("error", "A YAML tag (`!!python/...`, `!x`): nothing in a record is ever constructed."),
    "yaml-anchor": ("error", "A YAML anchor (`&a`): nothing in a record is ever expanded."),
    "yaml-alias": ("error", "A YAML alias (`*a`): nothing in a record is ever expanded."),
    "yaml-merge-key": ("error", "A merge key (`<<`): write the keys out."),
    "yaml-complex-key": ("error", "A mapping key that is a list or a mapping."),
    "yaml-too-deep": ("error", "YAML nested deeper than any record needs."),
    "duplicate-key": ("error", "A key given twice in one mapping (reported at the second)."),
    # Field types
    "missing-field": ("error", "A required field is missing (reported at the mapping that lacks it)."),
    "empty-value": ("error", "A field is present but empty."),
    "wrong-type": ("error", "A field has the wrong type (text, list, mapping, boolean)."),
    "unquoted-boolean": (
        "error",
        "A bare `yes`/`no`/`on`/`off`/`true`/`false`/`null` where text is expected: quote it.",
    ),
    "text-too-long": ("error", "Text longer than the field allows."),
    "invalid-id": ("error", "An id that does not match `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`."),
    "invalid-timestamp": ("error", "Not a timestamp, or an impossible date or time."),
    "naive-timestamp": ("error", "A timestamp without a UTC offset (and no `assume_timezone`)."),
    "invalid-date": ("error", "Not a `YYYY-MM-DD` date, or an impossible one."),
    "invalid-duration": ("error", "Not a duration such as `15m`, `4h`, `2d` or `PT15M`."),
    "invalid-url": ("error", "An action item's `link` is not a URL."),
    "invalid-value": ("error", "A value outside its field's allowed set (visibility, mttr_from...)."),
    "unknown-field": ("warning", "A key the format does not know (with a suggestion when one is close)."),
    "misspelled-visibility": (
        "error",
        "A key close to `visibility` (`visibilty: internal`): an error, so a typo never publishes a record.",
    ),
    "reserved-id": ("error", "A record id that names one of the site's own pages (`index`)."),
    "unsafe-file": (
        "error",
        "A symlink leading outside the root, a device, a FIFO or a socket where a record or folder is expected: "
        "never read.",
    ),
    "unreadable-folder": ("error", "A folder under incidents/ that cannot be listed: its records would be missed."),
    "unknown-type": ("error", "`type` is not `incident`, `postmortem` or `maintenance`."),
    # Policy
    "policy-missing": ("error", "`policy/policy.yml` or `policy/services.yml` is missing."),
    "invalid-timezone": ("error", "`assume_timezone` is not an IANA time zone."),
    "invalid-pattern": (
        "error",
        "A `{pattern: REGEX}` placeholder that does not compile, or that matches empty text.",
    ),
    "duplicate-id": ("error", "An id used twice: severities, services, roles, or records across the repository."),
    "unknown-role": ("error", "A role the policy's `roles:` does not list."),
    "business-without-calendar": (
        "error",
        "A business duration (`4 business hours`, `2bd`) in a policy without a `calendar:`.",
    ),
    "postmortem-never-due": ("warning", "A severity requires postmortems but sets no `due_within`."),
    "notify-no-site-url": (
        "warning",
        "`policy/notify.yml` has channels but `mkdocs.yml` has no absolute `site_url`: `incidents notify` "
        "refuses to run (every message links to the site).",
    ),
    # Incidents and maintenance
    "unknown-severity": ("error", "A severity the policy does not define."),
    "unknown-status": ("error", "A status outside the record's lifecycle."),
    "unknown-service": ("error", "A service not in `policy/services.yml`."),
    "duplicate-service": ("error", "A service listed twice in one record."),
    "unknown-impact": ("error", "An impact other than degraded_performance, partial_outage, major_outage."),
    "impact-service-not-listed": ("error", "The impact map names a service the incident's `services` does not list."),
    "impact-incomplete": ("warning", "The impact map leaves out some of the incident's services."),
    "lifecycle-missing": (
        "error",
        "A lifecycle timestamp the status requires is missing (`acknowledged_at`, `resolved_at`).",
    ),
    "lifecycle-unexpected": ("error", "`resolved_at` is set while the incident is not resolved."),
    "timestamp-order": (
        "error",
        "Lifecycle timestamps out of order (started <= detected <= acknowledged <= ...), or a window that "
        "ends before it starts.",
    ),
    "no-updates": ("error", "A public incident without any public update."),
    "update-order": ("error", "Updates not listed oldest first."),
    "timeline-order": ("error", "Timeline entries not listed oldest first."),
    "out-of-window": ("error", "An update or timeline entry before `started_at` or after `resolved_at`."),
    "last-update-status": ("error", "The last update's status differs from the record's `status`."),
    "duplicate-tag": ("error", "A tag listed twice in one incident (tags match case-insensitively)."),
    "unknown-tag": ("warning", "A tag the policy's `tags:` does not list (with a suggestion when one is close)."),
    "escalation-order": ("error", "`escalations` entries not listed oldest first."),
    "update-placeholder": (
        "error",
        "A public update's message holds a placeholder from `postmortem.placeholders` (it would be published).",
    ),
    "title-control-character": ("warning", "A title holds a control character (e.g. `\\x0b`) that no page can show."),
    "title-line-break": ("error", "A title holds a line break (CR or LF): a title is one line, in pages and in mail."),
    "duplicate-source": ("error", "Two incidents imported from the same `source` (`system` + `id`)."),
    "missing-role": ("error", "A role required by the severity (or by a tag, via `roles_for_tags`) is not filled."),
    # Postmortems
    "unknown-incident": ("error", "A postmortem names an incident that does not exist."),
    "duplicate-postmortem": ("error", "A second postmortem for the same incident."),
    "unknown-priority": ("error", "An action item priority the policy's `priorities:` does not list."),
    # Robustness
    "internal-error": ("error", "A bug in the checker; the other files are still checked. Please report it."),
    # Gates (`incidents check`): errors once due / while open; the same code is a warning before
    # a postmortem is due, and for cadence misses of the past (see the manual's validating page).
    "postmortem-missing": (
        "error",
        "A severity requires a postmortem and none exists once it is due (`resolved_at` + `due_within` <= "
        "as-of; a warning before).",
    ),
    "postmortem-unpublished": (
        "error",
        "A required postmortem is due and its status is not `published` (a warning before).",
    ),
    "postmortem-section-missing": (
        "error",
        "A due postmortem lacks a required `## Section` heading (a warning before).",
    ),
    "postmortem-section-empty": ("error", "A due postmortem's required section has no text (a warning before)."),
    "postmortem-placeholder": ("error", "A due postmortem still holds a placeholder such as `TBD` (a warning before)."),
    "action-item-incomplete": (
        "error",
        "A due postmortem's action item lacks an owner, a due date or a priority (a warning before).",
    ),
    "action-item-overdue": ("error", "An action item still `open` after its `due` date (before the as-of date, UTC)."),
    "update-overdue": ("error", "An open public incident's last update (or detection) is older than `update_every`."),
    "first-update-late": (
        "error",
        "The first public update came later than `first_update_within` after `detected_at` (a warning once resolved).",
    ),
    "update-gap": (
        "warning",
        "Two consecutive public updates (or detection and the first update) further apart than "
        "`update_every` (a past cadence miss).",
    ),
    "ack-overdue": (
        "error",
        "An open incident not acknowledged within its severity's `acknowledge_within` of `detected_at`.",
    ),
    "ack-late": (
        "warning",
        "`acknowledged_at` came later than `acknowledge_within` after `detected_at` (a past miss).",
    ),
    "escalation-overdue": (
        "error",
        "An unresolved incident past an `escalation` step with a name of its `to` no `escalations` entry reached.",
    ),
    "escalation-missed": (
        "warning",
        "A resolved incident ran past an `escalation` step with a name of its `to` no `escalations` entry reached.",
    ),
    "escalation-late": (
        "warning",
        "A name of an `escalation` step was reached only after the step's time (a past miss).",
    ),
    "timeline-overdue": (
        "error",
        "An open incident's last timeline entry (or detection) is older than `internal_update_every`.",
    ),
    "timeline-gap": (
        "warning",
        "Two consecutive timeline entries (or detection and the first) further apart than `internal_update_every`.",
    ),
    "translation-missing": (
        "error",
        "An open public incident's update lacks a translation into a language of the policy's `languages`.",
    ),
    "translation-missed": (
        "warning",
        "A resolved public incident's update was published without a language of the policy's `languages`.",
    ),
    "bad-language": (
        "error",
        "A language code (policy `languages:`, an update's `translations:`) is not one (write `de`, `pt_BR`).",
    ),
    "monitor-short": (
        "warning",
        "Resolved sooner than `monitor_for` after entering `monitoring` (or without monitoring).",
    ),
    "close-overdue": (
        "error",
        "A resolved incident whose severity's `observe_for` has passed without `closed_at` (`incidents close`).",
    ),
    "close-late": (
        "warning",
        "`closed_at` came later than `observe_for` after `resolved_at` (a past miss).",
    ),
    "observe-short": (
        "warning",
        "Closed sooner than `observe_for` after `resolved_at` (watched less than the severity asks).",
    ),
}


def codes_table() -> str:
    """The table of codes (the manual's reference/codes page)."""
    lines = ["| code | level | meaning |", "|---|---|---|"]
    for code, (level, meaning) in CODES.items():
        lines.append(f"| `{code}` | {level} | {meaning} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(codes_table())
