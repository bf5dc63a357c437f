"""Detection: alerts become records (`incidents ingest`, `incidents ingest serve`).

A webhook body (Alertmanager, Grafana, PagerDuty or a generic one) is read into alerts
(`payloads`), mapped by policy/ingest.yml to services and a severity, and written as an
internal incident or as timeline entries of the open one with the same `source` (`apply`),
through the same checked, atomic, locked writes as `incidents new` and `incidents timeline`.
`server` receives webhooks over HTTP and commits each record in a git checkout (`gitsync`).

May import every layer below the operations, and `authoring`; never the CLI or the plugin.
"""

from __future__ import annotations

from incidents.records.model import DETECTION_SYSTEMS

INGEST_SYSTEMS = tuple(s for s in DETECTION_SYSTEMS if s != "probe")  # alertmanager, grafana, pagerduty, generic


class IngestError(Exception):
    """A payload or a request that cannot be recorded; nothing was written. The CLI prints it and exits 1."""

    def __init__(self, message: str, findings=()):
        super().__init__(message)
        self.message = message
        self.findings = tuple(findings)


__all__ = ["INGEST_SYSTEMS", "IngestError"]
