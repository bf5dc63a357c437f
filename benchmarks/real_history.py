"""A real incident history: GitHub's public status page, 2022-03 to 2026-08, as an incidents root.

Source: the repository mrshu/github-statuses archives githubstatus.com's Atom
feed with GitHub Flat Data (`github-status-history.atom`) and parses it into
`parsed/incidents.jsonl` (per incident: title, URL, started_at, resolved_at,
each update's time and status, impact and components from Statuspage's API).
`convert` turns that file into a Statuspage `incidents.json` payload
(maintenance left out, update bodies dropped to keep it small; the `Update`
status of the feed keeps the status before it); the result, 801 incidents, is
committed as `benchmarks/real/github-status-2022-2026.json.gz`.

`build` makes a root from it the way a team would: the import fixture's
four-severity policy, then `incidents import statuspage` (critical -> SEV-1,
major -> SEV-2, minor -> SEV-3, none -> SEV-4; components become services),
then prints `incidents metrics --by quarter` as of the archive's last commit.

Usage: python benchmarks/real_history.py build [OUT_DIR]   (default benchmarks/corpus/github-status)
       python benchmarks/real_history.py convert INCIDENTS_JSONL OUT.json.gz
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAYLOAD = HERE / "real" / "github-status-2022-2026.json.gz"
POLICY = HERE.parent / "tests" / "fixtures" / "statuspage" / "root" / "policy"
AS_OF = "2026-08-22T04:42:47Z"  # the archive's last commit
STATUS = {
    "Investigating": "investigating",
    "Identified": "identified",
    "Monitoring": "monitoring",
    "Resolved": "resolved",
}


def convert(rows: list[dict]) -> dict:
    """mrshu/github-statuses parsed/incidents.jsonl rows -> a Statuspage incidents.json document."""
    out = []
    for row in rows:
        if row.get("impact") in (None, "maintenance") or not row.get("updates"):
            continue
        code = row["url"].rstrip("/").rsplit("/", 1)[-1]
        updates, status = [], "investigating"
        for i, update in enumerate(row["updates"]):
            status = STATUS.get(update["status"], status)  # "Update" keeps the status before it
            updates.append(
                {
                    "id": f"{code}-{i}",
                    "status": status,
                    "body": "",
                    "created_at": update["at"],
                    "display_at": update["at"],
                    "incident_id": code,
                    "affected_components": None,
                }
            )
        out.append(
            {
                "id": code,
                "name": row["title"],
                "status": status,
                "impact": row["impact"],
                "shortlink": row["url"],
                "created_at": row["updates"][0]["at"],
                "started_at": row["started_at"],
                "resolved_at": row["resolved_at"] if status == "resolved" else None,
                "monitoring_at": None,
                "updated_at": row["updated_at"],
                "components": [{"name": c} for c in row.get("components") or []],
                "incident_updates": updates[::-1],  # newest first, as the API sends them
            }
        )
    return {"incidents": out}


def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "incidents").mkdir(parents=True)
    shutil.copytree(POLICY, out / "policy")
    script = shutil.which("incidents") or str(Path(sys.executable).with_name("incidents"))
    with tempfile.TemporaryDirectory() as tmp:
        payload = Path(tmp) / "incidents.json"
        payload.write_bytes(gzip.decompress(PAYLOAD.read_bytes()))
        done = subprocess.run(
            [script, "import", "statuspage", "--root", str(out), str(payload)],
            capture_output=True,
            text=True,
            check=True,
        )
    print(done.stdout.strip().splitlines()[-1], file=sys.stderr)
    subprocess.run([script, "metrics", "--root", str(out), "--by", "quarter", "--as-of", AS_OF], check=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["convert"] and len(argv) == 3:
        rows = [json.loads(line) for line in Path(argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
        with gzip.open(argv[2], "wt", encoding="utf-8") as f:
            json.dump(convert(rows), f, separators=(",", ":"))
        return 0
    if argv[:1] == ["build"] and len(argv) <= 2:
        build(Path(argv[1]) if len(argv) == 2 else HERE / "corpus" / "github-status")
        return 0
    print(__doc__.split("Usage: ")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
