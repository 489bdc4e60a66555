"""A small HTTP service on 127.0.0.1 whose dependency can be broken, and experiment helpers.

``GET /health`` answers 200 ``{"status": "ok", "db": "up"}`` while the dependency works and
503 once the marker file (the test fault) exists. ``GET /slow`` answers after 150 ms.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.engine.markerfault import KIND


@dataclass
class Service:
    url: str
    port: int
    marker: Path


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    marker = tmp_path / "dependency-broken"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/slow"):
                time.sleep(0.15)
            broken = marker.exists()
            body = json.dumps({"status": "degraded" if broken else "ok",
                               "db": "down" if broken else "up"}).encode()
            self.send_response(503 if broken else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield Service(f"http://127.0.0.1:{port}", port, marker)
    finally:
        server.shutdown()
        server.server_close()


def health_probe(service: Service, name: str = "service-healthy") -> dict[str, Any]:
    return {"type": "probe", "name": name, "tolerance": 200,
            "provider": {"type": "http", "url": service.url + "/health", "timeout": 2}}


def marker_fault(service: Service, name: str = "break-dependency", **extra: Any
                 ) -> dict[str, Any]:
    return {"type": "action", "name": name,
            "provider": {"type": "fault", "kind": KIND, "path": str(service.marker), **extra}}


def sleep_action(seconds: float, name: str = "wait", **extra: Any) -> dict[str, Any]:
    return {"type": "action", "name": name,
            "provider": {"type": "process", "path": "sleep", "arguments": [str(seconds)]},
            **extra}


def experiment(tmp_path: Path, method: list[dict[str, Any]], **fields: Any) -> Path:
    data: dict[str, Any] = {"title": "dependency outage", "method": method,
                            "probe_interval": 0.05, "recovery_timeout": 3, **fields}
    path = tmp_path / "experiment.json"
    path.write_text(json.dumps(data))
    return path
