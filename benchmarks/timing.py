"""What every benchmark script here prints and saves when it compares two processes."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path


def compare(name_a: str, a: list[float], name_b: str, b: list[float], goal: float, what: str) -> tuple[float, float]:
    """Print the median/min/max table of two interleaved series and their ratio; return (ratio, paired ratio)."""
    ratio = statistics.median(a) / statistics.median(b)
    paired = statistics.median(x / y for x, y in zip(a, b))
    print("| process | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, values in ((name_a, a), (name_b, b)):
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    print(
        f"\nratio of medians {what}: {ratio:.2f} (median of paired ratios {paired:.2f}); "
        f"goal <= {goal}: {'met' if ratio <= goal else 'NOT met'}"
    )
    return ratio, paired


def save_json(path: Path, fields: dict) -> None:
    """The figures as JSON, with the date and a note of the machine first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}",
        **fields,
    }
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
