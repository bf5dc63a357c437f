"""Time `mkdocs build` of the incidents site against a plain MkDocs + Material site of the same size.

A = `mkdocs build` of a corpus of N incidents (benchmarks/corpus.py: policy,
N incidents, a postmortem for every 5th resolved one, 4 maintenances) with
`plugins: [search, incidents]` and an empty docs/.
B = `mkdocs build` of N plain Markdown pages, one per incident file and of the
same size (the incident's front matter as a YAML code block, then its body),
with the same theme (Material) and `plugins: [search]`; the pages are kept out
of the navigation (`not_in_nav`), as the plugin keeps incident pages out of
its navigation, so that neither side pays for a 10,000-entry menu on every page.

Both sides are whole processes (`python -m mkdocs build`, a fresh Python each
run, SOURCE_DATE_EPOCH set), interleaved A B A B ... after one untimed warm-up
of each (which also fills the cache of read records, so A runs warm). A third
series, C, is A with INCIDENTS_NO_CACHE=1 (every file read again). Reports
median, min and max and the ratio of the medians (A / B, and C / B).
Goal: A / B <= 1.2. With `--language de`, a fourth series D builds the same
incidents site in that language (`mkdocs.<lang>.yml`: INHERIT + the plugin's
`language`), interleaved with the others: a second language should cost no more
than a second build (D / A about 1).

Usage: python benchmarks/bench_site.py [--incidents N] [--runs R] [--seed S] [--json FILE] [--profile]
                                       [--language LANG]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL = 1.2  # with a warm cache of read records (issue 14); 1.3 before it
EPOCH = "1793491200"  # 2026-11-01T00:00:00Z, the corpus' end

INCIDENTS_MKDOCS = """\
site_name: Benchmark Status
site_url: https://status.example.com/
theme:
  name: material
plugins:
  - search
  - incidents
"""
PLAIN_MKDOCS = """\
site_name: Benchmark Docs
site_url: https://docs.example.com/
theme:
  name: material
plugins:
  - search
not_in_nav: |
  /pages/
