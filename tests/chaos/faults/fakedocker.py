"""A fake Docker Engine API on 127.0.0.1 for the docker-fault tests.

It serves the few routes the Docker SDK uses for these faults — ``GET /version``,
``GET /v1.xx/containers/json`` (with ``status``, ``label`` and ``name`` filters),
``GET /v1.xx/containers/{id}/json`` and ``POST /v1.xx/containers/{id}/{stop,kill,pause,
unpause,start,restart}`` — over containers loaded from ``fixtures/docker/containers.json``.
The JSON shapes follow the Docker Engine API v1.43 reference; they are constructed, not
recorded from a real daemon. Status codes follow the reference too: 204 on success, 304 for
starting a running or stopping a stopped container, 404 for an unknown id, 409 for pausing
a container that is not running.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURE = Path(__file__).with_name("fixtures") / "docker" / "containers.json"
API_VERSION = "1.43"


class FakeEngine:
    """The containers and a log of the state-changing calls."""

    def __init__(self) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.containers: dict[str, dict[str, Any]] = {
            c["Id"]: copy.deepcopy(c) for c in data["containers"]}
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def by_name(self, name: str) -> dict[str, Any]:
        return next(c for c in self.containers.values() if c["Name"] == "/" + name)

    def status(self, name: str) -> str:
        return str(self.by_name(name)["State"]["Status"])

    def set_status(self, container: dict[str, Any], status: str) -> None:
        state = container["State"]
        state["Status"] = status
        state["Running"] = status in ("running", "paused")
        state["Paused"] = status == "paused"

    def find(self, ref: str) -> dict[str, Any] | None:
        for c in self.containers.values():
            if c["Id"].startswith(ref) or c["Name"] == "/" + ref:
                return c
        return None

    def summary(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"Id": c["Id"], "Names": [c["Name"]], "Image": c["Config"]["Image"],
                "ImageID": c["Image"], "Command": " ".join([c["Path"], *c["Args"]]),
                "Created": 1714641247, "Ports": [], "Labels": c["Config"]["Labels"],
                "State": c["State"]["Status"], "Status": "Up 2 hours",
                "HostConfig": {"NetworkMode": "bridge"},
                "NetworkSettings": c["NetworkSettings"], "Mounts": []}

    def listing(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        filters = json.loads(query.get("filters", ["{}"])[0] or "{}")
        show_all = query.get("all", ["0"])[0] in ("1", "true", "True")
        out = []
        for c in self.containers.values():
            status = c["State"]["Status"]
            if not show_all and "status" not in filters and status != "running":
                continue
            if "status" in filters and status not in filters["status"]:
                continue
            labels = c["Config"]["Labels"]
            ok = True
            for sel in filters.get("label", []):
                key, _, value = sel.partition("=")
                if key not in labels or ("=" in sel and labels[key] != value):
                    ok = False
            # like Docker, the name filter is a substring (regular expression) match
            if any(not re.search(n, c["Name"]) for n in filters.get("name", [])):
                ok = False
            if ok:
                out.append(self.summary(c))
        return out

    def act(self, container: dict[str, Any], action: str) -> int:
        status = container["State"]["Status"]
        self.calls.append((action, container["Name"].lstrip("/")))
        if action in ("stop", "kill"):
            if status not in ("running", "paused"):
                return 304 if action == "stop" else 409
            self.set_status(container, "exited")
        elif action == "pause":
            if status != "running":
                return 409
            self.set_status(container, "paused")
        elif action == "unpause":
            if status != "paused":
                return 409
            self.set_status(container, "running")
        elif action == "start":
            if status == "running":
                return 304
            self.set_status(container, "running")
        elif action == "restart":
            self.set_status(container, "running")
        return 204


def _handler(engine: FakeEngine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Api-Version", API_VERSION)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            url = urlsplit(self.path)
            path = re.sub(r"^/v[0-9.]+", "", url.path)
            query = parse_qs(url.query)
            with engine.lock:
                if method == "GET" and path == "/version":
                    self._send(200, {"Version": "24.0.7", "ApiVersion": API_VERSION,
                                     "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64"})
                    return
                if method == "GET" and path == "/containers/json":
                    self._send(200, engine.listing(query))
                    return
                m = re.fullmatch(r"/containers/([^/]+)/(json|stop|kill|pause|unpause|start|"
                                 r"restart)", path)
                container = engine.find(m.group(1)) if m else None
                if m is None:
                    self._send(404, {"message": f"page not found: {path}"})
                elif container is None:
                    self._send(404, {"message": f"No such container: {m.group(1)}"})
                elif m.group(2) == "json" and method == "GET":
                    self._send(200, container)
                elif method == "POST":
                    status = engine.act(container, m.group(2))
                    message = {"message": f"container is not in a state to {m.group(2)}"}
                    self._send(status, message if status == 409 else None)
                else:
                    self._send(405, {"message": "method not allowed"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextmanager
def fake_engine() -> Iterator[tuple[str, FakeEngine]]:
    """Serve a fresh fake engine; yields its ``tcp://127.0.0.1:PORT`` URL and its state."""
    engine = FakeEngine()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(engine))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}", engine
    finally:
        server.shutdown()
        server.server_close()
