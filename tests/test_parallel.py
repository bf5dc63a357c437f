"""--jobs: files read and checked in worker processes give the same output, in path order, as one process."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import incidents.reading.batch as batch
import incidents.reading.reader as reading
from incidents.cli import cli
from incidents.reading.cache import CacheSettings
from incidents.reading.validate import validate_root
from test_golden import golden_root

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_corpus", HERE.parent / "benchmarks" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

N = batch.PARALLEL_MIN_FILES + 60  # just above the threshold: worker processes are used


@pytest.fixture(scope="module")
def mixed_root(tmp_path_factory) -> Path:
    """A generated root above the threshold, with errors and warnings planted in files all over it."""
    root = tmp_path_factory.mktemp("parallel") / "root"
    corpus.generate(root, N, seed=3, postmortem_every=4, maintenance=3)
    files = sorted((root / "incidents").rglob("*.md"))
    for k, path in enumerate(files[::37]):
        text = path.read_text(encoding="utf-8")
        if k % 3 == 0:
            path.write_text(text.replace("\n", "\nmystery_key: 1\n", 1), encoding="utf-8")  # a warning
        elif k % 3 == 1:
            path.write_text(text.replace("status: ", "status: unknown_", 1), encoding="utf-8")  # an error
        else:
            path.write_bytes(b"\xff\xfe not utf-8\n")  # unreadable text
    shutil.copy(files[5], files[5].with_name("copy-of-" + files[5].name))  # a duplicate id: across files
    return root


def cli_run(root: Path, *args: str) -> tuple[int, bytes]:
    result = CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes


def test_workers_give_the_same_bytes_as_one_process(mixed_root, monkeypatch):
    calls = []
    original = batch._read_in_workers

    def spy(*args, **kwargs):
        calls.append(len(args[2]))
        return original(*args, **kwargs)

    monkeypatch.setattr(batch, "_read_in_workers", spy)
    for args in (["validate", "--format", "json"], ["check", "--as-of", "2026-12-01T00:00:00Z"]):
        calls.clear()
        one = cli_run(mixed_root, *args, "--jobs", "1", "--no-cache")
        assert not calls
        two = cli_run(mixed_root, *args, "--jobs", "2", "--no-cache")
        assert calls and calls[-1] > batch.PARALLEL_MIN_FILES
        assert one == two
        assert one[0] == 1 and b"duplicate-id" in one[1] and b"unknown-field" in one[1]


def test_workers_give_the_same_records(mixed_root):
    one = validate_root(mixed_root, jobs=1)
    many = validate_root(mixed_root, jobs=3)
    assert repr(one) == repr(many)
    assert len(one.repository.incidents) > N // 2


def test_workers_fill_the_cache_that_a_later_run_reads(mixed_root, tmp_path, monkeypatch):
    settings = CacheSettings(True, tmp_path / "c")
    expected = repr(validate_root(mixed_root))
    assert repr(validate_root(mixed_root, cache=settings, jobs=2)) == expected

    def explode(*_a, **_k):
        raise AssertionError("read again")

    monkeypatch.setattr(reading, "read_record", explode)
    assert repr(validate_root(mixed_root, cache=settings, jobs=2)) == expected


def test_small_roots_stay_in_one_process(tmp_path, monkeypatch):
    root = golden_root("valid_all_types", tmp_path)
    monkeypatch.setattr(batch, "_read_in_workers", lambda *a, **k: pytest.fail("started workers"))
    assert validate_root(root, jobs=8).ok


def test_jobs_flag_is_checked():
    result = CliRunner().invoke(cli, ["validate", "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def test_default_jobs_is_every_core():
    assert reading.default_jobs() >= 1
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(len(os.sched_getaffinity(0)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert reading.default_jobs() == int(out)
