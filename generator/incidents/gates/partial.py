"""What `check` can still gate of an incident file that has `validate` errors (contract section 7).

A record with errors never reaches the Repository's incidents (metrics, the site and the API use
valid records only); but "a record with validate errors still gets every time gate whose fields could
be read": an open SEV-1 with a missing role is also `ack-overdue`. The files are read again here
(they are few: the ones with errors) and `rules.incident.read_partial_incident` keeps what could be
read; `validate` has already reported what could not.
"""

from __future__ import annotations

from pathlib import Path

from incidents.policy.policy_file import Policy
from incidents.records.model import Incident
from incidents.records.safe_files import check_file
from incidents.records.source import read_record
from incidents.rules.incident import read_partial_incident


def partial_incidents(root: Path | None, paths: tuple[str, ...], policy: Policy) -> list[Incident]:
    """The incidents that could be read in part from `paths` (relative to `root`), in path order."""
    out: list[Incident] = []
    if root is None:
        return out
    for rel in paths:
        if check_file(root, rel) is not None:
            continue  # a FIFO, a device or a symlink out of the root: never read
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        src, _ = read_record(data, rel)
        if src is None or src.front_matter.data.get("type", "incident") != "incident":
            continue
        try:
            inc = read_partial_incident(src, policy)
        except Exception:  # noqa: BLE001 - validate reported this file; a half-read record gates nothing
            continue
        if inc is not None:
            out.append(inc)
    return out
