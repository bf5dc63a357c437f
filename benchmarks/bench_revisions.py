"""Two revisions of the tool on the same corpus: is a refactoring within noise?

Each revision is cloned into a temporary folder and run from there as a whole process
(`python -m incidents ...`, or `python -m generator ...` for a revision from before the package
was named `incidents`), on one corpus written by benchmarks/corpus.py. Runs are interleaved
A B A B ... after one untimed warm-up of each, so that both see the same machine load; the
report gives the median, min and max of each and the ratio of the medians (B / A), in CPU seconds
(user + system, the workers included), which a busy machine moves far less than wall time.

Commands timed: `validate --no-cache --jobs 1` (the reader and the rules, one process),
`validate --no-cache` (the worker pool) and `metrics --no-cache --format json` (pandas too).

Usage: python benchmarks/bench_revisions.py REV_A REV_B [--files N] [--runs R] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from corpus import cached  # noqa: E402  (benchmarks/corpus.py)
from timing import compare, save_json  # noqa: E402  (benchmarks/timing.py)

COMMANDS = {
    "validate --jobs 1": ["validate", "--no-cache", "--jobs", "1"],
    "validate": ["validate", "--no-cache"],
    "metrics": ["metrics", "--no-cache", "--format", "json"],
}


def checkout(rev: str, work: Path) -> tuple[list[str], dict[str, str]]:
    """The command prefix and environment that run revision `rev` from its own clone."""
    clone = work / rev
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
    if (clone / "generator" / "incidents").is_dir():
        return [sys.executable, "-m", "incidents"], dict(os.environ, PYTHONPATH=str(clone / "generator"))
    return [sys.executable, "-m", "generator"], dict(os.environ, PYTHONPATH=str(clone))


def timed(prefix: list[str], env: dict[str, str], sub: list[str], corpus: Path) -> float:
    """The CPU seconds (user + system) of one run and of the workers it started: on a machine where other
    work runs too, CPU time moves far less than wall time (a refactoring changes the work, not the wait)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([*prefix, *sub, "--root", str(corpus)], env=env, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_a")
    parser.add_argument("rev_b")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    corpus = cached(HERE / "corpus" / f"revisions-{args.files}", args.files)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        a_cmd, a_env = checkout(args.rev_a, Path(tmp))
        b_cmd, b_env = checkout(args.rev_b, Path(tmp))
        for name, sub in COMMANDS.items():
            print(f"\n## {name}")
            timed(a_cmd, a_env, sub, corpus), timed(b_cmd, b_env, sub, corpus)  # warm-up, untimed
            a: list[float] = []
            b: list[float] = []
            for _ in range(args.runs):
                a.append(timed(a_cmd, a_env, sub, corpus))
                b.append(timed(b_cmd, b_env, sub, corpus))
            ratio, paired = compare(f"B {args.rev_b}", b, f"A {args.rev_a}", a, 1.05, "B / A")
            results[name] = {"a": a, "b": b, "ratio": ratio, "paired": paired}
    if args.json:
        save_json(args.json, {"rev_a": args.rev_a, "rev_b": args.rev_b, "files": args.files, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
