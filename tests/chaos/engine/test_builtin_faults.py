"""The engine with a built-in fault kind from the fault registry (``process-stop``)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from drillhall.chaos.loader import load_experiment
from drillhall.chaos.runner import RunnerSettings, run_experiment
from tests.chaos.engine.conftest import experiment, sleep_action

pytest.importorskip("drillhall.chaos.faults.registry")


def state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def test_process_stop_is_reverted(tmp_path: Path) -> None:
    proc = subprocess.Popen(["sleep", "30"])
    try:
        pid_file = tmp_path / "victim.pid"
        pid_file.write_text(str(proc.pid))
        seen: list[str] = []
        path = experiment(tmp_path, [
            {"type": "action", "name": "freeze",
             "provider": {"type": "fault", "kind": "process-stop", "pid_file": str(pid_file)}},
            sleep_action(0.2)])
        x = load_experiment(path)
        timer = threading.Timer(0.15, lambda: seen.append(state(proc.pid)))
        timer.start()
        report = run_experiment(x, RunnerSettings(journal=tmp_path / "j.jsonl"))
        timer.join()
        assert report.outcome == "passed", report.reason
        assert seen == ["T"]  # stopped while the fault was in place
        assert state(proc.pid) != "T" and report.faults_left == ()
    finally:
        proc.kill()
        proc.wait()
