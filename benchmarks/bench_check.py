"""Time `incidents check` against `incidents validate` on the same 10,000 generated incidents.

Both sides are whole processes (a fresh Python each run, wall clock, start-up
included): A = `incidents check --root CORPUS --as-of 2026-11-23T12:00:00Z`
(a fixed instant, so every run does the same work; on the generated corpus
the gates fire thousands of times, so the report printing is timed too),
B = `incidents validate --root CORPUS`. Runs are interleaved A B A B ...
after one untimed warm-up of each. Reports median, min and max of each side
and the ratio of the medians (check / validate). Goal: <= 1.2.

The corpus is benchmarks/corpus/metrics-N-sS/ (written once by
benchmarks/corpus.py, shared with bench_metrics.py).

Usage: python benchmarks/bench_check.py [--files N] [--runs R] [--seed S] [--as-of TS] [--json FILE]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL = 1.2

sys.path.insert(0, str(HERE))
from bench_metrics import corpus_root, incidents_script  # noqa: E402
from timing import compare, save_json  # noqa: E402  (benchmarks/timing.py)

sys.path.pop(0)


def timed(cmd: list[str], codes: tuple[int, ...]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in codes:
        sys.exit(
            f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    lines = result.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="incidents in the corpus (default 10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--as-of", default="2026-11-23T12:00:00Z")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.files < 1:
        parser.error("--runs and --files must be at least 1")

    root = corpus_root(args.files, args.seed)
    script = incidents_script()
    sides = {
        "check": ([script, "check", "--root", str(root), "--as-of", args.as_of], (0, 1)),
        "validate": ([script, "validate", "--root", str(root)], (0,)),
    }
    summaries = {}
    for name, (cmd, codes) in sides.items():  # warm-up
        summaries[name] = timed(cmd, codes)[1]
    times: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(args.runs):
        for name, (cmd, codes) in sides.items():
            times[name].append(timed(cmd, codes)[0])
        print(
            f"  run {i + 1}/{args.runs}: check {times['check'][-1]:.2f} s, validate {times['validate'][-1]:.2f} s",
            file=sys.stderr,
        )

    c, v = times["check"], times["validate"]
    print(f"\n{args.files:,} incidents, {args.runs} interleaved runs each; as-of {args.as_of}")
    print(f"check says: {summaries['check']}\nvalidate says: {summaries['validate']}\n")
    ratio, paired = compare("incidents check", c, "incidents validate", v, GOAL, "check/validate")
    if args.json:
        save_json(
            args.json,
            {
                "files": args.files,
                "runs": args.runs,
                "as_of": args.as_of,
                "check": c,
                "validate": v,
                "ratio": ratio,
                "paired_ratio": paired,
                "goal": GOAL,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
