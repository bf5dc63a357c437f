"""An incident's lifecycle timestamps (contract section 2): present when its status needs them, in order.

`started_at <= detected_at <= acknowledged_at <= identified_at <= mitigated_at <= resolved_at` for the
fields present, and `closed_at` (the end of the observation after resolution) only once resolved and
never before `resolved_at`.
"""

from __future__ import annotations

from incidents.records.fields import Fields
from incidents.records.model import LIFECYCLE
from incidents.records.timestamps import iso_utc


def read_times(f: Fields, status: str | None) -> dict:
    """The lifecycle timestamps and `closed_at`, with their presence and order checked."""
    times = {}
    for name in LIFECYCLE:
        times[name] = f.timestamp((name,), required=name in ("started_at", "detected_at"))
    times["closed_at"] = f.timestamp(("closed_at",), required=False)
    _check_lifecycle_presence(f, status, times)
    _check_order(f, times)
    return times


def _check_lifecycle_presence(f: Fields, status: str | None, times: dict) -> None:
    if status is None:
        return
    # A missing key is reported at the opening `---` (FORMAT.md section 2); the message names the status line.
    status_line = f.doc.position(("status",))[0]
    if status != "investigating" and times["acknowledged_at"] is None and not f.has_value(("acknowledged_at",)):
        f.error(
            (),
            "lifecycle-missing",
            f"status is `{status}` (line {status_line}), so `acknowledged_at` is required: "
            "when did a responder acknowledge? Add `acknowledged_at: <timestamp>`",
        )
    if status == "resolved" and times["resolved_at"] is None and not f.has_value(("resolved_at",)):
        f.error(
            (),
            "lifecycle-missing",
            f"status is `resolved` (line {status_line}), so `resolved_at` is required: "
            "when was it resolved? Add `resolved_at: <timestamp>`",
        )
    if status != "resolved" and f.has_value(("closed_at",)):
        f.error(
            ("closed_at",),
            "lifecycle-unexpected",
            f"`closed_at` is set but status is `{status}`; an incident is closed after it is resolved "
            "(`incidents close ID`), so remove `closed_at` until then",
            at_key=True,
        )
    if status != "resolved" and f.has_value(("resolved_at",)):
        f.error(
            ("resolved_at",),
            "lifecycle-unexpected",
            f"`resolved_at` is set but status is `{status}`; set `status: resolved` (with a final update) "
            "or remove `resolved_at`",
            at_key=True,
        )


def _check_order(f: Fields, times: dict) -> None:
    previous_name = None
    for name in LIFECYCLE:
        value = times[name]
        if value is None:
            continue
        if previous_name is not None and value < times[previous_name]:
            f.error(
                (name,),
                "timestamp-order",
                f"`{name}` ({iso_utc(value)}) is earlier than `{previous_name}` "
                f"({iso_utc(times[previous_name])}); the order is " + " <= ".join(LIFECYCLE),
            )
        if previous_name is None or value >= times[previous_name]:
            previous_name = name
    closed, resolved = times.get("closed_at"), times["resolved_at"]
    if closed is not None and resolved is not None and closed < resolved:
        f.error(
            ("closed_at",),
            "timestamp-order",
            f"`closed_at` ({iso_utc(closed)}) is earlier than `resolved_at` ({iso_utc(resolved)}); an incident is "
            "closed when the observation after resolution ends",
        )
