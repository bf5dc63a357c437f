"""A minimal Language Server Protocol client over stdio, enough to ask yaml-language-server for the
diagnostics of one document under given settings (what an editor does when it opens a file)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path


class LanguageServer:
    def __init__(self, command: list[str], root: Path, settings: dict):
        self.settings = settings
        self.root = root
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=root
        )
        self.messages: queue.Queue = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    # -- wire ------------------------------------------------------------------
    def _send(self, payload: dict) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length)))

    def request(self, method: str, params: dict) -> int:
        self._next_id += 1
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def _answer(self, message: dict) -> None:
        """Answer the server's own requests: its configuration, and anything else with null."""
        if message.get("method") == "workspace/configuration":
            result = []
            for item in message["params"]["items"]:
                value = self.settings
                for part in (item.get("section") or "").split("."):
                    if part:
                        value = value.get(part, {}) if isinstance(value, dict) else None
                result.append(value)
        else:
            result = None
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def wait(self, predicate, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:
                self._answer(message)
                continue
            if predicate(message):
                return message
        raise TimeoutError("the language server did not answer in time")

    # -- what an editor does --------------------------------------------------------
    def start(self) -> None:
        uri = self.root.resolve().as_uri()
        rid = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "root"}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                    "textDocument": {"publishDiagnostics": {"relatedInformation": False}},
                },
                "initializationOptions": {},
            },
        )
        self.wait(lambda m: m.get("id") == rid)
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    def diagnostics(self, path: Path, language_id: str = "yaml", timeout: float = 60.0) -> list[dict]:
        uri = path.resolve().as_uri()
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language_id,
                    "version": 1,
                    "text": path.read_text(encoding="utf-8"),
                }
            },
        )
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout
        )
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            rid = self.request("shutdown", {})
            self.wait(lambda m: m.get("id") == rid, timeout=10)
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - best effort; kill below
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
