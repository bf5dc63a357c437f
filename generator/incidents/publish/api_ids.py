"""The vocabulary of the Statuspage API documents: the page, stable ids, timestamps and addresses.

Ids: incidents and maintenances keep their record id (unique across the
repository, stable, and the same as in their page's address); components,
groups and incident updates get a 12-character id hashed from what they are
(`component:<service id>`, `group:<group name>`, `update:<record id>:<n>`), in
the alphabet of Statuspage's own ids.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class PageInfo:
    id: str
    name: str
    url: str  # the site's address; incident pages live at <url>incidents/<id>/
    time_zone: str = "Etc/UTC"

    @property
    def base(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"


def stable_id(key: str) -> str:
    """12 lowercase alphanumerics hashed from `key`: stable across builds and machines."""
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:9], "big")
    chars = []
    for _ in range(12):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def component_id(service_id: str) -> str:
    return stable_id(f"component:{service_id}")


def group_id(name: str) -> str:
    return stable_id(f"group:{name}")


def update_id(record_id: str, index: int) -> str:
    return stable_id(f"update:{record_id}:{index}")


def timestamp(value: datetime | None) -> str | None:
    """UTC with milliseconds: 2026-01-14T14:35:00.000Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def incident_url(page: PageInfo, incident_id: str) -> str:
    return f"{page.base}incidents/{incident_id}/"


def maintenance_url(page: PageInfo, maintenance_id: str) -> str:
    """A maintenance window's own page (the site publishes one per window)."""
    return f"{page.base}maintenance/{maintenance_id}/"


def dumps(doc: Any) -> str:
    """The published text of a document: indent 2, UTF-8 text kept, a final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
