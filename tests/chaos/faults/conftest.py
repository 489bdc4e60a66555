"""Helpers for the fault tests: a real TCP service to kill and restart, cleanup of every
process a test started, and running a revert in a fresh Python process."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from drillhall.chaos.faults.base import Revert

SERVICE = Path(__file__).with_name("service.py")
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            return conn.recv(3) == b"ok\n"
    except OSError:
        return False


def alive(marker: str) -> list[psutil.Process]:
    """Live (non-zombie) processes whose command line contains ``marker``."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE and marker in " ".join(proc.cmdline()):
                found.append(proc)
    return found


def wait_for(check, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())


def revert_in_fresh_process(record: Revert) -> subprocess.CompletedProcess[str]:
    """Run ``record`` the way ``drillhall chaos recover`` does: a new interpreter that has
    only the JSON record, loading every reverter first."""
    code = ("import json, sys\n"
            "from drillhall.chaos.faults.registry import load_reverters\n"
            "from drillhall.chaos.faults.base import Revert, run_revert\n"
            "load_reverters()\n"
            "print(run_revert(Revert.from_dict(json.loads(sys.argv[1]))))\n")
    return subprocess.run([sys.executable, "-c", code, json.dumps(record.as_dict())],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)


@dataclass
class Service:
    port: int
    pid_file: Path
    marker: str
    command: list[str]

    def start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL)
        assert wait_for(lambda: answers(self.port)), "the test service did not start"
        return proc


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A TCP service (not yet started) whose every process is killed after the test."""
    marker = f"svc-{uuid.uuid4().hex[:10]}"
    port = free_port()
    pid_file = tmp_path / "service.pid"
    svc = Service(port, pid_file, marker,
                  [sys.executable, str(SERVICE), str(port), str(pid_file), marker])
    try:
        yield svc
    finally:
        for proc in alive(marker):
            with contextlib.suppress(psutil.Error):
                proc.kill()
