"""Bad input from outside ends cleanly (issue 19, section 4): a body too large, a server that trickles, JSON
nested too deeply, a device given as a file, and a real history whose update says `TBD`. Every case is an
error naming the source, exit 1, nothing written, never a traceback; servers run on 127.0.0.1 only."""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import FIXTURES, run, snapshot

from incidents.importing import http

DEMO_POLICY = Path(__file__).resolve().parents[2] / "policy"


class Hostile:
    """A server on 127.0.0.1: `body` sends too much, `trickle` a byte every `every` seconds (of the body or of
    the headers). It stops writing as soon as the client is gone or the test ends."""

    def __init__(self, mode: str, every: float = 0.1):
        self.mode, self.every = mode, every
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/api/v2/incidents.json"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                try:
                    getattr(self, "_" + server.mode)()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _too_much(self):  # no Content-Length: the size is only known by reading
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"incidents": [' + b" " * 5000 + b"]}")

            def _declared_too_much(self):
                self.send_response(200)
                self.send_header("Content-Length", str(10 * 1024**3))  # 10 GB, said up front
                self.end_headers()
                self.wfile.write(b"{")

            def _trickle(self):
                body = b'{"incidents": []}' + b" " * 2000
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):  # 2000 bytes at one per `every` s: minutes if never cut off
                    if server.stop.wait(server.every):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()

            def _trickle_headers(self):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(2000):
                    if server.stop.wait(server.every):
                        return
                    self.wfile.write(b"X")
                    self.wfile.flush()

            def _deep(self):
                body = b"[" * 100_000
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def assert_clean_failure(result, root: Path, before: dict, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    assert "nothing was written" in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize("mode", ["too_much", "declared_too_much"])
def test_a_body_too_large_is_refused_while_streaming(root, monkeypatch, mode):
    monkeypatch.setattr(http, "MAX_BYTES", 1000)
    before = snapshot(root)
    with Hostile(mode) as server:
        result = run("import", "statuspage", "--root", root, server.url)
    assert_clean_failure(result, root, before, server.url, "larger than 1000 bytes")


@pytest.mark.parametrize("mode", ["trickle", "trickle_headers"])
def test_a_server_that_trickles_is_cut_off_after_the_bound_of_one_request(root, monkeypatch, mode):
    """Each byte comes well within the per-read timeout; only a bound on the whole request ends it."""
    monkeypatch.setattr(http, "FETCH_SECONDS", 1.0)
    before = snapshot(root)
    started = time.monotonic()
    with Hostile(mode, every=0.1) as server:
        result = run("import", "statuspage", "--root", root, server.url)
    assert time.monotonic() - started < 60  # unbounded, it would take 200 s
    assert_clean_failure(result, root, before, server.url, "no complete answer within 1 s")


def test_deeply_nested_json_from_a_url_or_a_file(root, tmp_path):
    before = snapshot(root)
    with Hostile("deep") as server:
        result = run("import", "statuspage", "--root", root, server.url)
    assert_clean_failure(result, root, before, server.url, "nested too deeply")
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000)
    result = run("import", "statuspage", "--root", root, deep)
    assert_clean_failure(result, root, before, str(deep), "nested too deeply")
    (tmp_path / "deep-object.json").write_bytes(b'{"incidents": ' + b'{"a": ' * 50_000)
    result = run("import", "statuspage", "--root", root, tmp_path / "deep-object.json")
    assert_clean_failure(result, root, before, "nested too deeply")


def test_a_device_or_a_folder_is_not_a_payload_and_a_file_too_large_is_refused(root, tmp_path, monkeypatch):
    before = snapshot(root)
    for source in ("/dev/zero", str(tmp_path)):
        result = run("import", "statuspage", "--root", root, source)
        assert_clean_failure(result, root, before, source, "not a file")
    monkeypatch.setattr(http, "MAX_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b'{"incidents": []}' + b" " * 2000)
    assert_clean_failure(run("import", "statuspage", "--root", root, big), root, before, "larger than 1000 bytes")


def test_a_history_whose_update_says_tbd_imports_and_validates(tmp_path):
    """The demo policy lists `TBD` as a placeholder; imported records are checked for structure only."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO_POLICY, root / "policy")
    (root / "incidents").mkdir()
    payload = json.loads((FIXTURES / "github-incidents-2024.json").read_text())
    payload["incidents"][0]["incident_updates"][-1]["body"] = "Root cause: TBD. We are investigating."
    source = tmp_path / "tbd.json"
    source.write_text(json.dumps(payload))
    result = run("import", "statuspage", "--root", root, "--severity", "critical=SEV-1", source)
    assert result.exit_code == 0, result.output
    assert "TBD" in "".join(p.read_text() for p in (root / "incidents").rglob("*.md"))
    validate = run("validate", "--root", root)
    assert validate.exit_code == 0, validate.output


def test_the_api_key_is_never_sent_over_plain_http_to_another_machine(root):
    before = snapshot(root)
    url = "http://status.invalid/v1/pages/abc123/incidents"  # refused before any request is made
    result = run("import", "statuspage", "--root", root, url, env={"STATUSPAGE_API_KEY": "sp-secret"})
    assert result.exit_code == 2 and "only over https" in result.stderr
    assert "sp-secret" not in result.output
    assert snapshot(root) == before


def test_a_manage_api_that_never_sends_an_empty_page_is_stopped_by_the_total_bound(root, monkeypatch):
    from server import Recorded

    monkeypatch.setattr(http, "MAX_TOTAL_BYTES", 20_000)
    page = json.dumps(json.loads((FIXTURES / "nyu-manage-v1.json").read_text())[:1]).encode()
    base = "/v1/pages/abc123/incidents"
    routes = {f"{base}?page={n}": [(200, {}, page)] for n in range(1, 400)}
    before = snapshot(root)
    with Recorded(routes, key="k") as server:
        result = run("import", "statuspage", "--root", root, server.url + base, env={"STATUSPAGE_API_KEY": "k"})
        asked = len(server.requests)
    assert_clean_failure(result, root, before, "more than 20000 bytes together")
    assert asked < 400 and asked * len(page) <= 20_000 + len(page)


def test_an_update_body_with_html_nested_thousands_deep_imports_as_its_text(root, tmp_path):
    """The HTML converter recurses per level of nesting: such a body loses its tags, never the import."""
    payload = json.loads((FIXTURES / "github-incidents-2024.json").read_text())
    payload["incidents"][0]["incident_updates"][0]["body"] = '<a href="https://x.example">' * 3000 + "Fixed &amp; done"
    source = tmp_path / "deep-html.json"
    source.write_text(json.dumps(payload))
    result = run("import", "statuspage", "--root", root, source)
    assert result.exit_code == 0, result.output
    assert "Fixed & done" in "".join(p.read_text() for p in (root / "incidents").rglob("*.md"))
    assert run("validate", "--root", root).exit_code == 0
