"""Where worker processes start to pay: validate_root with --jobs 1 against --jobs N on small roots.

For each size (files to read), in one Python process, interleaved: A =
`validate_root(root, jobs=1)`, B = `validate_root(root, jobs=N)` with the
threshold (reading.PARALLEL_MIN_FILES) set to 0 so that B always starts its
workers (their start-up, the transfer of the files' bytes and of the results
included). No cache. The crossover is the smallest size where B's median is
below A's; reading.PARALLEL_MIN_FILES is set above it, where B clearly wins.

Usage: python benchmarks/bench_parallel.py [--sizes 50,100,200,400,800,1600] [--runs 7] [--jobs 2]
                                           [--json benchmarks/results/parallel.json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import incidents.reading.batch as reading  # noqa: E402
from corpus import cached  # noqa: E402
from incidents.reading.validate import validate_root  # noqa: E402
from timing import save_json  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,100,200,400,800,1600")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=HERE / "results" / "parallel.json")
    args = ap.parse_args(argv)
    reading.PARALLEL_MIN_FILES = 0
    rows = []
    print(f"| incidents | files | jobs 1 median s | jobs {args.jobs} median s | ratio |\n|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        root = cached(HERE / "corpus" / f"c-{n}", n, seed=0)
        files = sum(1 for _ in (root / "incidents").rglob("*.md"))
        validate_root(root, jobs=1)  # warm-up
        one, many = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            validate_root(root, jobs=1)
            one.append(time.perf_counter() - t)
            t = time.perf_counter()
            validate_root(root, jobs=args.jobs)
            many.append(time.perf_counter() - t)
        a, b = statistics.median(one), statistics.median(many)
        rows.append({"incidents": n, "files": files, "jobs1": one, f"jobs{args.jobs}": many, "ratio": b / a})
        print(f"| {n} | {files} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)
    save_json(
        args.json,
        {
            "benchmark": "parallel",
            "jobs": args.jobs,
            "threshold_in_code": 400,
            "note": "2 shared cores, loaded by other jobs: compare ratios",
            "sizes": rows,
        },
    )
    print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
