"""How long `incidents import statuspage` takes, and how it grows with the number of incidents.

A synthetic Statuspage history in the public API's incidents.json shape (what
`generate_payload` writes: 3-8 updates an incident, components in groups, HTML
in some bodies, offsets of two zones, one maintenance in 25 mixed into the list)
is imported into a fresh repository, as a whole process (`python -m incidents
import statuspage`), for N = 100, 1,000 and 3,000 incidents. Each round runs
every N in turn (interleaved), then the same import again (nothing to write),
then `incidents validate` of the result (the baseline: reading the same records
once). Medians over the rounds; growth = median(N) / median(previous N).

    .venv/bin/python benchmarks/bench_import.py [--rounds 5] [--sizes 100,1000,3000] [--save FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from timing import save_json  # noqa: E402

GROUPS = {
    "Core": ["API", "Dashboard", "Sign-in"],
    "Data": ["Database", "Search", "Exports"],
    "Edge": ["CDN", "DNS"],
    "Integrations": ["Webhooks", "Email", "Slack app", "Billing"],
}
ZONES = (timedelta(hours=-5), timedelta(hours=-6), timedelta(0))
BODIES = (
    "We are investigating reports of {what} for {comp}.",
    "We have identified the cause: a bad deploy of {comp}.<br /><br />A rollback is in progress.",
    'A fix has been implemented and we are monitoring the results.\r\n\r\nSee <a href="https://example.com/pm">details</a>.',
    "{comp} is operating normally again. \U0001f389",
    "This incident has been resolved.",
)


def _ts(value: datetime, offset: timedelta) -> str:
    return value.astimezone(timezone(offset)).isoformat(timespec="milliseconds")


def generate_payload(n: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    comps, groups = [], []
    for g, names in GROUPS.items():
        gid = f"g{len(groups):011d}"
        groups.append({"id": gid, "name": g, "group": True, "group_id": None})
        for name in names:
            comps.append({"id": f"c{len(comps):011d}", "name": name, "group": False, "group_id": gid})
    start = datetime(2019, 1, 1, tzinfo=UTC)
    incidents = []
    for i in range(n):
        began = start + timedelta(minutes=rng.randrange(0, 7 * 365 * 24 * 60))
        off = rng.choice(ZONES)
        picked = rng.sample(comps, rng.choice((0, 1, 1, 2, 3)))
        maintenance = i % 25 == 24
        k = rng.randint(3, 8)
        times = sorted(began + timedelta(minutes=rng.randint(0, 300)) for _ in range(k))
        statuses = (
            ["scheduled", "in_progress", "completed"]
            if maintenance
            else ["investigating", "identified", "monitoring", "resolved"]
        )
        updates = []
        for j, at in enumerate(times):
            status = statuses[min(j * len(statuses) // k, len(statuses) - 1)] if j < k - 1 else statuses[-1]
            comp = picked[0]["name"] if picked else "the service"
            body = rng.choice(BODIES).format(what=rng.choice(("errors", "latency")), comp=comp)
            updates.append(
                {
                    "id": f"u{i:06d}{j:02d}",
                    "status": status,
                    "body": body,
                    "incident_id": f"i{i:011d}",
                    "created_at": _ts(at, off),
                    "updated_at": _ts(at, off),
                    "display_at": _ts(at, off),
                    "affected_components": [
                        {
                            "code": c["id"],
                            "name": c["name"],
                            "old_status": "operational",
                            "new_status": rng.choice(("degraded_performance", "partial_outage", "major_outage")),
                        }
                        for c in picked
                    ]
                    or None,
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
            )
        updates.reverse()  # newest first, as Statuspage sends them
        inc = {
            "id": f"i{i:011d}",
            "name": f"Synthetic incident {i}",
            "status": statuses[-1],
            "created_at": _ts(times[0], off),
            "updated_at": _ts(times[-1], off),
            "monitoring_at": None,
            "resolved_at": _ts(times[-1], off),
            "impact": "maintenance" if maintenance else rng.choice(("none", "minor", "major", "critical")),
            "shortlink": f"https://stspg.io/s{i:08d}",
            "started_at": _ts(times[0], off),
            "page_id": "benchpage0001",
            "incident_updates": updates,
            "components": [{**c, "status": "operational", "page_id": "benchpage0001"} for c in picked],
        }
        if maintenance:
            inc["scheduled_for"] = _ts(times[0], off)
            inc["scheduled_until"] = _ts(times[-1] + timedelta(minutes=30), off)
        incidents.append(inc)
    return {
        "page": {
            "id": "benchpage0001",
            "name": "Bench",
            "url": "https://status.example.com",
            "time_zone": "Etc/UTC",
            "updated_at": _ts(start, timedelta(0)),
        },
        "components": [{**c, "status": "operational"} for c in groups + comps],
        "incidents": incidents,
    }


POLICY = """\
severities:
  - {id: SEV-1, name: Critical, description: Outage, acknowledge_within: 15m, resolve_within: 4h,
     required_roles: [commander], postmortem: {required: true, due_within: 5d}}
  - {id: SEV-2, name: Major, description: Major, acknowledge_within: 30m, resolve_within: 8h}
  - {id: SEV-3, name: Minor, description: Minor}
  - {id: SEV-4, name: Low, description: Low}
