"""The cache and --jobs at 1k, 10k and 100k incidents: validate and metrics, cold and warm, with peak memory.

For each size N (a corpus from corpus.py: N incidents + a postmortem for every
5th resolved one + 4 maintenance windows), whole processes, interleaved round
by round so every series sees the same machine load:

  floor            python benchmarks/baseline_load.py ROOT  (one process, bare libyaml: the least any
                   validator must do)
  validate 1 proc  incidents validate --jobs 1 --no-cache   (how validate ran before the cache)
  validate cold    incidents validate                       (empty cache, every core)
  validate warm    incidents validate                       (after a run, nothing changed)
  validate warm 1% incidents validate                       (after a run, 1% of the files changed)
  metrics cold     incidents metrics --format json          (empty cache, every core)
  metrics warm 1%  incidents metrics --format json          (after a run, 1% of the files changed)
  metrics warm     incidents metrics --format json          (right after that run: nothing changed since)

"1% changed" appends a line to the body of every 100th file (a different
line each round, so the change is real each time). Peak memory is the
ru_maxrss of the command's own process (os.wait4); worker processes hold
only their chunk and are not included. Prints medians, min-max, the ratios
against the floor and against the one-process run, and saves JSON.

Usage: python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--runs 3] [--runs-100k 2]
                                        [--json benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import cached, incidents_script  # noqa: E402
from timing import save_json  # noqa: E402

SERIES = (
    "floor",
    "validate 1 proc",
    "validate cold",
    "validate warm",
    "validate warm 1%",
    "metrics cold",
    "metrics warm 1%",
    "metrics warm",
)
AS_OF = "2026-11-01T00:00:00Z"


def timed(cmd: list[str], env: dict) -> tuple[float, int, int]:
    """(wall seconds, exit status, peak RSS in MB of the process itself)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0,):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return elapsed, proc.returncode, usage.ru_maxrss // 1024


ORIGINALS: dict[Path, bytes] = {}


def touch_one_percent(root: Path, round_no: int) -> int:
    """Append a line to every 100th file (restored by restore_corpus)."""
    files = sorted((root / "incidents").rglob("*.md"))
    changed = 0
    for path in files[round_no % 100 :: 100]:
        ORIGINALS.setdefault(path, path.read_bytes())
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"\nEdited in benchmark round {round_no}.\n")
        changed += 1
    return changed


def run_size(n: int, runs: int, script: str) -> dict:
    root = cached(HERE / "corpus" / f"c-{n}", n, seed=0)
    cache_dir = root.parent / f"{root.name}.bench-cache"  # a cache is never inside the root
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("INCIDENTS_NO_CACHE", None)
    validate = [script, "validate", "--root", str(root), "--cache-dir", str(cache_dir)]
    metrics = [
        script,
        "metrics",
        "--root",
        str(root),
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--cache-dir",
        str(cache_dir),
    ]
    floor = [sys.executable, str(HERE / "baseline_load.py"), str(root)]
    times: dict[str, list[float]] = {s: [] for s in SERIES}
    peaks: dict[str, int] = dict.fromkeys(SERIES, 0)

    def record(series: str, cmd: list[str]) -> None:
        seconds, _status, peak = timed(cmd, env)
        times[series].append(seconds)
        peaks[series] = max(peaks[series], peak)

    timed(validate, env)  # warm-up: page cache, .pyc files
    timed(floor, env)
    files = 0
    for r in range(runs):
        record("floor", floor)
        record("validate 1 proc", [script, "validate", "--root", str(root), "--jobs", "1", "--no-cache"])
        shutil.rmtree(cache_dir, ignore_errors=True)
        record("validate cold", validate)
        record("validate warm", validate)
        files = touch_one_percent(root, 2 * r)
        record("validate warm 1%", validate)
        shutil.rmtree(cache_dir, ignore_errors=True)
        record("metrics cold", metrics)
        touch_one_percent(root, 2 * r + 1)
        record("metrics warm 1%", metrics)
        record("metrics warm", metrics)
        print(f"  N={n} round {r + 1}: " + ", ".join(f"{s} {times[s][-1]:.2f}s" for s in SERIES), flush=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    for path, data in ORIGINALS.items():  # the corpus as generated, for the next session
        path.write_bytes(data)
    ORIGINALS.clear()
    med = {s: statistics.median(v) for s, v in times.items()}
    return {
        "incidents": n,
        "runs": runs,
        "files_changed_per_warm_1pct_run": files,
        "seconds": {s: {"median": med[s], "min": min(v), "max": max(v), "all": v} for s, v in times.items()},
        "peak_rss_mb": peaks,
        "ratios": {
            "validate cold / floor": med["validate cold"] / med["floor"],
            "validate 1 proc / floor": med["validate 1 proc"] / med["floor"],
            "validate cold / validate 1 proc": med["validate cold"] / med["validate 1 proc"],
            "validate warm / validate 1 proc": med["validate warm"] / med["validate 1 proc"],
            "metrics warm 1% / metrics cold": med["metrics warm 1%"] / med["metrics cold"],
            "metrics warm / metrics cold": med["metrics warm"] / med["metrics cold"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-100k", type=int, default=2, help="rounds for sizes of 100,000 and more")
    ap.add_argument("--json", type=Path, default=HERE / "results" / "scale.json")
    ap.add_argument(
        "--note",
        default="2 shared cores, loaded by other jobs: compare ratios",
        help="what the JSON says of the machine",
    )
    args = ap.parse_args(argv)
    script = incidents_script()
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        runs = args.runs_100k if n >= 100_000 else args.runs
        print(f"N={n}: {runs} interleaved rounds", flush=True)
        res = run_size(n, runs, script)
        results.append(res)
        print(f"\n| N={n} | median s | min s | max s | peak RSS MB |\n|---|---:|---:|---:|---:|")
        for s in SERIES:
            v = res["seconds"][s]
            print(f"| {s} | {v['median']:.2f} | {v['min']:.2f} | {v['max']:.2f} | {res['peak_rss_mb'][s]} |")
        for name, value in res["ratios"].items():
            print(f"{name}: {value:.2f}")
        print(flush=True)
    if len(results) > 1:
        print("growth (median seconds per 1,000 incidents):")
        for s in SERIES:
            per_k = [f"{r['incidents']}: {1000 * r['seconds'][s]['median'] / r['incidents']:.3f}" for r in results]
            print(f"  {s}: " + ", ".join(per_k))
    revision = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    save_json(args.json, {"benchmark": "scale", "note": args.note, "revision": revision, "sizes": results})
    print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
