"""The cache of read records: same bytes out with and without it, never trusted blindly, safe under concurrency."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import test_properties as props
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_golden import CASES, golden_root

import generator.reading as reading
from generator import cache as cache_mod
from generator.cache import CacheSettings, RecordCache, load_pack
from generator.cli import cli
from generator.codec import CODECS, UNSUPPORTED_FIELDS
from generator.validate import validate_root

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
@given(st.one_of(
    props.FRONT_MATTERS.map(props.record_text),
    props.mutated(st.just(props.VALID)),
    st.sampled_from([props.VALID, props._PM, props._MAINT]).flatmap(
        lambda text: props.perturbed(props.yaml.safe_load(text.split("---\n")[1])).map(
            lambda data: "---\n" + props.dump(data) + "---\n" + text.split("---\n", 2)[2])),
))
def test_property_inputs_same_result_cold_warm_and_without_cache(text):
    root = Path(tempfile.mkdtemp(prefix="incidents-cache-prop-"))
    try:
        shutil.copytree(props.BASE_POLICY, root / "policy")
        (root / "incidents" / "x").mkdir(parents=True)
        (root / props.REL).write_bytes(text.encode("utf-8", "surrogatepass"))
        (root / "incidents" / "ok.md").write_text(props.VALID)
        reports_three_ways(root, root / "cache")
        cold = run(root, ["validate", "--format", "json"], "--cache-dir", str(root / "c2"))
        warm = run(root, ["validate", "--format", "json"], "--cache-dir", str(root / "c2"))
        assert cold == warm == run(root, ["validate", "--format", "json"], "--no-cache")
    finally:
        shutil.rmtree(root, ignore_errors=True)


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


# ---- never trusted blindly --------------------------------------------------------------------------

def pack_path(root: Path, folder: Path) -> Path:
    store = RecordCache.open(root, CacheSettings(True, folder))
    return store.path


def _damage_cases(blob: bytes, header: dict, entries: dict) -> dict[str, bytes]:
    payload_at = blob.index(b"}", len(cache_mod.MAGIC) + 4) + 1 + 32
    flipped = bytearray(blob)
    flipped[payload_at + len(blob[payload_at:]) // 2] ^= 0xFF
    foreign = dict(header, tool="incidents 0.0.1 of another build")
    older = dict(header, format=0)
    wrong_shape = marshal.dumps([1, 2, 3])
    bad_entries = marshal.dumps({rel: (b"x" * 32, ("not", "an", "entry")) for rel in entries}
                                | {rel: (digest, ((1, 2),) + enc[1:]) for rel, (digest, enc) in list(entries.items())[:1]})
    # A code object is plain data to marshal: it must be ignored, and never run.
    code = compile("open('PWNED', 'w').write('ran')", "x", "exec")
    with_code = marshal.dumps({rel: (digest, code) for rel, (digest, _enc) in entries.items()})
    return {
        "empty": b"",
        "garbage": os.urandom(300),
        "truncated": blob[: len(blob) // 2],
        "truncated header": blob[: len(cache_mod.MAGIC) + 6],
        "flipped byte": bytes(flipped),
        "foreign tool": cache_mod._pack(dict(foreign, payload=len(blob) - payload_at), blob[payload_at:]),
        "older format": cache_mod._pack(dict(older, payload=len(blob) - payload_at), blob[payload_at:]),
        "wrong shape": cache_mod._pack(dict(header, payload=len(wrong_shape)), wrong_shape),
        "bad entries": cache_mod._pack(dict(header, payload=len(bad_entries)), bad_entries),
        "code objects": cache_mod._pack(dict(header, payload=len(with_code)), with_code),
        "json instead": json.dumps({"entries": []}).encode(),
    }


def test_damaged_or_foreign_packs_are_ignored_and_rewritten(tmp_path, monkeypatch):
    root = golden_root("valid_all_types", tmp_path)
    (root / "incidents" / "bad.md").write_text("---\nid: [\n---\n")  # findings too, not only records
    folder = tmp_path / "c"
    expected = run(root, ["validate", "--format", "json"], "--no-cache")
    expected_check = run(root, ["check", "--as-of", AS_OF, "--format", "json"], "--no-cache")
    run(root, ["validate"], "--cache-dir", str(folder))
    path = pack_path(root, folder)
    blob = path.read_bytes()
    header = RecordCache.open(root, CacheSettings(True, folder)).header
    entries = load_pack(path, header)
    assert "incidents/bad.md" in entries and len(entries) >= 3
    monkeypatch.chdir(tmp_path)
    for name, damaged in _damage_cases(blob, header, entries).items():
        path.write_bytes(damaged)
        assert run(root, ["validate", "--format", "json"], "--cache-dir", str(folder)) == expected, name
        assert load_pack(path, header).keys() == entries.keys(), f"{name}: not rewritten"
        path.write_bytes(damaged)
        assert run(root, ["check", "--as-of", AS_OF, "--format", "json"], "--cache-dir", str(folder)) \
            == expected_check, name
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()


def test_unwritable_cache_folder_changes_nothing(tmp_path):
    root = demo_root(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    expected = run(root, ["validate", "--format", "json"], "--no-cache")
    assert run(root, ["validate", "--format", "json"], "--cache-dir", str(blocker / "sub")) == expected


def test_no_cache_writes_nothing_and_environment_settings(tmp_path, monkeypatch):
    root = demo_root(tmp_path)
    run(root, ["validate"], "--no-cache")
    assert not (root / cache_mod.DEFAULT_DIR).exists()
    monkeypatch.setenv("INCIDENTS_NO_CACHE", "1")
    run(root, ["validate"])
    assert not (root / cache_mod.DEFAULT_DIR).exists()
    monkeypatch.delenv("INCIDENTS_NO_CACHE")
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "elsewhere"))
    run(root, ["validate"])
    assert not (root / cache_mod.DEFAULT_DIR).exists()
    assert list((tmp_path / "elsewhere").glob("records-*.bin"))
    monkeypatch.delenv("INCIDENTS_CACHE_DIR")
    run(root, ["validate"])
    assert list((root / cache_mod.DEFAULT_DIR).glob("records-*.bin"))


def test_default_cache_folder_is_ignored_by_git(tmp_path):
    root = demo_root(tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    run(root, ["validate"])
    folder = root / cache_mod.DEFAULT_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert cache_mod.DEFAULT_DIR not in status
    assert "incidents/" in status  # git does see the records


# ---- concurrent runs --------------------------------------------------------------------------------

WORKER = """
import sys
from pathlib import Path
from generator.cache import CacheSettings
from generator.validate import validate_root
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
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(root), str(folder), "6"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for root in roots for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _o, e in outs]
    lines = {line for out, _err in outs for line in out.splitlines()}
    assert len(lines) == 1, lines  # every run of both roots saw the same result
    for root in roots:
        store = RecordCache.open(root, CacheSettings(True, folder))
        assert len(store.old) == 33  # a complete pack for each root
        assert repr(validate_root(root, cache=CacheSettings(True, folder))) == repr(validate_root(root))
    assert not list(folder.glob(".tmp-*"))
