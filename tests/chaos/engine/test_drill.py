"""The chaos drill: options, metrics, findings, dry run, blackouts and --yes."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from drillhall.chaos import rules
from drillhall.chaos.drill import from_config
from drillhall.chaos.safety import active_blackout, parse_blackout
from drillhall.chaos.timing import parse_duration
from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.errors import ConfigError
from tests.chaos.engine.conftest import (
    Service,
    experiment,
    health_probe,
    marker_fault,
    sleep_action,
)
from tests.chaos.engine.markerfault import REMOTE_KIND


def test_deviation_result_metrics_and_findings(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(10)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    drill = from_config({"experiment": str(path), "journal": "j.jsonl"}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert result.status is Status.FAILED
    assert result.metric("chaos.deviated") == 1 and result.metric("chaos.gate_failed") == 0
    assert result.metric("chaos.faults_left") == 0
    assert 0 < (result.metric("chaos.detect_seconds") or 0) < 2
    assert (result.metric("chaos.revert_seconds") or 0) > 0
    assert [f.rule_id for f in result.findings] == [rules.DEVIATION]
    assert result.findings[0].location.path == "experiment.json"
    assert (tmp_path / "j.jsonl").exists()
    assert not service.marker.exists()
    assert any(e.event == "experiment-end" for e in result.journal)


def test_gate_failure_is_its_own_outcome(service: Service, tmp_path: Path) -> None:
    service.marker.write_text("down")
    path = experiment(tmp_path, [sleep_action(0.01)],
                      **{"steady-state-hypothesis": {"probes": [health_probe(service)]}})
    result = from_config({"experiment": str(path)}, tmp_path).run(DrillContext(root=tmp_path))
    assert result.status is Status.FAILED
    assert result.metric("chaos.gate_failed") == 1 and result.metric("chaos.deviated") == 0
    assert [f.rule_id for f in result.findings] == [rules.GATE_FAILED]
    assert list((tmp_path / ".drillhall" / "journals").glob("*.jsonl"))


def test_dry_run_plans_and_touches_nothing(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service)])
    drill = from_config({"experiment": str(path)}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path, dry_run=True))
    assert result.status is Status.SKIPPED and "dry run" in (result.reason or "")
    assert any("revert registered" in e.detail for e in result.journal)
    assert not service.marker.exists() and not (tmp_path / ".drillhall").exists()


def test_cancel_reverts_and_reports_interrupted(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service), sleep_action(30)])
    ctx = DrillContext(root=tmp_path, cancel=threading.Event())
    threading.Timer(0.3, ctx.cancel.set).start()
    result = from_config({"experiment": str(path)}, tmp_path).run(ctx)
    assert result.status is Status.INTERRUPTED
    assert result.metric("chaos.faults_left") == 0 and not service.marker.exists()


def test_remote_faults_need_yes(service: Service, tmp_path: Path) -> None:
    fault = marker_fault(service)
    fault["provider"]["kind"] = REMOTE_KIND
    path = experiment(tmp_path, [fault])
    with pytest.raises(ConfigError, match="--yes"):
        from_config({"experiment": str(path)}, tmp_path).run(DrillContext(root=tmp_path))
    assert not service.marker.exists()
    result = from_config({"experiment": str(path), "yes": True}, tmp_path).run(
        DrillContext(root=tmp_path))
    assert result.status is Status.PASSED and not service.marker.exists()


def test_blackout_refuses_to_start(service: Service, tmp_path: Path) -> None:
    path = experiment(tmp_path, [marker_fault(service)])
    drill = from_config({"experiment": str(path), "blackout": ["daily 00:00-24:00"]},
                        tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert result.status is Status.SKIPPED and "blackout" in (result.reason or "")
    assert not service.marker.exists()
    with pytest.raises(ConfigError, match=r"\[drills.chaos\] key 'blackout'"):
        from_config({"experiment": str(path), "blackout": ["Fryday 16:00-Mon 08:00"]},
                    tmp_path)
    with pytest.raises(ConfigError, match="unknown key"):
        from_config({"experiment": str(path), "colour": "red"}, tmp_path)


@pytest.mark.parametrize(("entry", "moment", "inside"), [
    ("Fri 16:00-Mon 08:00", datetime(2026, 11, 27, 17, 0), True),   # Friday
    ("Fri 16:00-Mon 08:00", datetime(2026, 11, 29, 12, 0), True),   # Sunday
    ("Fri 16:00-Mon 08:00", datetime(2026, 11, 30, 8, 0), False),   # Monday 08:00
    ("Fri 16:00-Mon 08:00", datetime(2026, 11, 26, 12, 0), False),  # Thursday
    ("Sat-Sun", datetime(2026, 11, 29, 23, 59), True),
    ("Sat-Sun", datetime(2026, 11, 30, 0, 0), False),
    ("daily 22:00-06:00", datetime(2026, 11, 26, 23, 0), True),
    ("daily 22:00-06:00", datetime(2026, 11, 30, 5, 0), True),      # Monday, wraps Sunday
    ("daily 22:00-06:00", datetime(2026, 11, 26, 12, 0), False),
    ("2026-12-24/2026-12-26", datetime(2026, 12, 26, 23, 0), True),
    ("2026-12-24/2026-12-26", datetime(2026, 12, 27, 0, 0), False),
    ("2026-12-24T18:00/2026-12-27T08:00", datetime(2026, 12, 24, 17, 59), False),
])
def test_blackout_windows(entry: str, moment: datetime, inside: bool) -> None:
    assert (active_blackout([parse_blackout(entry)], moment) is not None) is inside


def test_durations() -> None:
    assert parse_duration("500ms") == 0.5 and parse_duration("2m") == 120
    assert parse_duration(3) == 3.0
    for bad in ("soon", -1, True, "1d"):
        with pytest.raises(ValueError):
            parse_duration(bad)
