"""Time `incidents validate` on a large corpus against a bare libyaml load of the same files.

Both sides are whole processes (a fresh Python each run, wall clock, start-up
included): A = the console script `incidents validate --root CORPUS`,
B = `python benchmarks/baseline_load.py CORPUS` (read every record, split the
front matter, `yaml.load(fm, Loader=yaml.CSafeLoader)`). Runs are interleaved
A B A B ... after one untimed warm-up of each, so that both see the same
machine load and page cache. Reports median, min and max of each and the
ratio of the medians (validate / baseline). Goal: ratio <= 2.0.

The corpus is written by benchmarks/corpus.py into benchmarks/corpus/
(gitignored) and reused while the generator, N and the seed are unchanged.

With --with-warnings every incident also carries an unknown key, so the
run measures a root with one finding per file (costs that grow with the
number of findings show up there).

Usage: python benchmarks/bench_validate.py [--files N] [--runs R] [--seed S] [--corpus DIR] [--json FILE]
                                           [--with-warnings]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import cached, incidents_script  # noqa: E402  (benchmarks/corpus.py)
from timing import compare, save_json  # noqa: E402  (benchmarks/timing.py)

GOAL = 2.0


WARN_KEY = "owner_team: sre\n"  # not a field of the format: one `unknown-field` warning per incident


def corpus_root(files: int, seed: int, where: Path | None, warnings: bool = False) -> Path:
    """A corpus of `files` incidents, generated once and reused while unchanged.

    With `warnings`, every incident also carries an unknown key, so validate
    reports one warning per incident file (a findings-heavy repository).
    """
    root = where or HERE / "corpus" / f"validate-{files}-s{seed}{'-warn' if warnings else ''}"
    return cached(
        root, files, seed, tag=WARN_KEY.encode() if warnings else b"", after=add_unknown_key if warnings else None
    )


def add_unknown_key(root: Path) -> None:
    for path in (root / "incidents").glob("20*/INC-*.md"):
        if path.name.endswith(".postmortem.md"):
            continue
        text = path.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        path.write_text(f"{first}\n{WARN_KEY}{rest}", encoding="utf-8")


def timed(cmd: list[str], expect: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or expect not in result.stdout:
        sys.exit(
            f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return elapsed


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="incident files in the corpus (default 10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5, at least 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=None, help="where to write / reuse the corpus")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument(
        "--with-warnings",
        action="store_true",
        help="give every incident an unknown key: one warning per file (a findings-heavy root)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.files < 1:
        parser.error("--runs and --files must be at least 1")

    root = corpus_root(args.files, args.seed, args.corpus, args.with_warnings)
    records = sum(1 for _ in (root / "incidents").rglob("*.md"))
    validate_cmd = [incidents_script(), "validate", "--root", str(root)]
    baseline_cmd = [sys.executable, str(HERE / "baseline_load.py"), str(root)]
    sides = {"validate": (validate_cmd, "0 errors"), "baseline": (baseline_cmd, "loaded ")}

    for name, (cmd, expect) in sides.items():  # warm-up: page cache, .pyc files
        timed(cmd, expect)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(args.runs):
        for name, (cmd, expect) in sides.items():
            times[name].append(timed(cmd, expect))
        print(
            f"  run {i + 1}/{args.runs}: validate {times['validate'][-1]:.2f} s, "
            f"baseline {times['baseline'][-1]:.2f} s",
            file=sys.stderr,
        )

    v, b = summary(times["validate"]), summary(times["baseline"])
    print(
        f"\n{records} record files ({args.files} incidents{', one warning each' if args.with_warnings else ''})"
        f" + 2 policy files, {args.runs} interleaved runs each\n"
    )
    ratio, paired = compare(
        "incidents validate",
        times["validate"],
        "baseline (CSafeLoader load)",
        times["baseline"],
        GOAL,
        "validate/baseline",
    )
    if args.json:
        save_json(
            args.json,
            {
                "files": args.files,
                "records": records,
                "runs": args.runs,
                "with_warnings": args.with_warnings,
                "validate": v,
                "baseline": b,
                "ratio": ratio,
                "paired_ratio": paired,
                "goal": GOAL,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
