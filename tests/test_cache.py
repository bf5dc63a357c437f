"""The cache of read records: same bytes out with and without it, never trusted blindly, safe under concurrency."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import incidents.reading.reader as reading
import test_properties as props
from incidents.cli import cli
from incidents.reading import cache as cache_mod
from incidents.reading import cache_files, cache_log
from incidents.reading.cache import CacheSettings, RecordCache, load_pack
from incidents.reading.codec import CODECS, UNSUPPORTED_FIELDS
from incidents.reading.validate import validate_root
from test_golden import CASES, golden_root

AS_OF = "2026-12-01T00:00:00Z"
COMMANDS = (
    ["validate", "--format", "json"],
    ["validate", "--format", "text", "--strict"],
    ["check", "--as-of", AS_OF, "--format", "json"],
    ["metrics", "--format", "json", "--as-of", AS_OF],
)


def run(root: Path, args: list[str], *extra: str) -> tuple[int, bytes, bytes]:
    result = CliRunner().invoke(cli, [*args, "--root", str(root), *extra], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def explode(*_args, **_kwargs):
    raise AssertionError("a file was read again although the cache holds it")


def outputs_three_ways(root: Path, cache_dir: Path, monkeypatch) -> None:
    """Each command: cold cache, warm cache (no file may be read), no cache -> identical bytes and status."""
    for args in COMMANDS:
        shutil.rmtree(cache_dir, ignore_errors=True)
        cold = run(root, args, "--cache-dir", str(cache_dir))
        with monkeypatch.context() as m:
            m.setattr(reading, "read_record", explode)
            warm = run(root, args, "--cache-dir", str(cache_dir))
        none = run(root, args, "--no-cache")
        assert cold == warm == none, args


def reports_three_ways(root: Path, cache_dir: Path) -> None:
    """The records themselves (types, zones and read-only mappings included) do not depend on the cache."""
    shutil.rmtree(cache_dir, ignore_errors=True)
    settings = CacheSettings(True, cache_dir)
    plain = repr(validate_root(root))
    assert repr(validate_root(root, cache=settings)) == plain
    assert repr(validate_root(root, cache=settings)) == plain


@pytest.mark.parametrize("case", CASES)
def test_golden_case_same_bytes_cold_warm_and_without_cache(case, tmp_path, monkeypatch):
    root = golden_root(case, tmp_path)
    outputs_three_ways(root, tmp_path / "cache", monkeypatch)
    reports_three_ways(root, tmp_path / "cache")


@props.SETTINGS
@given(
    st.one_of(
        props.FRONT_MATTERS.map(props.record_text),
        props.mutated(st.just(props.VALID)),
        st.sampled_from([props.VALID, props._PM, props._MAINT]).flatmap(
            lambda text: props.perturbed(props.yaml.safe_load(text.split("---\n")[1])).map(
                lambda data: "---\n" + props.dump(data) + "---\n" + text.split("---\n", 2)[2]
            )
        ),
    )
)
def test_property_inputs_same_result_cold_warm_and_without_cache(text):
    outside = Path(tempfile.mkdtemp(prefix="incidents-cache-prop-"))
    root = outside / "root"  # the cache folders beside it: never inside the root
    try:
        shutil.copytree(props.BASE_POLICY, root / "policy")
        (root / "incidents" / "x").mkdir(parents=True)
        (root / props.REL).write_bytes(text.encode("utf-8", "surrogatepass"))
        (root / "incidents" / "ok.md").write_text(props.VALID)
        reports_three_ways(root, outside / "cache")
        cold = run(root, ["validate", "--format", "json"], "--cache-dir", str(outside / "c2"))
        warm = run(root, ["validate", "--format", "json"], "--cache-dir", str(outside / "c2"))
        assert cold == warm == run(root, ["validate", "--format", "json"], "--no-cache")
    finally:
        shutil.rmtree(outside, ignore_errors=True)


def test_every_record_field_has_a_codec():
    assert not UNSUPPORTED_FIELDS
    assert {"Incident", "Postmortem", "Maintenance", "Declared", "Finding"} <= set(CODECS)


# ---- what is re-read --------------------------------------------------------------------------------


def demo_root(tmp_path: Path) -> Path:
    root = golden_root("valid_all_types", tmp_path)
    return root


class Counter:
    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        original = reading.read_record

        def counting(data, rel):
            self.paths.append(rel)
            return original(data, rel)

        monkeypatch.setattr(reading, "read_record", counting)


def test_only_changed_files_are_read_again(tmp_path, monkeypatch):
    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    files = sorted(p.relative_to(root).as_posix() for p in (root / "incidents").rglob("*.md"))
    counter = Counter(monkeypatch)
    validate_root(root, cache=settings)
    assert counter.paths == files  # cold: every file
    counter.paths.clear()
    validate_root(root, cache=settings)
    assert counter.paths == []  # warm: none
    changed = root / files[0]
    changed.write_text(changed.read_text() + "\nOne more line.\n")
    validate_root(root, cache=settings)
    assert counter.paths == [files[0]]
    counter.paths.clear()
    # The policy's bytes are part of the key: any change under policy/ reads everything again.
    (root / "policy" / "notes.txt").write_text("a file the tool does not read still counts\n")
    validate_root(root, cache=settings)
    assert counter.paths == files
    counter.paths.clear()
    # So is the tool: another version of the code never reuses these results.
    monkeypatch.setattr(cache_mod, "_TOOL", ["another build"])
    validate_root(root, cache=settings)
    assert counter.paths == files


def test_unchanged_files_are_not_even_opened_and_any_change_is_seen(tmp_path, monkeypatch):
    """The stat shortcut: size, times (ns) and inode as recorded -> not opened; a change of bytes that keeps
    the size and the modification time still changes the change time, and the file is read again."""
    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    expected = repr(validate_root(root, records=()))
    later = time.time_ns() + 10 * cache_mod.RACY_NS  # as if the run began well after the files were written
    monkeypatch.setattr(cache_mod.time, "time_ns", lambda: later)
    validate_root(root, cache=settings, records=())
    opened: list[str] = []
    original = reading.read_bytes
    monkeypatch.setattr(reading, "read_bytes", lambda path: opened.append(path) or original(path))
    assert repr(validate_root(root, cache=settings, records=())) == expected
    assert opened == []
    # A wanted record is read from its file (its body), and checked against the digest.
    full = validate_root(root, cache=settings)
    assert len(opened) == len(full.repository.incidents) + len(full.repository.postmortems) + len(
        full.repository.maintenances
    )
    assert repr(full) == repr(validate_root(root))
    opened.clear()
    target = next(p for p in sorted((root / "incidents").rglob("*.md")) if "postmortem" not in p.name)
    st = target.stat()
    text = target.read_bytes()
    changed = text.replace(b"severity: SEV-2", b"severity: SEV-3", 1)  # same size, other bytes
    assert len(changed) == len(text) and changed != text
    target.write_bytes(changed)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # the modification time put back
    monkeypatch.setattr(cache_mod.time, "time_ns", lambda: later + 1)
    assert repr(validate_root(root, cache=settings, records=())) != expected
    assert opened == [str(target)]
    assert repr(validate_root(root, cache=settings, records=())) == repr(validate_root(root, records=()))


def test_files_changed_just_before_a_run_get_no_stat_signature(tmp_path):
    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    validate_root(root, cache=settings)  # the files were written a moment ago: too recent to trust
    store = RecordCache.open(root, settings)
    assert store.old and all(entry[1] is None for entry in store.old.values())


def test_the_record_log_grows_by_a_segment_per_run_and_is_compacted(tmp_path, monkeypatch):
    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    check = ["check", "--as-of", AS_OF, "--format", "json", "--cache-dir", str(settings.directory)]
    run(root, check)
    log = RecordCache.open(root, settings).log_path
    base = log.stat().st_size
    monkeypatch.setattr(cache_log, "COMPACT_SLACK", 0)
    target = next(p for p in sorted((root / "incidents").rglob("*.md")) if "postmortem" not in p.name)
    sizes = []
    for n in range(12):
        target.write_text(target.read_text() + f"\nEdit {n}.\n")
        validate_root(root, cache=settings, records=())  # records not wanted: the log is not read, only added to
        sizes.append(log.stat().st_size)
        assert run(root, check) == run(root, check[:-2], "--no-cache"), n
    grew = [b - a for a, b in zip([base, *sizes], sizes)]
    assert any(0 < g < base / 2 for g in grew), grew  # a segment of one record, not the whole log
    assert any(g < 0 for g in grew), grew  # compacted when it passed twice its size
    compacted = [size for size, g in zip(sizes, grew) if g < 0]
    assert max(sizes) <= 2 * max(compacted) + 2 * max(grew)  # bounded: never more than about twice its size


def test_rules_across_files_always_run(tmp_path):
    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    assert validate_root(root, cache=settings).ok
    src = next((root / "incidents").rglob("INC-*.md"))
    if src.name.endswith(".postmortem.md"):
        src = next(p for p in (root / "incidents").rglob("INC-*.md") if not p.name.endswith(".postmortem.md"))
    twin = src.with_name("twin.md")
    shutil.copy(src, twin)  # the same id twice: only the rules across files can see it
    report = validate_root(root, cache=settings)
    assert "duplicate-id" in {f.code for f in report.findings}
    assert repr(report) == repr(validate_root(root))


def test_rules_across_files_are_kept_for_the_same_declared_ids(tmp_path, monkeypatch):
    import incidents.reading.validate as validate_mod

    root = demo_root(tmp_path)
    settings = CacheSettings(True, tmp_path / "c")
    calls: list[int] = []
    original = validate_mod.check_repository
    monkeypatch.setattr(
        validate_mod,
        "check_repository",
        lambda declared, policy: calls.append(len(declared)) or original(declared, policy),
    )
    validate_root(root, cache=settings)
    validate_root(root, cache=settings)
    assert len(calls) == 1  # nothing declared changed: the rules' result is the cache's
    incident = next(p for p in sorted((root / "incidents").rglob("*.md")) if "postmortem" not in p.name)
    incident.write_text(incident.read_text() + "\nA line of body.\n")
    validate_root(root, cache=settings)
    assert len(calls) == 1  # a body changed, no id
    incident.write_text(incident.read_text().replace("id: INC-2026-0001", "id: INC-2026-0009"))
    report = validate_root(root, cache=settings)
    assert len(calls) == 2 and "unknown-incident" in {f.code for f in report.findings}
    assert repr(report) == repr(validate_root(root))


def test_the_key_of_the_rules_result_depends_only_on_the_values():
    from incidents.reading.validate import across_key

    def declared(i: int) -> tuple:
        return ("Declared", (f"INC-{i}", f"incidents/{i}.md", 2, 5, "incident", "SEV-2", True, None, "2026-01-01"))

    fresh = tuple(declared(i) for i in range(50))
    held = [declared(i) for i in range(50)]
    shared = tuple(held)  # the same values, each object referenced twice (as a record would hold them)
    interned = tuple((n, tuple(sys.intern(v) if isinstance(v, str) else v for v in f)) for n, f in fresh)
    assert (
        across_key(fresh)
        == across_key(shared)
        == across_key(interned)
        == across_key(marshal.loads(marshal.dumps(fresh)))
    )
    assert across_key(fresh) != across_key(fresh[:-1])


ACROSS_RUN = """
import sys
from pathlib import Path
import incidents.reading.validate as v
from incidents.reading.cache import CacheSettings
calls = []
original = v.check_repository
v.check_repository = lambda declared, policy: calls.append(1) or original(declared, policy)
v.validate_root(Path(sys.argv[1]), cache=CacheSettings(True, Path(sys.argv[2])))
print(len(calls))
"""


def test_rules_across_files_are_kept_from_one_process_to_the_next(tmp_path):
    """The key of the rules' result does not depend on the process (interned or shared strings)."""
    root = golden_root("valid_all_types", tmp_path)
    for i in range(20):
        (root / "incidents" / f"bad{i}.md").write_text(f"---\nid: B-{i}\ntitle: [\n---\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent / "generator"))
    runs = [
        subprocess.run(
            [sys.executable, "-c", ACROSS_RUN, str(root), str(tmp_path / "c")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(3)
    ]
    assert runs == ["1", "0", "0"]


# ---- never trusted blindly --------------------------------------------------------------------------


def pack_path(root: Path, folder: Path) -> Path:
    store = RecordCache.open(root, CacheSettings(True, folder))
    return store.path


def _damage_cases(blob: bytes, header: dict, loaded: tuple, key: bytes) -> dict[str, bytes]:
    entries, log_base, _across = loaded
    payload_at = blob.index(b"}", len(cache_files.INDEX_MAGIC) + 4) + 1 + 32
    flipped = bytearray(blob)
    flipped[payload_at + len(blob[payload_at:]) // 2] ^= 0xFF
    foreign = dict(header, tool="incidents 0.0.1 of another build")
    older = dict(header, format=1)

    def pack(head, payload):
        return cache_files.pack(head, payload, key)

    wrong_shape = marshal.dumps([1, 2, 3])
    old_shape = marshal.dumps(entries)  # format 1 held the entries alone
    no_memo = marshal.dumps((entries, log_base))  # an earlier build of format 2
    bad_entries = marshal.dumps(
        (
            dict.fromkeys(entries, (b"x" * 32, None, ("not", "an", "entry")))
            | {rel: (e[0], e[1], ((1, 2),)) + e[3:] for rel, e in list(entries.items())[:1]}
            | {rel: (e[0], None, e[2], ("Declared", (1,)), e[4], e[5]) for rel, e in list(entries.items())[1:2]},
            log_base,
            (b"k", ((1,),), ()),
        )
    )
    # A code object is plain data to marshal: it must be ignored, and never run.
    code = compile("open('PWNED', 'w').write('ran')", "x", "exec")
    with_code = marshal.dumps(
        ({rel: (e[0], None, code, code, code, e[5]) for rel, e in entries.items()}, log_base, code)
    )
    return {
        "empty": b"",
        "garbage": os.urandom(300),
        "truncated": blob[: len(blob) // 2],
        "truncated header": blob[: len(cache_files.INDEX_MAGIC) + 6],
        "flipped byte": bytes(flipped),
        "foreign tool": pack(foreign, blob[payload_at:]),
        "older format": pack(older, blob[payload_at:]),
        "wrong shape": pack(header, wrong_shape),
        "format 1 payload": pack(header, old_shape),
        "without the rules' memo": pack(header, no_memo),
        "bad entries": pack(header, bad_entries),
        "code objects": pack(header, with_code),
        "json instead": json.dumps({"entries": []}).encode(),
        "another key": cache_files.pack(header, blob[payload_at:], b"k" * 32),
        "root of another path": pack(dict(header, root="/elsewhere"), blob[payload_at:]),
    }


def _log_damage_cases(blob: bytes, header: dict, key: bytes) -> dict[str, bytes]:
    start = cache_files.log_start(header)
    assert blob.startswith(start)
    flipped = bytearray(blob)
    flipped[len(blob) - 10] ^= 0xFF
    code = compile("open('PWNED', 'w').write('ran')", "x", "exec")
    entries = cache_files.parse_log(blob, header, key)[0]

    def segment(head, found):
        return cache_files.segment(head, found, key)

    return {
        "empty": b"",
        "garbage": os.urandom(300),
        "header only": start,
        "cut in a segment": blob[: len(blob) - 7],
        "flipped byte": bytes(flipped),
        "segment for another policy": start + segment(dict(header, policy="another"), entries),
        "segment under another key": start + cache_files.segment(header, entries, b"k" * 32),
        "log of another tool": cache_files.log_start(dict(header, tool="x")) + blob[len(start) :],
        "wrong digests": start + segment(header, {rel: (b"y" * 32,) + e[1:] for rel, e in entries.items()}),
        "wrong shapes": start + segment(header, {rel: (e[0], ("Incident", (1, 2)), 3) for rel, e in entries.items()}),
        "code objects": start + segment(header, {rel: (e[0], code, None) for rel, e in entries.items()}),
    }


def test_damaged_or_foreign_caches_are_ignored_and_rewritten(tmp_path, monkeypatch):
    root = golden_root("valid_all_types", tmp_path)
    (root / "incidents" / "bad.md").write_text("---\nid: [\n---\n")  # findings too, not only records
    folder = tmp_path / "c"
    validate = ["validate", "--format", "json"]
    check = ["check", "--as-of", AS_OF, "--format", "json"]
    expected, expected_check = run(root, validate, "--no-cache"), run(root, check, "--no-cache")
    run(root, check, "--cache-dir", str(folder))
    store = RecordCache.open(root, CacheSettings(True, folder))
    path, header, key = store.path, store.header, store.key
    blob, log_blob = path.read_bytes(), store.log_path.read_bytes()
    loaded = cache_files.read_pack(path, header, key)
    assert "incidents/bad.md" in loaded[0] and len(loaded[0]) >= 3
    monkeypatch.chdir(tmp_path)
    for name, damaged in _damage_cases(blob, header, loaded, key).items():
        path.write_bytes(damaged)
        assert run(root, validate, "--cache-dir", str(folder)) == expected, name
        assert load_pack(path, header, key).keys() == loaded[0].keys(), f"{name}: not rewritten"
        path.write_bytes(damaged)
        assert run(root, check, "--cache-dir", str(folder)) == expected_check, name
    for name, damaged in _log_damage_cases(log_blob, header, key).items():
        path.write_bytes(blob)
        store.log_path.write_bytes(damaged)
        assert run(root, check, "--cache-dir", str(folder)) == expected_check, name
        again = cache_files.read_log(store.log_path, header, key)
        assert again is not None and again[1], f"{name}: the log was not made whole again"
        assert run(root, check, "--cache-dir", str(folder)) == expected_check, name
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()


def test_unwritable_cache_folder_changes_nothing(tmp_path):
    root = demo_root(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    expected = run(root, ["validate", "--format", "json"], "--no-cache")
    assert run(root, ["validate", "--format", "json"], "--cache-dir", str(blocker / "sub")) == expected


def test_no_cache_writes_nothing_and_environment_settings(tmp_path, monkeypatch):
    root = demo_root(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    run(root, ["validate"], "--no-cache")
    assert not (tmp_path / "xdg").exists()
    monkeypatch.setenv("INCIDENTS_NO_CACHE", "1")
    run(root, ["validate"])
    assert not (tmp_path / "xdg").exists()
    monkeypatch.delenv("INCIDENTS_NO_CACHE")
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "elsewhere"))
    run(root, ["validate"])
    assert not (tmp_path / "xdg").exists()
    assert list((tmp_path / "elsewhere").glob("records-*.bin"))
    monkeypatch.delenv("INCIDENTS_CACHE_DIR")
    run(root, ["validate"])
    assert list((tmp_path / "xdg" / "incident-as-code").glob("*/records-*.bin"))


# ---- concurrent runs --------------------------------------------------------------------------------

WORKER = """
import sys
from pathlib import Path
from incidents.reading.cache import CacheSettings
from incidents.reading.validate import validate_root
root, folder, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for n in range(rounds):
    report = validate_root(root, cache=CacheSettings(True, folder))
    print(len(report.findings), len(report.repository.incidents), flush=True)
"""


def test_concurrent_runs_never_corrupt_the_cache(tmp_path):
    roots = []
    for k in range(2):  # two roots sharing one cache folder, and four processes per root
        root = golden_root("valid_all_types", tmp_path / f"r{k}")
        for i in range(30):
            (root / "incidents" / f"bad{i}.md").write_text(f"---\nid: B-{i}\ntitle: [\n---\n")
        roots.append(root)
    folder = tmp_path / "shared-cache"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent / "generator"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(root), str(folder), "6"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for root in roots
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _o, e in outs]
    lines = {line for out, _err in outs for line in out.splitlines()}
    assert len(lines) == 1, lines  # every run of both roots saw the same result
    for root in roots:
        store = RecordCache.open(root, CacheSettings(True, folder))
        assert len(store.old) == 33  # a complete pack for each root
        assert repr(validate_root(root, cache=CacheSettings(True, folder))) == repr(validate_root(root))
    assert not list(folder.glob(".tmp-*"))