roles: [commander]
"""


def _fresh_root(base: Path, name: str) -> Path:
    root = base / name
    if root.exists():
        shutil.rmtree(root)
    (root / "policy").mkdir(parents=True)
    (root / "incidents").mkdir()
    (root / "policy" / "policy.yml").write_text(POLICY, encoding="utf-8")
    (root / "policy" / "services.yml").write_text("services:\n  - id: api\n    name: API\n", encoding="utf-8")
    return root


def _timed(args: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "incidents", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="100,1000,3000")
    ap.add_argument("--save", type=Path)
    opts = ap.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    series = {n: {"import": [], "reimport": [], "validate": []} for n in sizes}
    summaries = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        base = Path(tmp)
        payloads = {}
        for n in sizes:
            payloads[n] = base / f"incidents-{n}.json"
            payloads[n].write_text(json.dumps(generate_payload(n)), encoding="utf-8")
        for r in range(opts.rounds):
            for n in sizes:
                root = _fresh_root(base, f"root-{n}")
                t, summary = _timed(["import", "statuspage", "--root", str(root), str(payloads[n])])
                series[n]["import"].append(t)
                summaries[n] = summary
                t, again = _timed(["import", "statuspage", "--root", str(root), str(payloads[n])])
                assert again.startswith("imported 0 incidents"), again
                series[n]["reimport"].append(t)
                t, _ = _timed(["validate", "--root", str(root)])
                series[n]["validate"].append(t)
            print(f"round {r + 1}/{opts.rounds} done", file=sys.stderr)
    print(
        "| N | import median s | per incident ms | growth vs previous N | re-import (no-op) s | validate s | import / validate |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    previous = None
    rows = []
    for n in sizes:
        imp = statistics.median(series[n]["import"])
        re_ = statistics.median(series[n]["reimport"])
        val = statistics.median(series[n]["validate"])
        growth = f"{imp / previous[1]:.2f}x for {n / previous[0]:.0f}x N" if previous else "-"
        print(f"| {n} | {imp:.2f} | {1000 * imp / n:.2f} | {growth} | {re_:.2f} | {val:.2f} | {imp / val:.2f} |")
        rows.append(
            {
                "n": n,
                "import_s": imp,
                "reimport_s": re_,
                "validate_s": val,
                "summary": summaries[n],
                "import_runs": series[n]["import"],
            }
        )
        previous = (n, imp)
    for n in sizes:
        print(f"N={n}: {summaries[n]}")
    if opts.save:
        save_json(opts.save, {"rounds": opts.rounds, "results": rows})


if __name__ == "__main__":
    main()
