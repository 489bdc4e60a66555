"""The built-in faults through the experiment runner: an experiment file names them by kind,
the loader builds them with the registry, the runner injects and reverts them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from drillhall.chaos.journal import read_journal
from drillhall.chaos.loader import load_experiment
from drillhall.chaos.runner import RunnerSettings, run_experiment
from drillhall.errors import ConfigError
from tests.chaos.faults.conftest import Service, alive, answers


def _experiment(tmp_path: Path, service: Service, fault: dict[str, object]) -> Path:
    data = {
        "title": "the service survives being killed",
        "probe_interval": 0.05, "recovery_timeout": 10,
        "steady-state-hypothesis": {"title": "port answers", "probes": [
            {"type": "probe", "name": "port-open",
             "provider": {"type": "tcp", "port": service.port, "timeout": 1}}]},
        "method": [{"type": "action", "name": "kill-service",
                    "provider": {"type": "fault", **fault}}],
    }
    path = tmp_path / "experiment.json"
    path.write_text(json.dumps(data))
    return path


def test_kill_fault_in_an_experiment_is_reverted(service: Service, tmp_path: Path) -> None:
    service.start()
    path = _experiment(tmp_path, service, {
        "kind": "process-kill", "cmdline": service.marker, "restart_command": service.command,
        "health": {"tcp_port": service.port, "timeout": 10}})
    report = run_experiment(load_experiment(path), RunnerSettings(
        journal=tmp_path / "journal.jsonl", cancel=threading.Event()))
    # killing the service breaks the steady state (possibly before inject() even returned:
    # the runner pre-empts it); either way the revert restarts it and the service recovers
    assert report.outcome == "deviated"
    assert "port-open" in report.reason
    assert report.faults_registered == 1
    assert report.recovered is True
    assert report.faults_left == ()
    ends = [e for e in read_journal(report.journal) if e["event"] == "revert-end"]
    assert [e["status"] for e in ends] == ["ok"]
    assert answers(service.port)
    assert len(alive(service.marker)) == 1


def test_bad_fault_arguments_name_the_file_and_activity(service: Service, tmp_path: Path
                                                        ) -> None:
    path = _experiment(tmp_path, service, {"kind": "process-kill", "cmdline": "x"})
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    text = err.value.diagnostics()
    assert "experiment.json" in text and "method[0]" in text
    assert "fault 'process-kill'" in text and "irreversible: true" in text
