"""Safety regressions: a reused journal, a journal that cannot be written, secrets in reasons
and restart environments, and probes reading endless answers."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from drillhall.chaos.drill import from_config
from drillhall.chaos.journal import Journal, pending_reverts, read_journal
from drillhall.chaos.probes.http import HttpProvider
from drillhall.chaos.recover import _runner_alive
from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from tests.chaos.engine.conftest import (
    Service,
    experiment,
    health_probe,
    marker_fault,
    sleep_action,
)


def test_runs_sharing_a_journal_never_share_fault_ids(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service)])
    for _ in range(2):
        drill = from_config({"experiment": str(path), "journal": "shared.jsonl"}, tmp_path)
        assert drill.run(DrillContext(root=tmp_path)).status is Status.PASSED
    records = read_journal(tmp_path / "shared.jsonl")
    ids = [r["id"] for r in records if r["event"] == "revert-registered"]
    assert len(ids) == 2 and len(set(ids)) == 2
    # a third run that died mid-fault: its revert is pending although "fault-…" ended before
    dead = dict(next(r for r in records if r["event"] == "revert-registered"), id="x-fault-0-0")
    start = dict(records[0], pid=2 ** 22 + 7)  # a pid that is not running
    with_third = [*records, start, dead]
    assert [p.id for p in pending_reverts(with_third)] == ["x-fault-0-0"]
    assert _runner_alive(with_third) is None
    live = dict(records[0], pid=os.getpid() + 0)  # this process counts as "not another runner"
    assert _runner_alive([*records, live]) is None


def test_a_journal_that_cannot_be_written_never_stops_the_revert(
        service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = experiment(tmp_path, [marker_fault(service)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    real_event = Journal.event

    def full_disk(self: Journal, name: str, /, **fields: Any) -> dict[str, Any]:
        if name == "fault-injected":  # from here on the disk is full
            self._file = _FullDisk()  # type: ignore[assignment]
        return real_event(self, name, **fields)

    monkeypatch.setattr(Journal, "event", full_disk)
    drill = from_config({"experiment": str(path)}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert not service.marker.exists()  # reverted although the journal is full
    assert result.metric("chaos.faults_left") in (0, None)


class _FullDisk:
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        raise OSError(28, "No space left on device")

    def fileno(self) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        return None


def test_secrets_never_reach_the_reason_or_the_plan(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    token = "supersecret-token-abcdef"  # a test value, not a credential format
    monkeypatch.setenv("PROBE_TOKEN", token)
    probe = {"type": "probe", "name": "health", "tolerance": 200, "provider": {
        "type": "http", "url": "http://127.0.0.1:9/health?key=${tok}", "timeout": 1}}
    path = experiment(tmp_path, [sleep_action(0.01)],
                      secrets={"api": {"tok": {"type": "env", "key": "PROBE_TOKEN"}}},
                      **{"steady-state-hypothesis": {"probes": [probe]}})
    drill = from_config({"experiment": str(path)}, tmp_path)
    assert all(token not in line for line in drill.experiment.plan())
    result = drill.run(DrillContext(root=tmp_path))
    assert result.status is Status.FAILED
    shown = json.dumps([result.reason, result.diagnostics,
                        [(j.event, j.detail) for j in result.journal],
                        [f.evidence for f in result.findings]])
    assert token not in shown and "sha256:" in shown


def test_restart_environment_values_stay_out_of_the_journal(tmp_path: Path) -> None:
    from drillhall.chaos.faults.process import RestartSpec

    spec = RestartSpec(("true",), env={"API_TOKEN": "value-that-must-not-be-written"})
    assert "value-that-must-not-be-written" not in json.dumps(spec.as_dict())
    assert spec.as_dict()["env_names"] == ["API_TOKEN"]
    rebuilt = RestartSpec.from_dict({**spec.as_dict(), **spec.private()})
    assert rebuilt.env == {"API_TOKEN": "value-that-must-not-be-written"}
    os.environ["API_TOKEN"] = "from-the-recovering-process"
    try:
        assert RestartSpec.from_dict(spec.as_dict()).env == {
            "API_TOKEN": "from-the-recovering-process"}
    finally:
        del os.environ["API_TOKEN"]


@pytest.fixture
def endless() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x" * 65536)
                    time.sleep(0.001)
            except OSError:
                return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_probe_reads_an_endless_answer_within_its_time_and_memory(endless: str) -> None:
    probe = HttpProvider(url=endless, timeout=1.0)
    started = time.monotonic()
    observation = probe.run(threading.Event(), None)
    assert time.monotonic() - started < 3
    body = observation.output["body"]
    assert isinstance(body, str) and len(body) <= 64_000
