"""`policy/ingest.yml`: how alerts become incidents, read like every policy file (findings at file:line).

```yaml
sources:
  - type: alertmanager
    match: {team: payments}          # labels an alert must carry (values: regular expressions, whole value)
    service_from: label:service      # or `service: api`; both: the label, else the fixed service
    severity_from: label:severity
    severity_map: {critical: SEV-1, warning: SEV-3}
    default_severity: SEV-3
    group_by: groupKey               # one incident per alert group (default) or fingerprint
```

Without the file every source type is taken with the defaults (service from the label `service`,
severity from the label `severity`, the least severe severity when it maps to none, one incident per
group). With it, only the sources it lists are taken, first match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from incidents.findings import ERROR, Finding, did_you_mean, one_of
from incidents.records.fields import Fields
from incidents.records.source import read_yaml_file

INGEST_FILE = "policy/ingest.yml"
SOURCE_TYPES = ("alertmanager", "grafana", "pagerduty", "generic")
SOURCE_KEYS = (
    "type",
    "match",
    "service_from",
    "service",
    "severity_from",
    "severity_map",
    "default_severity",
    "group_by",
)
GROUP_BY = ("groupKey", "fingerprint")
_FROM = re.compile(r"^(label|annotation):([A-Za-z_][A-Za-z0-9_.-]{0,99})$")


@dataclass(frozen=True)
class IngestSource:
    type: str
    match: tuple[tuple[str, re.Pattern], ...] = ()
    service_from: tuple[str, str] | None = ("label", "service")
    service: str | None = None
    severity_from: tuple[str, str] | None = ("label", "severity")
    severity_map: dict[str, str] = field(default_factory=dict)
    default_severity: str | None = None  # None: the policy's least severe severity
    group_by: str = "groupKey"
    line: int = 0

    def matches(self, labels: dict[str, str]) -> bool:
        return all(key in labels and pattern.fullmatch(labels[key]) for key, pattern in self.match)


@dataclass
class IngestConfig:
    sources: list[IngestSource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    present: bool = False  # False: no file, every type with the defaults

    @property
    def ok(self) -> bool:
        return not any(f.level == ERROR for f in self.findings)

    def candidates(self, source_type: str) -> list[IngestSource]:
        """The mappings tried, in order, for a payload of `source_type`."""
        if not self.present:
            return [IngestSource(source_type)]
        return [s for s in self.sources if s.type == source_type]


def load_ingest_config(root: Path, severities=None, services=None) -> IngestConfig:
    """Read policy/ingest.yml under `root` (an absent file: the defaults). `severities` and `services`
    (ids) check the mapping's targets when given."""
    from incidents.records.safe_files import check_file

    unsafe = check_file(root, INGEST_FILE)
    if unsafe is not None:
        return IngestConfig(findings=[unsafe], present=True)
    path = root / INGEST_FILE
    if not path.is_file():
        return IngestConfig()
    try:
        data = path.read_bytes()
    except OSError as exc:
        found = [Finding(INGEST_FILE, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}")]
        return IngestConfig(findings=found, present=True)
    return parse_ingest_config(data, INGEST_FILE, severities, services)


def check_ingest_file(root: Path, policy=None) -> tuple[list[Finding], int]:
    """For `incidents validate`: the findings of policy/ingest.yml and 1, or nothing and 0 when absent."""
    if not (root / INGEST_FILE).exists() and not (root / INGEST_FILE).is_symlink():
        return [], 0
    severities = tuple(policy.severity_ids) if policy is not None and policy.severity_ids else None
    services = tuple(policy.service_ids) if policy is not None and policy.service_ids else None
    return load_ingest_config(root, severities, services).findings, 1


def parse_ingest_config(data: bytes, rel: str, severities=None, services=None) -> IngestConfig:
    findings: list[Finding] = []
    if all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines()):
        return IngestConfig(present=True)  # every source commented out: nothing is ingested
    doc, found = read_yaml_file(data, rel)
    findings.extend(found)
    if doc is None:
        return IngestConfig(findings=findings, present=True)
    f = Fields(doc, rel, findings)
    f.unknown_keys((), ("sources",))
    sources = []
    for i in range(len(f.sequence(("sources",), required=True) or [])):
        source = _source(f, ("sources", i), severities, services)
        if source is not None:
            sources.append(source)
    return IngestConfig(sources, findings, present=True)


