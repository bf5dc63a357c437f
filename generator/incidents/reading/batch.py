"""Read and check many record files, in path order whatever the route.

* from the cache (`cache.RecordCache`): a file whose bytes, path, policy and
  tool are unchanged since a run that saved its result is not read again;
* in worker processes, when at least `PARALLEL_MIN_FILES` files need reading
  and `jobs` > 1: the files are cut into chunks in path order, and the results
  come back in that order, as plain data (`codec`), so the output never
  depends on the number of processes;
* in this process otherwise (`jobs=1`, or a small root where starting
  processes costs more than it saves).

The rules across files (`rules.repository`) always run, in `validate`.
"""

from __future__ import annotations

import os
from pathlib import Path

from incidents.policy.policy_file import Policy
from incidents.reading import reader
from incidents.reading.codec import Unsupported
from incidents.reading.reader import FileResult

# Below this many files to read, worker processes cost more than they save
# (start-up and the policy's transfer): measured in benchmarks/bench_parallel.py.
PARALLEL_MIN_FILES = 400
# Chunks per worker: enough to even out the load, few enough to keep the transfer cheap.
CHUNKS_PER_JOB = 4


def _stat(path: str):
    try:
        return os.stat(path)
    except OSError:
        return None


def read_files(
    root: Path,
    files: list[str],
    policy: Policy,
    usable: bool,
    *,
    cache=None,
    jobs: int = 1,
    keep_sources: bool = False,
    want: frozenset | None = None,
    stats: dict | None = None,
) -> list[FileResult]:
    """Every file's FileResult, in the order of `files` (path order).

    `want`: the record classes (by name) the caller uses; others may be left
    out (None: all). Callers filter for themselves too, so that what they get
    never depends on the cache. `stats`: the files' `os.stat_result` by path,
    as discovery saw them (the cache's stat shortcut; a file missing there is
    stat'ed here).
    """
    base = os.fspath(root) + os.sep
    use_cache = cache is not None and not keep_sources
    results: list[FileResult | None] = [None] * len(files)
    todo = _from_cache(base, files, results, policy, usable, cache if use_cache else None, keep_sources, want, stats)
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES and not keep_sources:
        done = _read_in_workers(root, files, todo, policy, usable, jobs, want)
    else:
        done = [(i, data, None) for i, data in todo]
    for i, data, answer in done:
        rel = files[i]
        if answer is None:  # read here (no workers, or a file a worker could not read or encode)
            error = None
            if data is None:
                data, error = reader.read_bytes(base + rel)
            result = reader.read_file(data, rel, policy, usable, error=error, keep_source=keep_sources)
            if use_cache and data is not None:
                cache.put(rel, data, result)
        else:
            found, encoded, sent = answer
            data = data if data is not None else sent
            result = reader.decode_result(encoded, rel, data, want)
            if use_cache:
                cache.put_encoded(rel, data, encoded, found)
        results[i] = result
    return results  # type: ignore[return-value]


def _from_cache(base, files, results, policy, usable, cache, keep_sources, want, stats) -> list:
    """Fill `results` with what the cache holds (and with unreadable files); the rest to read and check:
    (index, bytes, or None when not read yet)."""
    stats = {} if stats is None else stats
    todo: list[tuple[int, bytes | None]] = []
    for i, rel in enumerate(files):
        path = base + rel
        if cache is not None:
            hit = cache.by_stat(rel, stats.get(rel) or _stat(path), want)  # unchanged: not even opened
            if hit is not None:
                results[i] = hit
                continue
            if rel not in cache.old:  # nothing to compare with: read where it is checked
                todo.append((i, None))
                continue
        elif not keep_sources:
            todo.append((i, None))
            continue
        data, error = reader.read_bytes(path)
        if data is None:
            results[i] = reader.read_file(None, rel, policy, usable, error=error)
            continue
        hit = cache.get(rel, data, want) if cache is not None else None
        if hit is not None:
            results[i] = hit
            continue
        todo.append((i, data))
    return todo


# Set in the parent before the workers start (inherited by fork), or by _init_worker (spawn).
_WORKER: dict = {}


def _init_worker(spawned: tuple | None) -> None:
    if spawned is not None and "policy" not in _WORKER:
        from incidents.policy.policy_file import load_policy

        root, want = spawned
        loaded = load_policy(Path(root))
        _WORKER["policy"], _WORKER["usable"] = loaded.policy, loaded.usable
        _WORKER["base"], _WORKER["want"] = root + os.sep, want


def _work(chunk: list[tuple[str, bytes | None]]) -> list[tuple | None]:
    """(digest, encoded result, the bytes when the parent wants the record and has not read them) per file,
    or None for a file the parent must read itself (an error reading it, or a record the codec cannot carry)."""
    policy, usable, want = _WORKER["policy"], _WORKER["usable"], _WORKER["want"]
    out: list[tuple | None] = []
    for rel, data in chunk:
        sent = None
        if data is None:
            data, error = reader.read_bytes(_WORKER["base"] + rel)
            if data is None:
                out.append(None)
                continue
            sent = data
        result = reader.read_file(data, rel, policy, usable)
        try:
            encoded = reader.encode_result(result, data)
        except Unsupported:
            out.append(None)
            continue
        record = encoded[1]
        wanted = record is not None and (want is None or record[0] in want)
        out.append((reader.file_digest(data), encoded, sent if wanted else None))
    return out


def _read_in_workers(
    root: Path,
    files: list[str],
    todo: list[tuple[int, bytes | None]],
    policy: Policy,
    usable: bool,
    jobs: int,
    want: frozenset | None,
) -> list[tuple[int, bytes | None, tuple | None]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = min(jobs, max(1, len(todo) // max(1, PARALLEL_MIN_FILES // 2)))  # >= 200 files per worker
    n_chunks = jobs * CHUNKS_PER_JOB
    size = -(-len(todo) // n_chunks)
    chunks = [todo[k : k + size] for k in range(0, len(todo), size)]
    methods = multiprocessing.get_all_start_methods()
    context: multiprocessing.context.BaseContext
    init_arg: tuple | None
    if "fork" in methods:
        context, init_arg = multiprocessing.get_context("fork"), None
        _WORKER["policy"], _WORKER["usable"] = policy, usable
        _WORKER["base"], _WORKER["want"] = os.fspath(root) + os.sep, want
    else:  # pragma: no cover - macOS/Windows: each worker loads the policy itself
        context, init_arg = multiprocessing.get_context("spawn"), (os.fspath(root), want)
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(init_arg,)
        ) as pool:
            answers = list(pool.map(_work, [[(files[i], data) for i, data in chunk] for chunk in chunks]))
    finally:
        _WORKER.clear()
    out: list[tuple[int, bytes | None, tuple | None]] = []
    for chunk, answer in zip(chunks, answers):
        for (i, data), encoded in zip(chunk, answer):
            out.append((i, data, encoded))
    return out
