"""Time `incidents metrics` as a whole process on 10k..100k generated incidents.

For each size N (default 10k, 25k, 50k, 100k) a corpus is written once by
benchmarks/corpus.py into benchmarks/corpus/metrics-N-sS/ (gitignored; reused
while the generator, N and the seed are unchanged). Each timed run is a fresh
process, `incidents metrics --root CORPUS --format json` (wall clock, start-up
included); the sizes are interleaved run by run (10k 25k 50k 100k, 10k 25k
...), after one untimed warm-up on the smallest, so every size sees the same
machine load. Reports the median, min and max per size, seconds per 1,000
incidents (flat = linear growth) and the goal (<= 3 s at 100k).

`incidents metrics` validates every file first (metrics on broken records
would lie), so a breakdown pass then times, in one process per size, what the
run is made of: validate_root (reading and checking the files),
incident_frame (records -> DataFrame) and compute() for the four groupings.

Usage: python benchmarks/bench_metrics.py [--sizes 10000,25000,50000,100000] [--runs 3] [--seed S]
                                          [--no-breakdown] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import cached, incidents_script  # noqa: E402  (benchmarks/corpus.py)

GOAL_SECONDS = 3.0
GOAL_SIZE = 100_000

BREAKDOWN = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from incidents.reading.validate import validate_root
from incidents.metrics import figures as metrics
t1 = time.perf_counter()
report = validate_root(Path(sys.argv[1]))
t2 = time.perf_counter()
repo = report.repository
frame = metrics.incident_frame(repo.incidents, repo.policy)
t3 = time.perf_counter()
for by in metrics.GROUPINGS:
    metrics.compute(frame, repo.policy, by=by)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "validate": t2 - t1, "frame": t3 - t2, "compute_4_groupings": t4 - t3,
                  "incidents": len(repo.incidents), "errors": report.errors}))
"""


def corpus_root(n: int, seed: int) -> Path:
    """A corpus of `n` incidents, generated once and reused while unchanged."""
    return cached(HERE / "corpus" / f"metrics-{n}-s{seed}", n, seed)


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or '"groups"' not in result.stdout:
        sys.exit(
            f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,25000,50000,100000",
        help="comma-separated corpus sizes (default 10000,25000,50000,100000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown pass")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        parser.error("sizes and --runs must be at least 1")

    roots = {n: corpus_root(n, args.seed) for n in sizes}
    script = incidents_script()
    cmds = {n: [script, "metrics", "--root", str(roots[n]), "--format", "json"] for n in sizes}
    timed(cmds[sizes[0]])  # warm-up: .pyc files, imports
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for i in range(args.runs):
        for n in sizes:
            times[n].append(timed(cmds[n]))
        print(f"  run {i + 1}/{args.runs}: " + ", ".join(f"{n}: {times[n][-1]:.2f} s" for n in sizes), file=sys.stderr)

    breakdown: dict[int, dict] = {}
    if not args.no_breakdown:
        for n in sizes:
            out = subprocess.run(
                [sys.executable, "-c", BREAKDOWN, str(roots[n])],
                capture_output=True,
                text=True,
                check=True,
                cwd=HERE.parent,
            ).stdout
            breakdown[n] = json.loads(out)

    print(f"\n`incidents metrics --format json`, whole process, {args.runs} interleaved runs per size\n")
    print("| incidents | median s | min s | max s | s per 1k (median) |")
    print("|---:|---:|---:|---:|---:|")
    medians = {}
    for n in sizes:
        med = statistics.median(times[n])
        medians[n] = med
        print(f"| {n:,} | {med:.2f} | {min(times[n]):.2f} | {max(times[n]):.2f} | {med / n * 1000:.3f} |")
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(
            f"\ngrowth {lo:,} -> {hi:,}: x{medians[hi] / medians[lo]:.2f} for x{hi / lo:.1f} incidents "
            f"(linear would be x{hi / lo:.1f})"
        )
    if GOAL_SIZE in medians:
        ok = medians[GOAL_SIZE] <= GOAL_SECONDS
        print(
            f"goal <= {GOAL_SECONDS:.0f} s at {GOAL_SIZE:,}: {'met' if ok else 'NOT met'} ({medians[GOAL_SIZE]:.2f} s)"
        )
    if breakdown:
        print("\nWhat one run is made of (one in-process pass per size, seconds):\n")
        print("| incidents | imports | validate_root | incident_frame | compute x4 groupings | validate share |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n, b in breakdown.items():
            total = b["imports"] + b["validate"] + b["frame"] + b["compute_4_groupings"]
            print(
                f"| {n:,} | {b['imports']:.2f} | {b['validate']:.2f} | {b['frame']:.2f} | "
                f"{b['compute_4_groupings']:.2f} | {b['validate'] / total:.0%} |"
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}",
                    "runs": args.runs,
                    "times": {str(n): times[n] for n in sizes},
                    "medians": {str(n): medians[n] for n in sizes},
                    "breakdown": {str(n): b for n, b in breakdown.items()},
                    "goal_seconds": GOAL_SECONDS,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
