"""Time the statistics of `incidents metrics` at 100,000 incidents: this tree against a baseline revision.

The reading side (validate_root, which issue 14's cache speeds up) is done once
and not timed. What is timed, in one process, interleaved run by run (baseline,
current, baseline, current, ...): `incident_frame` (records -> DataFrame) plus
`compute` for the four groupings, with the baseline's generator/incidents/metrics/figures.py
loaded from git (`--baseline`, default: the last revision before the honest
figures) and the current one imported from this tree. Reports the median, min
and max of each and the ratio current / baseline.

Usage: python benchmarks/bench_metrics_compute.py [--size 100000] [--runs 5] [--seed S] [--baseline REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
from corpus import cached  # noqa: E402  (benchmarks/corpus.py)

BASELINE = "58ce18d"  # main before the honest figures (issue 12)
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
GROUPINGS = ("severity", "service", "month", "quarter")


def load_baseline(rev: str):
    """`generator/metrics.py` as it was at `rev` (before the package was named `incidents`): that revision's
    whole `generator` package is extracted into a temporary folder and imported from there."""
    where = Path(tempfile.mkdtemp(prefix="baseline-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "generator"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    sys.path.insert(0, str(where))
    return importlib.import_module("generator.metrics")


def run_once(module, repo, current: bool) -> float:
    started = time.perf_counter()
    frame = module.incident_frame(repo.incidents, repo.policy)
    for by in GROUPINGS:
        if current:
            module.compute(frame, repo.policy, by=by, as_of=AS_OF)
        else:
            module.compute(frame, repo.policy, by=by)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args(argv)

    from incidents.metrics import figures as metrics
    from incidents.reading.validate import validate_root

    root = cached(HERE / "corpus" / f"metrics-{args.size}-s{args.seed}", args.size, args.seed)
    t0 = time.perf_counter()
    report = validate_root(root)
    print(
        f"read {len(report.repository.incidents):,} incidents in {time.perf_counter() - t0:.1f} s (not timed below)",
        file=sys.stderr,
    )
    baseline = load_baseline(args.baseline)
    run_once(metrics, report.repository, True)  # warm-up: scipy import, caches
    times = {"baseline": [], "current": []}
    for i in range(args.runs):
        times["baseline"].append(run_once(baseline, report.repository, False))
        times["current"].append(run_once(metrics, report.repository, True))
        print(
            f"  run {i + 1}/{args.runs}: baseline {times['baseline'][-1]:.2f} s, current {times['current'][-1]:.2f} s",
            file=sys.stderr,
        )
    print(f"\nincident_frame + compute x4 groupings at {args.size:,} incidents, {args.runs} interleaved runs\n")
    print("| code | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        label = f"baseline ({args.baseline})" if name == "baseline" else "current (honest figures)"
        print(f"| {label} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    ratio = statistics.median(times["current"]) / statistics.median(times["baseline"])
    print(f"\ncurrent / baseline: x{ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
