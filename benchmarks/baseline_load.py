"""The baseline for bench_validate.py: the least any validator must do.

Reads the same files `incidents validate` reads (policy/*.yml and every
record `*.md` under incidents/, skipping README.md and `_*` files), splits
each record's front matter the simple way and loads it with
`yaml.load(..., Loader=yaml.CSafeLoader)`. No positions, no checks, no
findings: just libyaml. Prints how many documents it loaded.

Usage: python benchmarks/baseline_load.py ROOT
"""

from __future__ import annotations

import os
import sys

import yaml


def record_paths(root: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, "incidents")):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(".md") and name != "README.md" and not name.startswith("_"):
                out.append(os.path.join(dirpath, name))
    out.sort()
    return out


def front_matter(text: str) -> str:
    """The text between the opening `---` line and the next `---` line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return ""
    start = text.find("\n") + 1
    end = text.find("\n---", start - 1)
    return text[start:end] if end >= 0 else text[start:]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python benchmarks/baseline_load.py ROOT", file=sys.stderr)
        return 2
    root = argv[0]
    loaded = 0
    for name in ("policy.yml", "services.yml"):
        path = os.path.join(root, "policy", name)
        if os.path.exists(path):
            with open(path, "rb") as fh:
                yaml.load(fh.read().decode("utf-8"), Loader=yaml.CSafeLoader)
            loaded += 1
    for path in record_paths(root):
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
        data = yaml.load(front_matter(text), Loader=yaml.CSafeLoader)
        if isinstance(data, dict):
            loaded += 1
    print(f"loaded {loaded} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
