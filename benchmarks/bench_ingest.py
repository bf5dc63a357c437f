"""Time `incidents ingest` on one payload, and load `incidents ingest serve` with 50 alerts a second.

1. One payload (goal <= 0.5 s): an Alertmanager body into a fresh `incidents init` repository that
   already holds `--records` ingested incidents. Whole processes, interleaved with the start-up floor:
   A = `incidents ingest alertmanager FILE` (a new alert group each run, so each run writes a record),
   B = `incidents --version` (Python and the CLI starting, nothing else). Also the in-process time of
   `incidents.ingest.apply.ingest` (the work itself, without the interpreter's start-up).
2. The receiver under load: `incidents ingest serve` in a checkout with a bare remote; `--rate`
   alerts a second for `--seconds` seconds, each a request of its own (`--groups` alert groups, so
   most requests append to an open incident). Every request must be answered 200, and afterwards the
   remote's records must hold every alert exactly once (no lost, no duplicated entry).

Usage: python benchmarks/bench_ingest.py [--runs 5] [--records 200] [--rate 50] [--seconds 10] [--groups 20]
       [--json FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL_ONE = 0.5
sys.path.insert(0, str(HERE))
from timing import save_json  # noqa: E402

TOKEN = "bench-token"
ENV = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")


def sh(*args, cwd=None) -> str:
    return subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True, text=True).stdout


def incidents(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incidents", *args], cwd=cwd, env=ENV, capture_output=True, text=True)


def alert_body(group: str, fingerprint: str, starts: str) -> bytes:
    alert = {
        "status": "firing",
        "labels": {"alertname": f"Bench{group}", "service": "api", "severity": "warning", "n": fingerprint},
        "annotations": {"summary": f"bench alert {fingerprint}"},
        "startsAt": starts,
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint,
    }
    return json.dumps({"version": "4", "groupKey": f"bench-{group}", "status": "firing", "alerts": [alert]}).encode()


def fresh_repo(base: Path, records: int) -> Path:
    root = base / "repo"
    root.mkdir()
    sh("git", "init", "-q", "-b", "main", cwd=root)
    assert incidents("init", ".", cwd=root).returncode == 0
    sys.path.insert(0, str(HERE.parent / "generator"))
    from incidents.ingest.apply import ingest

    for i in range(records):
        ingest(root, "alertmanager", alert_body(f"pre{i}", f"p{i}", "2026-06-01T10:00:00Z"), datetime.now(UTC))
    return root


def bench_one(base: Path, runs: int, records: int) -> dict:
    from incidents.ingest.apply import ingest

    root = fresh_repo(base, records)
    payload = base / "alert.json"
    cli, floor, inproc = [], [], []
    for run in range(runs + 1):
        payload.write_bytes(alert_body(f"cli{run}", f"c{run}", "2026-06-01T10:00:00Z"))
        start = time.perf_counter()
        done = incidents("ingest", "alertmanager", str(payload), cwd=root)
        a = time.perf_counter() - start
        assert done.returncode == 0 and "created" in done.stdout, done.stdout + done.stderr
        start = time.perf_counter()
        assert incidents("--version", cwd=root).returncode == 0
        b = time.perf_counter() - start
        start = time.perf_counter()
        ingest(root, "alertmanager", alert_body(f"in{run}", f"i{run}", "2026-06-01T10:00:00Z"), datetime.now(UTC))
        c = time.perf_counter() - start
        if run:  # the first round warms the caches
            cli.append(a)
            floor.append(b)
            inproc.append(c)
    figures = {
        "records_before": records,
        "cli_median_s": statistics.median(cli),
        "cli_min_s": min(cli),
        "startup_floor_median_s": statistics.median(floor),
        "in_process_median_s": statistics.median(inproc),
        "runs": runs,
    }
    print(f"## One payload into a repository of {records} ingested incidents ({runs} interleaved runs)\n")
    print("| what | median s | min s | max s |\n|---|---:|---:|---:|")
    for name, values in (("incidents ingest (process)", cli), ("incidents --version (floor)", floor)):
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")
    print(f"| ingest() in process | {statistics.median(inproc):.3f} | {min(inproc):.3f} | {max(inproc):.3f} |")
    verdict = "met" if figures["cli_median_s"] <= GOAL_ONE else "NOT met"
    print(f"\ngoal <= {GOAL_ONE} s for the whole process: {verdict} (the start-up floor is part of it)\n")
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_serve(base: Path, rate: int, seconds: int, groups: int) -> dict:
    remote = base / "remote.git"
    sh("git", "init", "-q", "--bare", str(remote))
    work = base / "work"
    work.mkdir()
    sh("git", "init", "-q", "-b", "main", cwd=work)
    assert incidents("init", ".", cwd=work).returncode == 0
    sh("git", "add", "-A", cwd=work)
    sh("git", "commit", "-q", "-m", "init", cwd=work)
    sh("git", "remote", "add", "origin", str(remote), cwd=work)
    sh("git", "push", "-q", "-u", "origin", "main", cwd=work)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "incidents", "ingest", "serve", "--repo", str(work), "--port", str(port)],
        env=dict(ENV, INCIDENTS_INGEST_TOKEN=TOKEN),
        stderr=subprocess.DEVNULL,
    )
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def send(body: bytes) -> None:
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        try:
            conn.request("POST", "/alertmanager", body=body, headers={"Authorization": f"Bearer {TOKEN}"})
            status = conn.getresponse().status
        except OSError:
            status = 0
        finally:
            conn.close()
        with lock:
            statuses.append(status)
            latencies.append(time.perf_counter() - start)

    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        threads = []
        total = rate * seconds
        began = time.monotonic()
        for i in range(total):
            due = began + i / rate
            time.sleep(max(0.0, due - time.monotonic()))
            body = alert_body(f"g{i % groups}", f"a{i}", "2026-06-01T10:00:00Z")
            t = threading.Thread(target=send, args=(body,))
            t.start()
            threads.append(t)
        sent_in = time.monotonic() - began
        for t in threads:
            t.join()
        drained_in = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=20)
    clone = base / "clone"
    sh("git", "clone", "-q", "-b", "main", str(remote), str(clone))
    keys = re.findall(r"fingerprint=(a\d+) ", "".join(p.read_text() for p in (clone / "incidents").rglob("*.md")))
    lost = total - len(set(keys))
    duplicated = len(keys) - len(set(keys))
    files = len(list((clone / "incidents").rglob("INC-*.md")))
    commits = len(sh("git", "log", "--format=%h", "main", cwd=clone).splitlines()) - 1
    figures = {
        "rate_per_s": rate,
        "seconds": seconds,
        "alerts": total,
        "groups": groups,
        "answered_200": statuses.count(200),
        "other_answers": sorted({s for s in statuses if s != 200}),
        "lost": lost,
        "duplicated": duplicated,
        "records": files,
        "commits": commits,
        "sent_in_s": sent_in,
        "all_answered_in_s": drained_in,
        "latency_median_s": statistics.median(latencies),
        "latency_max_s": max(latencies),
    }
    print(f"## ingest serve: {rate} alerts/s for {seconds} s ({total} requests, {groups} groups, bare remote)\n")
    for key, value in figures.items():
        print(f"- {key}: {value:.2f}" if isinstance(value, float) else f"- {key}: {value}")
    ok = figures["answered_200"] == total and lost == 0 and duplicated == 0 and files == groups
    print(f"\nheld without a lost or duplicated record: {'yes' if ok else 'NO'}\n")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        figures = {
            "one_payload": bench_one(Path(one), args.runs, args.records),
            "serve": bench_serve(Path(two), args.rate, args.seconds, args.groups),
        }
    if args.json:
        save_json(args.json, figures)


if __name__ == "__main__":
    main()
