"""The cache is never part of the repository and never trusted from it.

A pull request can commit any file; every part of the old cache key (tool
version, Python, code hash, policy hash, the CI path) can be computed by its
author. These tests forge "no findings" entries with the cache's own code and
plant them where a checkout could carry them, and check that `validate`,
`check`, `metrics` and a site build still see every error, and that no
reading command writes inside the root or through a planted link.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import incidents.reading.reader as reading
from incidents.cli import cli
from incidents.reading import cache as cache_mod
from incidents.reading import cache_files, cache_folder
from incidents.reading.cache import CacheSettings, RecordCache
from incidents.reading.validate import validate_root
from test_golden import golden_root

AS_OF = "2026-12-01T00:00:00Z"
ATTACKER_KEY = b"a key the pull request's author chose".ljust(32, b"!")[:32]
# The record of the issue: `visibilty` (a typo: the incident would be public) and a severity the policy lacks.
MALICIOUS = """\
---
id: INC-2026-0666
title: Payroll export leak
severity: SEV-9
status: resolved
services: [api]
impact: degraded_performance
started_at: 2026-02-11T14:00:00Z
detected_at: 2026-02-11T14:05:00Z
acknowledged_at: 2026-02-11T14:10:00Z
resolved_at: 2026-02-11T15:00:00Z
visibilty: internal
roles:
  commander: alice
updates:
  - at: 2026-02-11T14:10:00Z
    status: resolved
    message: Done.
---
Only the security team may read this.
"""
BAD = "incidents/2026/INC-2026-0666.md"


def git(*args: str, cwd: Path) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def codes(root: Path, *extra: str) -> tuple[set[str], set[str]]:
    """The codes of `validate` and `check` on `root` (JSON)."""
    found = []
    for args in (["validate", "--format", "json"], ["check", "--as-of", AS_OF, "--format", "json"]):
        status, out, _err = run(root, *args, *extra)
        assert status == 1, (args, out)
        found.append({f["code"] for f in json.loads(out)["findings"] if f["path"] == BAD})
    return found[0], found[1]


def forge(root_bytes: Path, root_at: Path, folder: Path, key: bytes = ATTACKER_KEY) -> None:
    """A "no findings, no record" entry for every record file of `root_bytes`, as the cache of a checkout at
    `root_at` would hold it, written with the cache's own code under `key` (with that key beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    header = dict(cache_mod.header_for(root_bytes), root=os.path.realpath(root_at), key=cache_mod.key_id(key))
    entries = {}
    for path in sorted((root_bytes / "incidents").rglob("*.md")):
        rel = path.relative_to(root_bytes).as_posix()
        entries[rel] = (cache_files.digest(path.read_bytes()), None, (), None, None, None)
    payload = marshal.dumps((entries, 0, None))
    (folder / cache_mod.index_name(root_at)).write_bytes(cache_files.pack(header, payload, key))
    key_file = folder / cache_folder.KEY_NAME
    key_file.write_bytes(key)
    key_file.chmod(0o600)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = golden_root("valid_all_types", tmp_path / "work")
    (root / BAD).write_text(MALICIOUS)
    git("init", "-q", cwd=root)
    return root


def test_a_forged_cache_committed_to_the_repository_is_never_trusted(repo, tmp_path):
    clone = tmp_path / "ci" / "R"
    expected = codes(repo, "--no-cache")
    assert expected[0] == expected[1] == {"misspelled-visibility", "unknown-severity"}
    forge(repo, clone, repo / ".incidents-cache")
    git("add", "-A", cwd=repo)
    git("add", "-f", ".incidents-cache", cwd=repo)
    git("commit", "-qm", "a harmless change", cwd=repo)
    assert ".incidents-cache/key" in git("ls-files", cwd=repo)
    git("clone", "-q", str(repo), str(clone), cwd=tmp_path)

    # The forgery is sound: with its key in a cache folder of its own (outside the root) it hides both errors.
    control = tmp_path / "control"
    shutil.copytree(clone / ".incidents-cache", control)
    control.chmod(0o700)
    (control / cache_folder.KEY_NAME).chmod(0o600)  # git checks files out 0644: a key it wrote is never used
    assert run(clone, "validate", "--format", "json", "--cache-dir", str(control))[0] == 0
    # In the checkout it is ignored: the default cache is the user's, and a folder inside the root is refused.
    assert codes(clone) == expected
    assert codes(clone) == expected  # warm
    status, _out, err = run(clone, "validate", "--cache-dir", str(clone / ".incidents-cache"))
    assert status == 2 and "inside the root" in err


