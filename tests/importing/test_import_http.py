"""Importing from URLs, against recorded pages served on 127.0.0.1 (no test touches the network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, run, snapshot, written
from server import Recorded

from incidents.importing import FetchError, PayloadError, import_statuspage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "site_build"))
import siteroot  # noqa: E402

KEY = "sp-test-key-3f9a"
OK = 200


def _pages(per_page: int = 3):
    items = json.loads((FIXTURES / "nyu-manage-v1.json").read_text())
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)] + [[]]
    return {n + 1: json.dumps(page).encode() for n, page in enumerate(pages)}


def test_manage_api_pages_auth_header_429_retry_after_and_500_then_success(root):
    pages = _pages()
    base = "/v1/pages/kyyfz4489y7m/incidents"
    routes = {
        f"{base}?page=1": [(OK, {}, pages[1])],
        f"{base}?page=2": [(429, {"Retry-After": "2"}, b'{"error": "rate limited"}'), (OK, {}, pages[2])],
        f"{base}?page=3": [(500, {}, b"oops"), (OK, {}, pages[3])],
    }
    slept = []
    with Recorded(routes, key=KEY) as server:
        result = import_statuspage(
            root, [server.url + base], {}, "general", False, environ={"STATUSPAGE_API_KEY": KEY}, sleep=slept.append
        )
    assert result.summary() == "imported 5 incidents (5 new, 0 updated), 1 maintenance windows; 2 services added"
    got = [(r["path"], r["query"].get("page"), r["query"].get("per_page"), r["authorization"]) for r in server.requests]
    assert got == [
        (base, ["1"], ["100"], f"OAuth {KEY}"),
        (base, ["2"], ["100"], f"OAuth {KEY}"),
        (base, ["2"], ["100"], f"OAuth {KEY}"),
        (base, ["3"], ["100"], f"OAuth {KEY}"),
        (base, ["3"], ["100"], f"OAuth {KEY}"),
    ]
    assert slept == [2.0, 0.5]  # Retry-After honoured; then the first backoff step after the 500
    # The same records as the file import of the same list.
    from helpers import EXPECTED

    expected = EXPECTED / "nyu-manage-v1"
    for rel, data in written(root).items():
        assert data == (expected / rel).read_bytes(), rel


def test_manage_api_without_key_or_with_a_wrong_one(root, monkeypatch):
    base = "/v1/pages/abc/incidents"
    before = snapshot(root)
    monkeypatch.delenv("STATUSPAGE_API_KEY", raising=False)
    with Recorded({f"{base}?page=1": [(OK, {}, b"[]")]}, key=KEY) as server:
        result = run("import", "statuspage", "--root", root, server.url + base)
        assert result.exit_code == 2
        assert "set STATUSPAGE_API_KEY" in result.output
        assert server.requests == []
        wrong = run(
            "import", "statuspage", "--root", root, server.url + base, env={"STATUSPAGE_API_KEY": "not-the-key"}
        )
    assert wrong.exit_code == 1
    assert "HTTP 401" in wrong.output and "check STATUSPAGE_API_KEY" in wrong.output
    assert "not-the-key" not in wrong.output
    assert snapshot(root) == before


def test_retries_give_up_and_nothing_is_written(root):
    slept = []
    with Recorded({"/api/v2/incidents.json": [(503, {}, b"down")]}) as server:
        with pytest.raises(FetchError, match=r"HTTP 503 \(after 3 retries\)"):
            import_statuspage(
                root,
                [FIXTURES / "github-incidents-2024.json", server.url + "/api/v2/incidents.json"],
                sleep=slept.append,
            )
        assert len(server.requests) == 4
    assert slept == [0.5, 1.0, 2.0]
    assert not list((root / "incidents").rglob("*.md"))


def test_not_found_is_not_retried(root):
    with Recorded({}) as server:
        with pytest.raises(FetchError, match="HTTP 404"):
            import_statuspage(root, [server.url + "/api/v2/incidents.json"], sleep=lambda s: None)
        assert len(server.requests) == 1


def test_a_bad_page_names_the_url_and_path(root):
    base = "/v1/pages/abc/incidents"
    bad = json.loads(_pages()[1])
    bad[2]["incident_updates"][0]["created_at"] = ["2018"]
    routes = {f"{base}?page=1": [(OK, {}, json.dumps(bad).encode())], f"{base}?page=2": [(OK, {}, b"[]")]}
    with Recorded(routes, key=KEY) as server, pytest.raises(PayloadError) as info:
        import_statuspage(root, [server.url + base], environ={"STATUSPAGE_API_KEY": KEY}, sleep=lambda s: None)
    assert info.value.source == f"{server.url}{base}?page=1&per_page=100"
    assert info.value.path == "[2].incident_updates[0].created_at"
    assert not list((root / "incidents").rglob("*.md"))


def test_status_page_url_as_a_whole_process_then_validate_metrics_and_strict_build(root):
    """Done when: `incidents import statuspage https://status.example.com` (served locally from real
    payloads) turns a real history into a repository that validates, builds and reports its metrics."""
    index = json.loads((FIXTURES / "index-2014.json").read_text())
    maintenances = {"page": index["page"], "scheduled_maintenances": index["scheduled_maintenances"]}
    routes = {
        "/api/v2/incidents.json": [(OK, {}, (FIXTURES / "emma-incidents-2019.json").read_bytes())],
        "/api/v2/scheduled-maintenances.json": [(OK, {}, json.dumps(maintenances).encode())],
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    exe = [sys.executable, "-m", "incidents"]
    with Recorded(routes) as server:
        proc = subprocess.run(
            exe + ["import", "statuspage", "--root", str(root), server.url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        "imported 6 incidents (6 new, 0 updated), 2 maintenance windows; 4 services added"
    )
    assert [r["path"] for r in server.requests] == ["/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json"]
    check = subprocess.run(exe + ["validate", "--root", str(root)], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    metrics = subprocess.run(
        exe + ["metrics", "--root", str(root), "--format", "json"], env=env, capture_output=True, text=True
    )
    assert metrics.returncode == 0, metrics.stderr
    counts = {g["key"]: g["count"] for g in json.loads(metrics.stdout)["groups"]}
    assert sum(counts.values()) == 6  # maintenance never counts
    (root / "mkdocs.yml").write_text(siteroot.MKDOCS.replace("{options}", ""), encoding="utf-8")
    (root / "docs").mkdir()
    built = siteroot.build(root, strict=True)
    assert built.returncode == 0, built.output
    page = (built.site / "incidents" / "407hb58lq8nq" / "index.html").read_text()
    assert "Segments not updating" in page
    assert 'href="http://stspg.io/d5ad74bf1"' in page  # the link to the original
    api = json.loads((built.site / "api/v2/incidents.json").read_text())
    assert {i["name"] for i in api["incidents"]} >= {"Segments not updating and response data delays."}
