"""The runner against a real HTTP service on 127.0.0.1 and real subprocesses."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from drillhall.chaos.journal import pending_reverts, read_journal
from drillhall.chaos.loader import load_experiment
from drillhall.chaos.runner import ExperimentReport, RunnerSettings, run_experiment
from tests.chaos.engine.conftest import (
    Service,
    experiment,
    health_probe,
    marker_fault,
    sleep_action,
)


def run(path: Path, tmp_path: Path, cancel: threading.Event | None = None) -> ExperimentReport:
    settings = RunnerSettings(journal=tmp_path / "journal.jsonl",
                              cancel=cancel or threading.Event())
    return run_experiment(load_experiment(path), settings)


def events(report: ExperimentReport, name: str) -> list[dict]:
    return [e for e in read_journal(report.journal) if e["event"] == name]


def test_hypothesis_holds_when_the_fault_does_not_touch_the_service(
        service: Service, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    path = experiment(tmp_path, [
        {"type": "action", "name": "harmless",
         "provider": {"type": "fault", "kind": "tests.chaos.engine.markerfault:MarkerFault",
                      "path": str(other)}},
        sleep_action(0.2)],
        **{"steady-state-hypothesis": {"title": "up", "probes": [health_probe(service)]}})
    report = run(path, tmp_path)
    assert report.outcome == "passed", report.reason
    assert report.faults_injected == 1 and report.faults_left == ()
    assert not other.exists()
    assert report.timings.revert is not None and report.timings.recover is not None
    journal = read_journal(report.journal)
    kinds = [e["event"] for e in journal]
    # the revert is on disk before the fault is injected
    assert kinds.index("revert-registered") < kinds.index("fault-injected")
    assert kinds[0] == "experiment-start" and kinds[-1] == "experiment-end"
    assert pending_reverts(journal) == []


def test_deviation_preempts_the_running_activity_and_reverts(service: Service,
                                                             tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30, "long-load-test")],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    started = time.monotonic()
    report = run(path, tmp_path)
    assert report.outcome == "deviated"
    assert "service-healthy" in report.reason
    # the 30 s activity is cut short, not waited for (how fast is measured in bench/chaos)
    assert time.monotonic() - started < 15
    assert report.timings.preempt is not None and report.timings.preempt < 2
    assert report.timings.detect is not None and report.timings.detect < 5
    assert not service.marker.exists()
    activity = [e for e in events(report, "activity") if e["name"] == "long-load-test"]
    assert activity[0]["status"] == "preempted"
    assert events(report, "revert-end")[0]["status"] == "ok"
    assert report.recovered is True


def test_deviation_after_the_method(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service)], probe_interval=0,
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    report = run(path, tmp_path)
    assert report.outcome == "deviated"
    assert [e["phase"] for e in events(report, "deviation")] == ["after"]
    assert not service.marker.exists()


def test_failed_gate_touches_nothing(service: Service, tmp_path: Path) -> None:
    service.marker.write_text("already broken")
    path = experiment(tmp_path, [marker_fault(service, "must-not-run")],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    report = run(path, tmp_path)
    assert report.outcome == "gate_failed"
    assert report.faults_registered == 0
    assert service.marker.read_text() == "already broken"
    assert not events(report, "activity")


def test_stop_condition_preempts_a_long_activity_fast(service: Service,
                                                      tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    started_file = tmp_path / "sleeper.started"  # the stop condition trips once sh runs
    stop = {"name": "dependency-marker-present", "abort_when": "holds",
            "provider": {"type": "python", "module": "os.path", "func": "exists",
                         "arguments": {"path": str(started_file)}}}
    long = {"type": "action", "name": "long",
            "provider": {"type": "process", "path": "sh",
                         "arguments": ["-c", f"echo $$ > {pid_file}; touch {started_file}; "
                                       "exec sleep 30"]}}
    path = experiment(tmp_path, [marker_fault(service), long], stop_conditions=[stop])
    started = time.monotonic()
    report = run(path, tmp_path)
    elapsed = time.monotonic() - started
    assert report.outcome == "stopped"
    assert report.stop_condition == "dependency-marker-present"
    # the 30 s activity is cut short (the 100 ms goal is measured in bench/chaos/engine.py)
    assert report.timings.preempt is not None and report.timings.preempt < 2
    assert elapsed < 15
    assert not service.marker.exists()
    # the pre-empted subprocess is killed, not left running
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not Path(f"/proc/{pid}").exists()


def test_activity_timeout_preempts_only_that_activity(service: Service,
                                                      tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service, "elsewhere-fault") | {
        "provider": {"type": "fault", "kind": "tests.chaos.engine.markerfault:MarkerFault",
                     "path": str(tmp_path / "other")}},
        sleep_action(30, "stuck", timeout=0.3), sleep_action(0.05, "after")],
        **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    started = time.monotonic()
    report = run(path, tmp_path)
    assert time.monotonic() - started < 3
    assert report.outcome == "passed"
    statuses = {e["name"]: e["status"] for e in events(report, "activity")}
    assert statuses["stuck"] == "timeout" and statuses["after"] == "succeeded"
    assert report.failed_activities and "stuck" in report.failed_activities[0]
    assert not (tmp_path / "other").exists()


def test_max_duration_aborts_and_reverts(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)],
                      max_duration="400ms")
    started = time.monotonic()
    report = run(path, tmp_path)
    assert time.monotonic() - started < 2
    assert report.outcome == "aborted" and "max_duration" in report.reason
    assert not service.marker.exists()


def test_failed_injection_still_reverts(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service, fail=True), sleep_action(5)])
    report = run(path, tmp_path)
    assert report.outcome == "error" and "not injected" in report.reason
    assert not service.marker.exists()
    assert events(report, "revert-end")[0]["status"] == "ok"


def test_cancel_event_interrupts_and_reverts(service: Service, tmp_path: Path) -> None:
    cancel = threading.Event()
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)])
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    report = run(path, tmp_path, cancel)
    assert time.monotonic() - started < 2
    assert report.outcome == "interrupted"
    assert not service.marker.exists()


def test_recovery_time_is_measured_after_revert(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(0.1)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    report = run(path, tmp_path)
    assert report.outcome == "deviated"
    recovery = events(report, "recovery")[0]
    assert recovery["recovered"] is True
    assert report.timings.recover is not None
    assert report.timings.revert is not None and report.timings.recover >= report.timings.revert


def test_rollbacks_run_and_secrets_are_masked(service: Service, tmp_path: Path,
                                              monkeypatch) -> None:
    token = "tok-" + "x7" * 10
    monkeypatch.setenv("TEST_CHAOS_TOKEN", token)
    rollback = {"type": "action", "name": "say-done",
                "provider": {"type": "process", "path": "echo",
                             "arguments": ["token", "${api_token}"]}}
    path = experiment(tmp_path, [sleep_action(0.01)], rollbacks=[rollback],
                      secrets={"svc": {"api_token": {"type": "env",
                                                     "key": "TEST_CHAOS_TOKEN"}}})
    report = run(path, tmp_path)
    assert report.outcome == "passed"
    text = report.journal.read_text()
    assert token not in text
    done = [e for e in events(report, "activity") if e["phase"] == "rollbacks"]
    assert done[0]["status"] == "succeeded"
    assert "token" in done[0]["output"]["stdout"]


def test_journal_lines_are_written_as_they_happen(service: Service, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)])
    cancel = threading.Event()
    worker = threading.Thread(target=run_experiment, args=(
        load_experiment(path), RunnerSettings(journal=journal, cancel=cancel)))
    worker.start()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if journal.exists() and "fault-injected" in journal.read_text():
            break
        time.sleep(0.02)
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [e["event"] for e in lines].count("revert-registered") == 1
    assert len(pending_reverts(lines)) == 1
    cancel.set()
    worker.join(5)
    assert pending_reverts(read_journal(journal)) == []
