"""`incidents validate`: every file under incidents/ and policy/ against the contract.

Reads the policy, then every record file, applies the rules of its type, then
the rules across files; collects every finding (never stops at the first) and
the records built from files without errors. Independent of the clock.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from incidents.findings import Finding, count_levels, sort_findings
from incidents.policy.policy_file import Policy, load_policy
from incidents.reading.batch import read_files
from incidents.reading.cache import CacheSettings, RecordCache
from incidents.reading.codec import Unsupported, decode_record, encode_record
from incidents.reading.discovery import INCIDENTS_DIR, POLICY_DIR, check_root, record_files, scan_records  # noqa: F401 - re-exported
from incidents.reading.gcpause import bulk_objects
from incidents.reading.reader import default_jobs
from incidents.records.model import Incident, Maintenance, Postmortem
from incidents.records.source import SourceFile
from incidents.rules.repository import check_repository

_CLASS_OF = {"incident": Incident, "postmortem": Postmortem, "maintenance": Maintenance}


@dataclass(frozen=True, slots=True)
class Repository:
    """The valid records of a root, in path order, and its policy."""

    root: Path
    policy: Policy
    incidents: tuple[Incident, ...] = ()
    postmortems: tuple[Postmortem, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()
    # Record files under incidents/ with a `validate` error and no record: `check` still gates what
    # could be read of them (gates.partial).
    invalid: tuple[str, ...] = ()

    def incident(self, incident_id: str) -> Incident | None:
        for inc in self.incidents:
            if inc.id == incident_id:
                return inc
        return None

    def postmortem_for(self, incident_id: str) -> Postmortem | None:
        for pm in self.postmortems:
            if pm.incident == incident_id:
                return pm
        return None


@dataclass(frozen=True, slots=True)
class Report:
    repository: Repository
    findings: tuple[Finding, ...]
    files: int
    sources: dict = field(default_factory=dict)  # path -> SourceFile, for rules that need the text
    rows: tuple = ()  # the `metrics` row of each valid incident, in path order (whatever `records` asks)

    @property
    def errors(self) -> int:
        return count_levels(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count_levels(self.findings)[1]

    @property
    def ok(self) -> bool:
        return self.errors == 0


def validate_root(
    root: Path,
    *,
    keep_sources: bool = False,
    cache: CacheSettings | bool | None = None,
    jobs: int | None = 1,
    records: Collection[str] | None = None,
) -> Report:
    """Every finding of the root, and its valid records.

    `cache`: read unchanged files from the cache of read records (None or
    False: no cache, as with `--no-cache`; True: the settings of the
    environment, INCIDENTS_CACHE_DIR and INCIDENTS_NO_CACHE, else the user
    cache folder; a chosen folder inside the root raises `CacheRefused`); `jobs`: processes that read and check files
    (None: every core; 1: this process only). Neither changes the result.
    `keep_sources` keeps each parsed file (for the gates' tests); it reads
    every file here, without the cache. `records`: the kinds of record the
    caller needs in the Repository (`incident`, `postmortem`, `maintenance`;
    None: all); validate alone needs none, and skips building them from the
    cache. Findings never depend on it.
    """
    with bulk_objects():  # many records at once: no cyclic collection in the middle (gcpause.py)
        return _validate_root(check_root(root), keep_sources, cache, jobs, records)


def _validate_root(root: Path, keep_sources: bool, cache, jobs: int | None, records) -> Report:
    loaded = load_policy(root)
    policy = loaded.policy
    findings: list[Finding] = list(loaded.findings)
    stats: dict = {}
    files, unsafe = scan_records(root, stats)  # symlinks out of the root, FIFOs, devices: findings, never read
    findings.extend(unsafe)
    from incidents.policy.notify_file import check_notify_file  # policy/notify.yml, when the repository has one

    notify_findings, notify_files = check_notify_file(root, policy.services if loaded.usable else None)
    findings.extend(notify_findings)
    from incidents.policy.ingest_file import check_ingest_file  # policy/ingest.yml, when the repository has one

    ingest_findings, ingest_files = check_ingest_file(root, policy if loaded.usable else None)
    findings.extend(ingest_findings)
    notify_files += ingest_files
    if cache is True:
        cache = CacheSettings.from_options()
    store = RecordCache.open(root, cache) if cache and not keep_sources else None
    want = None if records is None else frozenset(_CLASS_OF[kind].__name__ for kind in records)
    results = read_files(
        root,
        files,
        policy,
        loaded.usable,
        cache=store,
        want=want,
        jobs=default_jobs() if jobs is None else max(1, jobs),
        keep_sources=keep_sources,
        stats=stats,
    )

    collected = _Collected(want)
    for result in results:
        collected.add(result, findings)
    incidents, postmortems, maintenances = collected.incidents, collected.postmortems, collected.maintenances
    declared, rows, sources, invalid = collected.declared, collected.rows, collected.sources, collected.invalid

    cross, drop = _across_files(declared, policy, store)
    if store is not None:
        store.save()
    findings.extend(cross)
    if drop:
        incidents = [r for r in incidents if r.path not in drop]
        maintenances = [r for r in maintenances if r.path not in drop]
        postmortems = [r for r in postmortems if r.path not in drop]
        rows = [(path, row) for path, row in rows if path not in drop]
    invalid |= drop
    repo = Repository(root, policy, tuple(incidents), tuple(postmortems), tuple(maintenances), tuple(sorted(invalid)))
    return Report(
        repo,
        tuple(sort_findings(findings)),
        len(files) + loaded.files + notify_files,
        sources,
        tuple(row for _path, row in rows),
    )


class _Collected:
    """What the files gave, sorted by kind (in path order): records, declared ids, metrics rows, sources."""

    def __init__(self, want: frozenset | None) -> None:
        self.want = want
        self.incidents: list[Incident] = []
        self.postmortems: list[Postmortem] = []
        self.maintenances: list[Maintenance] = []
        self.declared: list = []  # Declared, or its plain form from the cache
        self.rows: list[tuple[str, tuple]] = []
        self.sources: dict[str, SourceFile] = {}
        self.invalid: set[str] = set()  # files with an error and no record (`check` gates what it can read)
        self._by_type: dict[type, list] = {
            Incident: self.incidents,
            Postmortem: self.postmortems,
            Maintenance: self.maintenances,
        }

    def add(self, result, findings: list[Finding]) -> None:
        findings.extend(result.findings)
        if result.record is None and any(x.level == "error" for x in result.findings):
            self.invalid.add(result.rel)
        if result.source is not None:
            self.sources[result.rel] = result.source
        record = result.record
        if record is not None and (self.want is None or type(record).__name__ in self.want):
            self._by_type[type(record)].append(record)
        if result.declared is not None:
            self.declared.append(result.declared)
        elif result.declared_plain is not None:
            self.declared.append(result.declared_plain)  # built only if the rules across files must run
        if result.row is not None:
            self.rows.append((result.rel, result.row))


def across_key(plain: tuple) -> bytes:
    """The SHA-256 of the declared ids in their plain form: the same for equal values in any process
    (marshal version 0; later versions mark strings that are shared or interned, which vary by process)."""
    return hashlib.sha256(marshal.dumps(plain, 0)).digest()


def _across_files(declared: list, policy: Policy, store: RecordCache | None) -> tuple[list[Finding], set[str]]:
    """The rules across files; with the cache, their result is kept for the same declared ids in the same
    order under the same policy and tool (the cache's key), as with any file."""
    if store is None:
        return check_repository(declared, policy)  # without the cache, every declared id is built
    try:
        key = across_key(tuple(d if type(d) is tuple else encode_record(d) for d in declared))
    except (Unsupported, ValueError):
        key = None
    known = store.across_files(key) if key is not None else None
    if known is not None:
        return known
    cross, drop = check_repository([decode_record(d) if type(d) is tuple else d for d in declared], policy)
    if key is not None:
        store.remember_across(key, cross, drop)
    return cross, drop
