"""The service catalogue during an import: match components by name, append new ones.

policy/services.yml is edited by appending entries after the last one of the
`services:` list, in the list's own indentation (or inside a flow list's
brackets): the bytes already there are never reordered or rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from incidents.authoring import AuthoringError
from incidents.authoring.yamltext import dq, scalar
from incidents.policy.policy_file import Policy

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class NewService:
    id: str
    name: str
    group: str | None = None


@dataclass(slots=True)
class Catalogue:
    """The policy's services plus those this import adds."""

    by_name: dict[str, str] = field(default_factory=dict)  # lower-cased name -> id
    ids: set[str] = field(default_factory=set)
    added: list[NewService] = field(default_factory=list)

    @classmethod
    def of(cls, policy: Policy) -> Catalogue:
        cat = cls()
        for svc in policy.services:
            cat.ids.add(svc.id)
            cat.by_name.setdefault(svc.name.strip().lower(), svc.id)
        cat.ids |= set(policy.declared_service_ids)
        return cat

    def for_name(self, name: str, group: str | None) -> str:
        """The id of the service called `name` (case-insensitively), added when there is none."""
        key = name.strip().lower()
        if key in self.by_name:
            return self.by_name[key]
        if key in self.ids:  # a component named like an existing id (`API` and `api`)
            return key
        base = _SLUG.sub("-", key).strip("-")[:60].strip("-") or "service"
        new_id, n = base, 2
        while new_id in self.ids:
            new_id, n = f"{base}-{n}", n + 1
        self.ids.add(new_id)
        self.by_name[key] = new_id
        self.added.append(NewService(new_id, name.strip(), group))
        return new_id

    def ensure_id(self, service_id: str) -> str:
        """`--default-service`: the id as given, added (named like its id) when the catalogue lacks it."""
        if service_id not in self.ids:
            self.ids.add(service_id)
            self.by_name.setdefault(service_id.lower(), service_id)
            self.added.append(NewService(service_id, service_id.replace("-", " ").replace("_", " ").title()))
        return service_id


def _entry_lines(svc: NewService, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}- id: {scalar(svc.id)}", f"{pad}  name: {dq(svc.name)}"]
    if svc.group:
        lines.append(f"{pad}  group: {dq(svc.group)}")
    return lines


def append_services(data: bytes | None, added: list[NewService]) -> bytes:
    """services.yml with `added` appended to its `services:` list; the other bytes as they were."""
    if not added:
        return data or b""
    text = (data or b"").decode("utf-8-sig")
    bom = (data or b"").startswith(b"\xef\xbb\xbf")
    nl = "\r\n" if "\r\n" in text else "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    except yaml.YAMLError as exc:
        raise AuthoringError(f"policy/services.yml cannot be read ({exc}); fix it before importing") from None
    services = None
    if root is not None:
        if not isinstance(root, yaml.MappingNode):
            raise AuthoringError("policy/services.yml is not a mapping with a `services:` list; fix it first")
        for key, value in root.value:
            if key.value == "services":
                services = value
    lines = text.splitlines(keepends=True)
    if services is None or (isinstance(services, yaml.ScalarNode) and services.value in ("", "~", "null")):
        if services is None:
            if text and not text.endswith(("\n", "\r")):
                text += nl
            text += "services:" + nl
        else:  # `services:` with no value: the entries go right after it
            line = services.start_mark.line
            head = "".join(lines[: line + 1])
            if not head.endswith(("\n", "\r")):
                head += nl
            body = nl.join(l for s in added for l in _entry_lines(s, 2)) + nl
            out = head + body + "".join(lines[line + 1 :])
            return _done(out, bom, data, added)
        out = text + nl.join(l for s in added for l in _entry_lines(s, 2)) + nl
        return _done(out, bom, data, added)
    if not isinstance(services, yaml.SequenceNode):
        raise AuthoringError("`services:` in policy/services.yml is not a list; fix it first")
    if services.flow_style:
        close = services.end_mark.index - 1  # the `]`
        items = ", ".join(
            "{id: " + scalar(s.id) + ", name: " + dq(s.name) + (", group: " + dq(s.group) if s.group else "") + "}"
            for s in added
        )
        sep = ", " if services.value else ""
        out = text[:close] + sep + items + text[close:]
        return _done(out, bom, data, added)
    first = services.value[0] if services.value else None
    indent = max((first.start_mark.column - 2) if first is not None else services.start_mark.column, 0)
    last = services.value[-1]
    end = _last_content(last)
    after = end.line + 1 if end.column > 0 else end.line
    # Entries separated by blank lines get a blank line before each new one too.
    spaced = len(services.value) > 1 and not lines[max(last.start_mark.line - 1, 0)].strip()
    head = "".join(lines[:after])
    if head and not head.endswith(("\n", "\r")):
        head += nl
    body = "".join((nl if spaced else "") + nl.join(_entry_lines(s, indent)) + nl for s in added)
    out = head + body + "".join(lines[after:])
    return _done(out, bom, data, added)


def _last_content(node):
    """The end mark of the last scalar inside `node` (block collections end after trailing comments)."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark
    if isinstance(node, yaml.MappingNode):
        children = [v for pair in node.value for v in pair]
    else:
        children = list(node.value)
    if not children or node.flow_style:
        return node.end_mark
    return max((_last_content(c) for c in children), key=lambda m: m.index)


def _done(out: str, bom: bool, data: bytes | None, added: list[NewService]) -> bytes:
    result = (b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8")
    before = yaml.safe_load((data or b"").decode("utf-8-sig")) or {}
    after = yaml.safe_load(out) or {}
    want = list((before.get("services") or []) if isinstance(before, dict) else [])
    want += [{"id": s.id, "name": s.name, **({"group": s.group} if s.group else {})} for s in added]
    if not isinstance(after, dict) or after.get("services") != want:
        raise AuthoringError(
            "policy/services.yml's layout defeats a safe append; add the services by hand: "
            + ", ".join(f"{s.id} ({s.name})" for s in added)
        )
    return result


__all__ = ["Catalogue", "NewService", "append_services"]