def test_a_forged_entry_in_the_user_cache_folder_without_its_key_is_ignored(repo):
    expected = codes(repo, "--no-cache")
    assert codes(repo) == expected  # creates the user cache folder and its key
    folder = cache_folder.default_folder(repo)
    key_file = folder / cache_folder.KEY_NAME
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    real_key = key_file.read_bytes()
    forge(repo, repo, tmp := folder.parent / "forged")  # an attacker's index, written under another key
    shutil.copy(tmp / cache_mod.index_name(repo), folder / cache_mod.index_name(repo))
    key_file.write_bytes(real_key)  # the user's key stays: the attacker never had it
    assert codes(repo) == expected


def test_the_default_cache_folder_is_the_users_and_keyed_by_the_roots_real_path(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    link = tmp_path / "link-to-root"
    link.symlink_to(repo)
    folder = cache_folder.default_folder(repo)
    assert folder == cache_folder.default_folder(link)
    assert folder.parent == tmp_path / "xdg" / "incident-as-code"
    run(repo, "validate")
    assert list(folder.glob("records-*.bin")) and (folder / "CACHEDIR.TAG").exists()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/used")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder.default_folder(repo).parent == tmp_path / "home" / ".cache" / "incident-as-code"


@pytest.mark.parametrize("where", ["option", "environment", "through a link"])
def test_a_cache_folder_inside_the_root_is_refused(repo, tmp_path, monkeypatch, where):
    inside = repo / "incidents" / "cache"
    extra: tuple[str, ...] = ()
    if where == "option":
        extra = ("--cache-dir", str(inside))
    elif where == "environment":
        monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(inside))
    else:
        (tmp_path / "elsewhere").symlink_to(repo / "incidents")
        extra = ("--cache-dir", str(tmp_path / "elsewhere" / "cache"))
    for args in (["validate"], ["check", "--as-of", AS_OF], ["metrics", "--as-of", AS_OF]):
        status, _out, err = run(repo, *args, *extra)
        assert status == 2 and "inside the root" in err and "Traceback" not in err, (args, err)
    assert not inside.exists()


def untracked(root: Path) -> list[str]:
    return sorted(git("status", "--ignored", "--porcelain", "--untracked-files=all", cwd=root).splitlines())


def test_reading_commands_write_nothing_inside_the_root(repo, tmp_path, monkeypatch):
    (repo / BAD).unlink()
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "records", cwd=repo)
    before = untracked(repo)
    assert before == []
    commands = (["validate"], ["check", "--as-of", AS_OF], ["metrics", "--as-of", AS_OF], ["export", "--format", "csv"])
    for args in commands:
        for _ in range(2):  # cold, then warm
            assert run(repo, *args)[0] in (0, 1), args
            assert untracked(repo) == before, args
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(repo))  # a home folder that is the root: no cache at all
    assert run(repo, "validate")[0] == 0
    assert untracked(repo) == before


@pytest.mark.parametrize("target", ["folder", "index", "log", "key"])
def test_a_planted_link_is_never_followed(repo, tmp_path, target):
    """A `.incidents-cache` link committed to the repository is not even looked at; links in the cache folder
    (in place of the folder, the index, the log or the key) are never read or written through."""
    (repo / BAD).unlink()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("keep me\n")
    (repo / ".incidents-cache").symlink_to(victim, target_is_directory=True)
    folder = tmp_path / "cache"
    expected = run(repo, "check", "--as-of", AS_OF, "--format", "json", "--no-cache")
    if target == "folder":
        folder.symlink_to(victim, target_is_directory=True)
    else:
        run(repo, "check", "--as-of", AS_OF, "--cache-dir", str(folder))
        store = RecordCache.open(repo, CacheSettings(True, folder))
        path = {"index": store.path, "log": store.log_path, "key": folder / cache_folder.KEY_NAME}[target]
        path.unlink()
        path.symlink_to(victim / "precious")
        (repo / "incidents" / "2026" / "INC-2026-0001.md").write_text(
            (repo / "incidents" / "2026" / "INC-2026-0001.md").read_text() + "\nA change.\n"
        )
        expected = run(repo, "check", "--as-of", AS_OF, "--format", "json", "--no-cache")
    for _ in range(2):
        assert run(repo, "check", "--as-of", AS_OF, "--format", "json", "--cache-dir", str(folder)) == expected
        assert run(repo, "check", "--as-of", AS_OF, "--format", "json") == expected
    assert sorted(p.name for p in victim.iterdir()) == ["precious"]
    assert (victim / "precious").read_text() == "keep me\n"


