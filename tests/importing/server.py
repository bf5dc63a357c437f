"""A small HTTP server on 127.0.0.1 that serves recorded Statuspage payloads, for the import tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Recorded:
    """routes: path (and `?page=N` for paged routes) -> list of (status, headers, body) served in turn;
    the last response repeats."""

    def __init__(self, routes: dict[str, list[tuple[int, dict, bytes]]], key: str | None = None):
        self.routes = routes
        self.key = key
        self.requests: list[dict] = []
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                server.requests.append(
                    {"path": parts.path, "query": query, "authorization": self.headers.get("Authorization")}
                )
                if server.key is not None and self.headers.get("Authorization") != f"OAuth {server.key}":
                    return self._send(401, {}, b'{"error": "Could not authenticate"}')
                key = parts.path + (f"?page={query['page'][0]}" if "page" in query else "")
                queue = server.routes.get(key)
                if not queue:
                    return self._send(404, {}, b'{"error": "not found"}')
                status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
                self._send(status, headers, body)

            def _send(self, status, headers, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        return Handler