"""


def _stamp(n: int, seed: int) -> dict:
    generator = (HERE / "corpus.py").read_bytes() + Path(__file__).read_bytes()
    return {"n": n, "seed": seed, "generator": hashlib.sha256(generator).hexdigest()}


def prepare(n: int, seed: int, where: Path) -> tuple[Path, Path]:
    """The incidents root and the plain site, generated once and reused while unchanged."""
    inc_root, plain_root = where / "incidents-site", where / "plain-site"
    marker = where / ".bench_site.json"
    if marker.is_file() and json.loads(marker.read_text()) == _stamp(n, seed):
        return inc_root, plain_root
    shutil.rmtree(where, ignore_errors=True)
    sys.path.insert(0, str(HERE))
    from corpus import generate

    generate(inc_root, n, seed)
    (inc_root / "docs").mkdir(parents=True, exist_ok=True)
    (inc_root / "mkdocs.yml").write_text(INCIDENTS_MKDOCS)

    pages = plain_root / "docs" / "pages"
    pages.mkdir(parents=True)
    count = 0
    for path in sorted((inc_root / "incidents").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "type: postmortem" in text or "type: maintenance" in text or path.name == "README.md":
            continue
        _, front, body = text.split("---\n", 2)
        title = next(
            (line[7:].strip().strip('"') for line in front.splitlines() if line.startswith("title: ")), path.stem
        )
        page = f"# {title}\n\n```yaml\n{front}```\n\n{body}"
        (pages / f"{path.stem}.md").write_text(page, encoding="utf-8")
        count += 1
    index = "# Plain site\n\n" + "".join(f"- [{p.stem}](pages/{p.name})\n" for p in sorted(pages.glob("*.md"))[:50])
    (plain_root / "docs" / "index.md").write_text(index)
    (plain_root / "mkdocs.yml").write_text(PLAIN_MKDOCS)
    marker.write_text(json.dumps(_stamp(n, seed)))
    return inc_root, plain_root


def language_config(root: Path, language: str) -> str:
    """The incidents site's config in another language (the plugin's `language` option)."""
    name = f"mkdocs.{language}.yml"
    (root / name).write_text(f"INHERIT: mkdocs.yml\nplugins:\n  - search\n  - incidents:\n      language: {language}\n")
    return name


def build_seconds(root: Path, profile: Path | None = None, no_cache: bool = False, config: str = "mkdocs.yml") -> float:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_MKDOCS_2_WARNING="1")
    env.pop("INCIDENTS_NO_CACHE", None)
    if no_cache:
        env["INCIDENTS_NO_CACHE"] = "1"
    site = root / "site"
    cmd = [sys.executable]
    if profile is not None:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "mkdocs", "build", "-q", "-f", str(root / config), "-d", str(site)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build of {root} failed:\n{proc.stdout}{proc.stderr}")
    return elapsed


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--where", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--profile", action="store_true", help="also write a cProfile of one incidents build")
    ap.add_argument("--language", default=None, help="also time the incidents site in this language (series D)")
    args = ap.parse_args(argv)
    where = args.where or HERE / "corpus" / f"site-{args.incidents}-s{args.seed}"
    t0 = time.perf_counter()
    inc_root, plain_root = prepare(args.incidents, args.seed, where)
    pages = sum(1 for _ in (plain_root / "docs" / "pages").glob("*.md"))
    print(f"corpus: {args.incidents} incidents ({pages} plain pages) in {time.perf_counter() - t0:.1f}s", flush=True)

    build_seconds(inc_root)  # warm-up (page cache, .pyc; fills the cache of read records)
    build_seconds(plain_root)
    other = language_config(inc_root, args.language) if args.language else None
    if other:
        build_seconds(inc_root, config=other)
    a, b, c, d = [], [], [], []
    for i in range(args.runs):
        a.append(build_seconds(inc_root))
        b.append(build_seconds(plain_root))
        c.append(build_seconds(inc_root, no_cache=True))
        if other:
            d.append(build_seconds(inc_root, config=other))
        print(
            f"run {i + 1}: incidents (warm cache) {a[-1]:.2f}s  plain {b[-1]:.2f}s  incidents (no cache) {c[-1]:.2f}s"
            + (f"  in {args.language} {d[-1]:.2f}s" if other else ""),
            flush=True,
        )
    built = sum(1 for _ in (inc_root / "site").rglob("index.html"))
    result = {
        "benchmark": "site",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "incidents": args.incidents,
        "html_pages_incidents_site": built,
        "plain_pages": pages,
        "incidents_build_s": summary(a),
        "plain_build_s": summary(b),
        "incidents_no_cache_build_s": summary(c),
        "ratio": statistics.median(a) / statistics.median(b),
        "ratio_no_cache": statistics.median(c) / statistics.median(b),
        "goal": GOAL,
    }
    if d:
        result["language"] = args.language
        result["second_language_build_s"] = summary(d)
        result["second_language_ratio"] = statistics.median(d) / statistics.median(a)
        print(
            f"in {args.language}: median {statistics.median(d):.2f}s; / the same site in en {result['second_language_ratio']:.2f}"
        )
    result["ok"] = result["ratio"] <= GOAL
    print(
        f"incidents site: median {result['incidents_build_s']['median']:.2f}s "
        f"(min {min(a):.2f}, max {max(a):.2f}; {built} HTML pages)"
    )
    print(
        f"plain site:     median {result['plain_build_s']['median']:.2f}s "
        f"(min {min(b):.2f}, max {max(b):.2f}; {pages} pages)"
    )
    print(
        f"no cache:       median {result['incidents_no_cache_build_s']['median']:.2f}s "
        f"(min {min(c):.2f}, max {max(c):.2f}); ratio to plain {result['ratio_no_cache']:.2f}"
    )
    print(f"ratio (warm cache / plain) {result['ratio']:.2f} (goal <= {GOAL}) {'OK' if result['ok'] else 'OVER'}")
    if args.profile:
        prof = HERE / "out" / "site.prof"
        prof.parent.mkdir(parents=True, exist_ok=True)
        build_seconds(inc_root, prof)
        import pstats

        pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
