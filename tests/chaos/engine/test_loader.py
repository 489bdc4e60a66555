"""Reading experiment files: Chaos Toolkit compatibility, drillhall fields, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillhall.chaos.experiment import FaultAction
from drillhall.chaos.loader import load_experiment
from drillhall.chaos.probes.command import CommandProvider
from drillhall.chaos.probes.http import HttpProvider
from drillhall.chaos.probes.python import PythonProvider
from drillhall.errors import ConfigError
from tests.chaos.engine.markerfault import KIND, REMOTE_KIND

CTK = {
    "version": "1.0.0",
    "title": "System is resilient to provider's failures",
    "description": "Can our consumer survive gracefully a provider's failure?",
    "tags": ["service", "kubernetes"],
    "configuration": {"base": {"type": "env", "key": "TEST_BASE_URL",
                               "default": "http://127.0.0.1:9"},
                      "port": {"type": "env", "key": "TEST_PORT", "env_var_type": "int",
                               "default": 9}},
    "secrets": {"svc": {"token": {"type": "env", "key": "TEST_TOKEN"}}},
    "steady-state-hypothesis": {
        "title": "Services are all available and healthy",
        "probes": [
            {"type": "probe", "name": "consumer-service-must-still-respond",
             "tolerance": [200, 204],
             "provider": {"type": "http", "url": "${base}/health",
                          "headers": {"Authorization": "Bearer ${token}"}}},
            {"type": "probe", "name": "app-responds-ok", "tolerance": {
                "type": "jsonpath", "path": "$.status", "expect": "ok", "target": "body"},
             "provider": {"type": "http", "url": "${base}/status", "timeout": [1, 3]}},
        ]},
    "method": [
        {"type": "action", "name": "stop-provider-service",
         "provider": {"type": "process", "path": "echo", "arguments": "--name provider"},
         "pauses": {"after": 1}},
        {"ref": "consumer-service-must-still-respond"},
        {"type": "probe", "name": "read-config", "provider": {
            "type": "python", "module": "os.path", "func": "exists",
            "arguments": {"path": "/etc/hostname"}}},
    ],
    "rollbacks": [{"type": "action", "name": "start-provider-service",
                   "provider": {"type": "process", "path": "echo", "arguments": ["up"]}}],
}


def write(tmp_path: Path, data: object, name: str = "exp.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_reads_a_chaos_toolkit_experiment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEST_TOKEN", "secret-token-value-123")
    monkeypatch.setenv("TEST_PORT", "8080")
    x = load_experiment(write(tmp_path, CTK))
    assert x.title.startswith("System is resilient")
    assert [p.name for p in x.steady_state] == ["consumer-service-must-still-respond",
                                                 "app-responds-ok"]
    first = x.steady_state[0].provider
    assert isinstance(first, HttpProvider)
    assert first.url == "http://127.0.0.1:9/health"
    assert first.headers["Authorization"] == "Bearer secret-token-value-123"
    assert x.secret_values == ("secret-token-value-123",)
    second = x.steady_state[1].provider
    assert isinstance(second, HttpProvider) and second.timeout == 3
    assert x.steady_state[0].tolerance is not None
    assert x.steady_state[0].tolerance.accepts({"status": 204})
    assert not x.steady_state[0].tolerance.accepts({"status": 500})
    assert x.steady_state[1].tolerance.accepts({"body": {"status": "ok"}})
    action = x.method[0].provider
    assert isinstance(action, CommandProvider) and action.argv == ("echo", "--name", "provider")
    assert x.method[0].pauses.after == 1
    assert x.method[1] is x.steady_state[0]  # a ref
    assert isinstance(x.method[2].provider, PythonProvider)
    assert x.rollbacks[0].name == "start-provider-service"


def test_reads_yaml_with_drillhall_fields(tmp_path: Path) -> None:
    text = f"""
title: kill the classifier
hypothesis: the assistant still answers while the classifier restarts
blast_radius: one local process
max_duration: 2m
probe_interval: 500ms
expected_impact: triage answers fail for a few seconds
expected_response: the supervisor restarts it
rollback_steps: [restart it by hand]
stop_conditions:
  - name: error-rate
    abort_when: fails
    provider: {{type: slo, url: "http://127.0.0.1:9/", requests: 5, max_error_rate: 0.2}}
method:
  - type: action
    name: break
    timeout: 5s
    provider: {{type: fault, kind: "{KIND}", path: {tmp_path / "m"}}}
  - type: probe
    name: tcp
    provider: {{type: tcp, port: 9}}
"""
    x = load_experiment(write(tmp_path, text, "exp.yaml"))
    assert x.max_duration == 120 and x.probe_interval == 0.5
    assert x.blast_radius.description == "one local process"
    assert x.notes.rollback_steps == ("restart it by hand",)
    assert x.stop_conditions[0].abort_when == "fails"
    assert isinstance(x.method[0].provider, FaultAction) and x.method[0].timeout == 5
    assert x.remote_faults() == ()
    assert any("revert registered" in line for line in x.plan())


@pytest.mark.parametrize(("text", "expected"), [
    ("title: t\nmethod:\n  - type: action\n    name: a\n    provider:\n      type: shell\n",
     "exp.yaml:6: method[0].provider.type: provider type 'shell' is not one of"),
    ("title: t\nmethod: []\nmax_duraton: 5\n",
     "exp.yaml:3: max_duraton: unknown key"),
    ("title: t\nmethod: []\nmax_duration: soon\n",
     "exp.yaml:3: max_duration: 'soon' is not a duration"),
    ("title: t\nmethod:\n  - type: probe\n    name: p\n    tolerance: {type: regex}\n"
     "    provider: {type: tcp, port: 1}\n",
     "exp.yaml:5: method[0].tolerance: a regex tolerance needs a 'pattern'"),
    ("title: t\nmethod:\n  - ref: nothing\n", "exp.yaml:3: method[0].ref: no activity named"),
    ("title: t\nmethod:\n  - type: action\n    name: f\n    provider:\n      type: fault\n"
     "      kind: no.such.module:Fault\n",
     "exp.yaml:5: method[0].provider: fault kind 'no.such.module:Fault' cannot be imported"),
    ("title: t\nmethod: [\n", "exp.yaml:3: invalid YAML"),
    ("- just\n- a list\n", "an experiment is a mapping"),
    ("title: t\nmethod:\n  - type: action\n    name: f\n    provider:\n      type: fault\n"
     f"      kind: {KIND}\n      colour: red\n",
     "exp.yaml:5: method[0].provider: fault MarkerFault:"),
])
def test_errors_name_file_line_and_path(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_experiment(write(tmp_path, text, "exp.yaml"))
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")


def test_missing_env_secret_and_blast_radius_limits(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="TEST_TOKEN is not set"):
        load_experiment(write(tmp_path, CTK))
    fault = {"type": "action", "name": "f",
             "provider": {"type": "fault", "kind": REMOTE_KIND, "path": str(tmp_path / "m")}}
    with pytest.raises(ConfigError, match="local_only forbids"):
        load_experiment(write(tmp_path, {"title": "t", "method": [fault],
                                         "blast_radius": {"local_only": True}}))
    with pytest.raises(ConfigError, match="more than max_faults = 0"):
        load_experiment(write(tmp_path, {"title": "t", "method": [fault],
                                         "blast_radius": {"max_faults": 0}}))
    with pytest.raises(ConfigError, match="a rollback cannot inject a fault"):
        load_experiment(write(tmp_path, {"title": "t", "method": [], "rollbacks": [fault]}))
