"""``drillhall chaos run | validate | recover`` as a user runs them: in a subprocess, with
real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.chaos.engine.conftest import (
    Service,
    experiment,
    health_probe,
    marker_fault,
    sleep_action,
)

ROOT = Path(__file__).resolve().parents[3]


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("DRILLHALL_DATABASE_URL", None)
    return env


def inproc(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path,
           *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process (faster than a subprocess)."""
    from tests.chaos.engine.cli import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tests.chaos.engine.cli", *args], cwd=cwd,
                          env=_env(), capture_output=True, text=True, timeout=60, check=False)


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.chaos.engine.cli", *args], cwd=cwd,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(journal: Path, event: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and f'"event": "{event}"' in journal.read_text():
            return
        time.sleep(0.02)
    raise AssertionError(f"{event} never appeared in {journal}")


def test_run_reports_one_drill_result_as_json(service: Service, tmp_path: Path, capsys,
                                              monkeypatch) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(0.05)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    journal = tmp_path / "j.jsonl"
    code, out, err = inproc(capsys, monkeypatch, tmp_path, "chaos", "run", str(path),
                            "--journal", str(journal), "--format", "json", "--no-store")
    assert code == 1, err
    report = json.loads(out)
    (result,) = report["results"]
    assert result["drill"] == "chaos" and result["status"] == "failed"
    metrics = result["metrics"]
    assert metrics["chaos.deviated"] == 1 and metrics["chaos.gate_failed"] == 0
    assert metrics["chaos.faults_left"] == 0
    assert {"chaos.detect_seconds", "chaos.recover_seconds", "chaos.revert_seconds"} <= set(
        metrics)
    assert [f["rule_id"] for f in result["findings"]] == ["DH-CHAOS-DEVIATION"]
    assert journal.exists() and not service.marker.exists()


def test_passing_run_exits_0_and_dry_run_touches_nothing(service: Service, tmp_path: Path,
                                                         capsys, monkeypatch) -> None:
    other = tmp_path / "other-marker"
    fault = marker_fault(service)
    fault["provider"]["path"] = str(other)
    path = experiment(tmp_path, [fault],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    code, out, err = inproc(capsys, monkeypatch, tmp_path, "chaos", "run", str(path),
                            "--dry-run", "--format", "json", "--no-store")
    assert code == 0, err
    assert json.loads(out)["results"][0]["status"] == "skipped"
    assert not (tmp_path / ".drillhall").exists() and not other.exists()
    code, out, err = inproc(capsys, monkeypatch, tmp_path, "chaos", "run", str(path),
                            "--format", "json", "--no-store")
    assert code == 0, err
    assert json.loads(out)["results"][0]["status"] == "passed"
    assert list((tmp_path / ".drillhall" / "journals").glob("chaos-*.jsonl"))
    assert not other.exists()


def test_validate_prints_the_plan_and_names_errors(service: Service, tmp_path: Path, capsys,
                                                   monkeypatch) -> None:
    path = experiment(tmp_path, [marker_fault(service)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    code, out, err = inproc(capsys, monkeypatch, tmp_path, "chaos", "validate", str(path))
    assert code == 0, err
    assert "revert registered before injection" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\nmethod:\n  - type: probe\n    name: p\n    provider:\n"
                   "      type: tcp\n      port: http\n")
    code, out, err = inproc(capsys, monkeypatch, tmp_path, "chaos", "validate", str(bad))
    assert code == 2
    assert f"{bad}:7: method[0].provider.port" in " ".join(err.split())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_reverts_the_fault(service: Service, tmp_path: Path, sig: int) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)])
    journal = tmp_path / "j.jsonl"
    proc = start("chaos", "run", str(path), "--journal", str(journal), "--format", "json",
                 "--no-store", cwd=tmp_path)
    wait_for(journal, "fault-injected")
    assert service.marker.exists()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert not service.marker.exists()
    result = json.loads(out)["results"][0]
    assert result["status"] == "interrupted"
    assert result["metrics"]["chaos.faults_left"] == 0


def test_second_ctrl_c_cannot_skip_the_revert(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service, revert_delay=0.8), sleep_action(30)])
    journal = tmp_path / "j.jsonl"
    proc = start("chaos", "run", str(path), "--journal", str(journal), "--format", "json",
                 "--no-store", cwd=tmp_path)
    wait_for(journal, "fault-injected")
    proc.send_signal(signal.SIGINT)
    wait_for(journal, "revert-start", timeout=5)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert not service.marker.exists()
    ends = [json.loads(line) for line in journal.read_text().splitlines()
            if '"revert-end"' in line]
    assert ends and ends[0]["status"] == "ok"


def test_sigkill_then_recover_leaves_no_fault(service: Service, tmp_path: Path, capsys,
                                              monkeypatch) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)])
    journal = tmp_path / "j.jsonl"
    proc = start("chaos", "run", str(path), "--journal", str(journal), "--no-store",
                 cwd=tmp_path)
    wait_for(journal, "fault-injected")
    proc.kill()
    _, err = proc.communicate(timeout=10)
    assert service.marker.exists(), err  # the runner died with the fault in place
    code, out, _ = inproc(capsys, monkeypatch, tmp_path, "chaos", "recover", str(journal),
                          "--dry-run")
    assert code == 0 and "pending" in out, out
    done = cli("chaos", "recover", str(journal), cwd=tmp_path)  # a fresh process
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reverted" in done.stdout, done.stdout + done.stderr
    assert not service.marker.exists()
    code, out, _ = inproc(capsys, monkeypatch, tmp_path, "chaos", "recover", str(journal))
    assert code == 0 and "nothing to revert" in out, out
