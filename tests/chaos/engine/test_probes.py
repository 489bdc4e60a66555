"""Probes against real sockets and processes; tolerances and JSONPath."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from drillhall.chaos.jsonpath import find
from drillhall.chaos.probes.base import ProbeError
from drillhall.chaos.probes.command import CommandProvider
from drillhall.chaos.probes.http import HttpProvider
from drillhall.chaos.probes.process import ProcessAliveProvider
from drillhall.chaos.probes.python import PythonProvider
from drillhall.chaos.probes.slo import SloProvider, percentile
from drillhall.chaos.probes.tcp import TcpProvider
from drillhall.chaos.tolerance import from_raw
from tests.chaos.engine.conftest import Service

NO = threading.Event()


def test_http_checks(service: Service) -> None:
    ok = HttpProvider(service.url + "/health", json_path="$.db", json_expect="up",
                      body_contains="ok", max_latency_ms=1000).run(NO, None)
    assert ok.ok and ok.output["status"] == 200 and ok.output["body"]["db"] == "up"
    slow = HttpProvider(service.url + "/slow", max_latency_ms=50).run(NO, None)
    assert not slow.ok and "ms >" in slow.detail
    regex = HttpProvider(service.url + "/health", body_regex=r'"db": "down"').run(NO, None)
    assert not regex.ok
    service.marker.write_text("x")
    down = HttpProvider(service.url + "/health").run(NO, None)
    assert not down.ok and down.error is None and down.output["status"] == 503
    expected = HttpProvider(service.url + "/health", expected_status=(200,)).run(NO, None)
    assert expected.error and "503" in expected.error


def test_http_refused_is_an_activity_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ProbeError, match="failed"):
        HttpProvider(f"http://127.0.0.1:{port}/", timeout=1).run(NO, None)


def test_tcp_probe(service: Service) -> None:
    assert TcpProvider("127.0.0.1", service.port).run(NO, None).ok
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refused = TcpProvider("127.0.0.1", port, timeout=1).run(NO, None)
    assert not refused.ok and refused.output["connected"] is False


def test_slo_probe(service: Service) -> None:
    good = SloProvider(service.url + "/health", requests=6, concurrency=2,
                       max_latency_ms=1000).run(NO, None)
    assert good.ok and good.output["requests"] == 6 and good.output["errors"] == 0
    slow = SloProvider(service.url + "/slow", requests=3, max_latency_ms=50).run(NO, None)
    assert not slow.ok and "p95" in slow.detail
    service.marker.write_text("x")
    errors = SloProvider(service.url + "/health", requests=4, max_error_rate=0.5).run(NO, None)
    assert not errors.ok and errors.output["error_rate"] == 1.0
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile([5.0], 99) == 5.0


def test_process_alive_by_pid_file_and_name(tmp_path: Path) -> None:
    pid_file = tmp_path / "app.pid"
    pid_file.write_text(str(os.getpid()))
    assert ProcessAliveProvider(pid_file=str(pid_file)).run(NO, None).ok
    assert not ProcessAliveProvider(pid_file=str(tmp_path / "none.pid")).run(NO, None).ok
    token = f"drillhall-probe-{os.getpid()}"
    proc = __import__("subprocess").Popen(["sh", "-c", f"exec sleep 5 # {token}"])
    try:
        time.sleep(0.1)
        found = ProcessAliveProvider(name="sleep 5").run(NO, None)
        assert found.ok and proc.pid in found.output["pids"]
    finally:
        proc.kill()
        proc.wait()
    assert proc.pid not in ProcessAliveProvider(name="sleep 5").run(NO, None).output["pids"]


def test_command_probe_exit_status_and_cancel() -> None:
    ok = CommandProvider(("sh", "-c", "echo hi; exit 0")).run(NO, None)
    assert ok.ok and ok.output == {"status": 0, "stdout": "hi\n", "stderr": ""}
    failed = CommandProvider(("sh", "-c", "exit 3")).run(NO, None)
    assert not failed.ok and failed.output["status"] == 3
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    started = time.monotonic()
    killed = CommandProvider(("sleep", "10")).run(cancel, None)
    assert killed.error and time.monotonic() - started < 1
    timed = CommandProvider(("sleep", "10"), timeout=0.1).run(NO, None)
    assert timed.error and "did not finish" in timed.error


def test_python_probe() -> None:
    assert PythonProvider("os.path", "isdir", {"s": "/"}).run(NO, None).ok
    with pytest.raises(ProbeError, match="cannot import"):
        PythonProvider("no_such_module_x", "f").run(NO, None)
    with pytest.raises(ProbeError, match="raised"):
        PythonProvider("json", "loads", {"s": "{"}).run(NO, None)


@pytest.mark.parametrize(("raw", "value", "expected"), [
    (True, True, True), (True, False, False),
    (0, {"status": 0, "stdout": ""}, True), (0, {"status": 1}, False), (200, 200, True),
    ([200, 204], {"status": 204}, True), ([200, 204], {"status": 201}, False),
    ([1, 10], 5, True), ([1, 10], 11, False), (["a", "b", "c"], "b", True),
    ("ok", "ok", True),
    ({"type": "range", "range": [0, 1.5], "target": "x"}, {"x": 1.2}, True),
    ({"type": "range", "range": [0, 1]}, "nan-ish", False),
    ({"type": "regex", "pattern": "^up", "target": "stdout"}, {"stdout": "up 3 days"}, True),
    ({"type": "jsonpath", "path": "$.items[*].ok", "expect": [True, True]},
     '{"items": [{"ok": true}, {"ok": true}]}', True),
    ({"type": "jsonpath", "path": "$.items[?(@.ok == false)]", "count": 0},
     {"items": [{"ok": True}]}, True),
    ({"type": "jsonpath", "path": "$..name", "expect": ["a", "b"]},
     {"x": {"name": "a"}, "y": [{"name": "b"}]}, True),
])
def test_tolerances_as_chaos_toolkit(raw: object, value: object, expected: bool) -> None:
    assert from_raw(raw).accepts(value) is expected


def test_jsonpath_subset() -> None:
    doc = {"a": [{"b": 1}, {"b": 2}, {"b": 3}], "c": {"d": "x"}}
    assert find("$.a[0].b", doc) == [1]
    assert find("$.a[-1].b", doc) == [3]
    assert find("$.a[1:].b", doc) == [2, 3]
    assert find("$['c']['d']", doc) == ["x"]
    assert find("$.a[?(@.b >= 2)].b", doc) == [2, 3]
    assert find("$.c.*", doc) == ["x"]
    with pytest.raises(ValueError, match="must start"):
        find("a.b", doc)