def _source(f: Fields, path: tuple, severities, services) -> IngestSource | None:
    if f.mapping(path) is None:
        return None
    errors_before = sum(1 for x in f.findings if x.level == ERROR)
    f.unknown_keys(path, SOURCE_KEYS, what="source key")
    kind = f.choice(path + ("type",), SOURCE_TYPES, code="invalid-value", what="source type")
    match = _match(f, path + ("match",))
    service_from = _from(f, path + ("service_from",))
    service = f.identifier(path + ("service",), required=False, what="service id")
    if service is not None and services is not None and service not in services:
        _unknown(f, path + ("service",), "service", service, services, "policy/services.yml lists")
    severity_from = _from(f, path + ("severity_from",))
    severity_map = _severity_map(f, path + ("severity_map",), severities)
    default = f.text(path + ("default_severity",), required=False)
    if default is not None and severities is not None and default not in severities:
        _unknown(f, path + ("default_severity",), "severity", default, severities, "the policy defines")
    group_by = f.choice(path + ("group_by",), GROUP_BY, code="invalid-value", what="group_by", required=False)
    if sum(1 for x in f.findings if x.level == ERROR) > errors_before or kind is None:
        return None
    return IngestSource(
        type=kind,
        match=match,
        service_from=service_from
        if f.present(path + ("service_from",))
        else (None if service else ("label", "service")),
        service=service,
        severity_from=severity_from if f.present(path + ("severity_from",)) else ("label", "severity"),
        severity_map=severity_map,
        default_severity=default,
        group_by=group_by or "groupKey",
        line=f.doc.position(path)[0],
    )


def _unknown(f: Fields, path: tuple, what: str, value: str, known, lists: str) -> None:
    hint = did_you_mean(value, known)
    f.error(path, f"unknown-{what}", f"unknown {what} `{value}`{hint}; {lists} {one_of(known)}")


def _match(f: Fields, path: tuple) -> tuple[tuple[str, re.Pattern], ...]:
    mapping = f.mapping(path, required=False)
    out = []
    for key in mapping or ():
        pattern = f.text(path + (key,), max_len=500)
        if pattern is None:
            continue
        try:
            out.append((str(key), re.compile(pattern)))
        except re.error as exc:
            f.error(
                path + (key,),
                "invalid-regex",
                f"`{pattern}` is not a regular expression ({exc.msg}); a match value is matched against "
                "the whole label value, e.g. `payments|billing`",
            )
    return tuple(out)


def _from(f: Fields, path: tuple) -> tuple[str, str] | None:
    text = f.text(path, required=False)
    if text is None:
        return None
    m = _FROM.match(text)
    if m is None:
        f.error(
            path,
            "invalid-value",
            f"`{text}` does not say where to read the value: write `label:NAME` or `annotation:NAME`, "
            "e.g. `label:service`",
        )
        return None
    return m.group(1), m.group(2)


def _severity_map(f: Fields, path: tuple, severities) -> dict[str, str]:
    mapping = f.mapping(path, required=False)
    out: dict[str, str] = {}
    for key in mapping or ():
        target = f.text(path + (key,))
        if target is None:
            continue
        if severities is not None and target not in severities:
            _unknown(f, path + (key,), "severity", target, severities, "the policy defines")
            continue
        out[str(key)] = target
    return out


__all__ = [
    "GROUP_BY",
    "INGEST_FILE",
    "SOURCE_TYPES",
    "IngestConfig",
    "IngestSource",
    "check_ingest_file",
    "load_ingest_config",
    "parse_ingest_config",
]
