"""Where a warm `incidents metrics` spends its time: the phases of one run, in this process.

Runs the steps of `metrics` one after the other against a root whose cache
is already warm (run `incidents validate --root ROOT --cache-dir DIR` once
first), with the cyclic collector off as the command has it, and prints the
seconds of each phase, median of `--runs` repetitions (each a fresh process,
so the imports count):

  imports   Python's start is not included; generator, click, then pandas,
            numpy and scipy.special (what `metrics` imports)
  scan      discovery of incidents/ with each file's stat (os.scandir)
  open      the cache's index: read, checked and unmarshalled
  hits      each file's entry against its stat (read_files)
  across    the rules across files (or their kept result)
  frame     the metrics table from the kept rows
  compute   the statistics of `--by severity`

Usage: python benchmarks/profile_warm.py ROOT CACHE_DIR [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PHASES = ("imports", "scan", "open", "hits", "across", "frame", "compute")

ONE_RUN = r"""
import gc, json, sys, time
gc.disable()
t = [time.perf_counter()]
from pathlib import Path
from incidents.reading import discovery
from incidents.reading import batch as reading
from incidents.reading import validate
from incidents.reading.cache import CacheSettings, RecordCache
from incidents.policy.policy_file import load_policy
from incidents.metrics import figures as metrics
t.append(time.perf_counter())
root, folder = Path(sys.argv[1]), Path(sys.argv[2])
loaded = load_policy(root)
stats = {}
files, _unsafe = discovery.scan_records(root, stats)
t.append(time.perf_counter())
store = RecordCache.open(root, CacheSettings(True, folder))
t.append(time.perf_counter())
results = reading.read_files(root, files, loaded.policy, loaded.usable, cache=store, want=frozenset(),
                             jobs=2, stats=stats)
t.append(time.perf_counter())
declared = [r.declared if r.declared is not None else r.declared_plain for r in results
            if r.declared is not None or r.declared_plain is not None]
validate._across_files(declared, loaded.policy, store)
t.append(time.perf_counter())
frame = metrics.frame_from_rows([r.row for r in results if r.row is not None])
t.append(time.perf_counter())
metrics.compute(frame, loaded.policy, by="severity")
t.append(time.perf_counter())
print(json.dumps({"hits": store.hits, "files": len(files), "seconds": [b - a for a, b in zip(t, t[1:])]}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("cache_dir")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", ONE_RUN, args.root, args.cache_dir], capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out))
    print(f"{runs[0]['files']} files, {runs[0]['hits']} from the cache; median of {args.runs} runs:")
    total = 0.0
    for k, name in enumerate(PHASES):
        value = statistics.median(r["seconds"][k] for r in runs)
        total += value
        print(f"  {name:8s} {value:6.2f} s")
    print(f"  {'sum':8s} {total:6.2f} s (plus Python's start and exit)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
