"""The state file of `incidents notify --state FILE`: what was delivered to which channel, which events
were history never to be announced (listed once), and when the last run looked at the clock (so windows
that started or ended since are noticed once). The run writes it after every delivery, so a run that
dies half-way never sends anything twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incidents.errors import IncidentsError
from incidents.records.timestamps import TimestampError, iso_utc, parse_timestamp

VERSION = 1


class StateError(IncidentsError):
    """The state file exists but cannot be used."""


@dataclass
class State:
    as_of: datetime | None = None
    delivered: dict[str, set[str]] = field(default_factory=dict)  # channel id -> event ids
    not_announced: set[str] = field(default_factory=set)  # event ids listed as history, never sent

    def done(self, channel: str, event_id: str) -> bool:
        return event_id in self.delivered.get(channel, ())

    def mark(self, channel: str, event_id: str) -> None:
        self.delivered.setdefault(channel, set()).add(event_id)

    def dumps(self) -> str:
        doc = {
            "version": VERSION,
            "as_of": iso_utc(self.as_of) if self.as_of else None,
            "delivered": {cid: sorted(ids) for cid, ids in sorted(self.delivered.items())},
            "not_announced": sorted(self.not_announced),
        }
        return json.dumps(doc, indent=2) + "\n"


def load_state(path: Path) -> State:
    if not path.exists():
        return State()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(
            f"the state file {path} cannot be read ({exc}); move it away to start afresh "
            "(events already delivered would then be delivered again)"
        ) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("delivered"), dict):
        raise StateError(f"the state file {path} is not a notify state (version {VERSION})")
    state = State()
    if doc.get("as_of"):
        try:
            state.as_of = parse_timestamp(str(doc["as_of"])).astimezone(UTC)
        except TimestampError as exc:
            raise StateError(f"the state file {path}: `as_of`: {exc}") from None
    for cid, ids in doc["delivered"].items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise StateError(f"the state file {path}: `delivered.{cid}` must be a list of event ids")
        state.delivered[str(cid)] = set(ids)
    history = doc.get("not_announced", [])
    if not isinstance(history, list) or not all(isinstance(i, str) for i in history):
        raise StateError(f"the state file {path}: `not_announced` must be a list of event ids")
    state.not_announced = set(history)
    return state


def save_state(path: Path, state: State) -> None:
    from incidents.authoring import atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.replace(path, state.dumps().encode("utf-8"))