class Counter:
    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        original = reading.read_record
        monkeypatch.setattr(reading, "read_record", lambda data, rel: self.paths.append(rel) or original(data, rel))


@pytest.mark.parametrize("damage", ["readable by others", "foreign key", "wrong length", "owned as a link"])
def test_a_key_unfit_to_trust_means_every_entry_is_read_again(repo, tmp_path, monkeypatch, damage):
    (repo / BAD).unlink()
    folder = tmp_path / "cache"
    settings = CacheSettings(True, folder)
    counter = Counter(monkeypatch)
    expected = repr(validate_root(repo))
    files = list(counter.paths)
    counter.paths.clear()
    validate_root(repo, cache=settings)
    validate_root(repo, cache=settings)
    assert counter.paths == files  # cold, then warm: nothing read again
    counter.paths.clear()
    key = folder / cache_folder.KEY_NAME
    if damage == "readable by others":
        key.chmod(0o644)
    elif damage == "foreign key":
        key.write_bytes(os.urandom(32))
    elif damage == "wrong length":
        key.write_bytes(key.read_bytes() + b"\n")
    else:
        (tmp_path / "elsewhere-key").write_bytes(key.read_bytes())
        (tmp_path / "elsewhere-key").chmod(0o600)
        key.unlink()
        key.symlink_to(tmp_path / "elsewhere-key")
    assert repr(validate_root(repo, cache=settings)) == expected
    assert counter.paths == files  # every entry read again, none trusted
    assert not key.is_symlink() and stat.S_IMODE(key.stat().st_mode) == 0o600  # a new key replaced it
    counter.paths.clear()
    assert repr(validate_root(repo, cache=settings)) == expected
    assert counter.paths == []  # and the cache works again under the new key


def test_a_cache_folder_others_may_write_is_not_used(repo, tmp_path, monkeypatch):
    (repo / BAD).unlink()
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    run(repo, "validate", "--cache-dir", str(folder))
    assert list(folder.iterdir()) == []


@pytest.mark.site
def test_a_site_build_writes_nothing_in_the_root_but_its_site_and_ignores_a_planted_cache(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent / "site_build"))
    try:
        import siteroot
    finally:
        sys.path.pop(0)
    records = dict(siteroot.STANDARD)
    root = siteroot.write_root(tmp_path / "site-root", records)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "records", cwd=root)
    assert siteroot.build(root).returncode == 0
    written = untracked(root)
    assert written and all(line.startswith("?? site/") for line in written), written
    shutil.rmtree(root / "site")
    # The forgery, for the plugin: a record that names an unknown severity, hidden by a planted cache.
    (root / BAD).parent.mkdir(parents=True, exist_ok=True)
    (root / BAD).write_text(MALICIOUS.replace("services: [api]", "services: [db]"))
    forge(root, root, root / ".incidents-cache")
    result = siteroot.build(root)
    assert result.returncode != 0 and "SEV-9" in result.output
    assert not (root / "site").exists()
    # A cache folder inside the root, asked for through the environment, stops the build with a clear message.
    (root / BAD).unlink()
    shutil.rmtree(root / ".incidents-cache")
    os.environ["INCIDENTS_CACHE_DIR"] = str(root / ".incidents-cache")
    try:
        refused = siteroot.build(root)
    finally:
        del os.environ["INCIDENTS_CACHE_DIR"]
    assert refused.returncode != 0 and "inside the root" in refused.output and "Traceback" not in refused.output
    assert not (root / ".incidents-cache").exists() and not (root / "site").exists()
