"""Several experiments as one chaos drill (``experiments = [...]``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from drillhall.chaos import rules
from drillhall.chaos.drill import ChaosDrill, from_config
from drillhall.chaos.suite import ChaosSuite
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


def _two(service: Service, tmp_path: Path) -> list[str]:
    steady = {"steady-state-hypothesis": {"probes": [health_probe(service)]}}
    deviates = experiment(tmp_path, [marker_fault(service), sleep_action(10)],
                          title="dependency outage", **steady)
    deviates = deviates.rename(tmp_path / "outage.json")
    holds = experiment(tmp_path, [sleep_action(0.05)], title="a pause", **steady)
    holds = holds.rename(tmp_path / "pause.json")
    return [deviates.name, holds.name]


def test_experiments_run_in_order_and_combine(service: Service, tmp_path: Path) -> None:
    drill = from_config({"experiments": _two(service, tmp_path)}, tmp_path)
    assert isinstance(drill, ChaosSuite) and len(drill.drills) == 2
    result = drill.run(DrillContext(root=tmp_path))
    assert result.status is Status.FAILED
    assert result.metric("chaos.experiments") == 2
    assert result.metric("chaos.experiments_held") == 1
    assert result.metric("chaos.deviated") == 1
    assert result.metric("chaos.faults_injected") == 1
    assert result.metric("chaos.faults_left") == 0
    assert [f.rule_id for f in result.findings] == [rules.DEVIATION]
    assert "dependency outage" in result.findings[0].title
    starts = [e.detail for e in result.journal if e.event == "experiment"]
    assert starts == ["outage.json", "pause.json"]
    assert not service.marker.exists()
    assert len(list((tmp_path / ".drillhall" / "journals").glob("*.jsonl"))) == 2


def test_a_cancelled_suite_starts_no_further_experiment(service: Service,
                                                        tmp_path: Path) -> None:
    drill = from_config({"experiments": _two(service, tmp_path)}, tmp_path)
    cancel = threading.Event()
    cancel.set()
    result = drill.run(DrillContext(root=tmp_path, cancel=cancel))
    assert result.status is Status.INTERRUPTED
    assert result.metric("chaos.experiments") == 0
    assert "2 of 2 experiments did not start" in (result.reason or "")


@pytest.mark.parametrize(("options", "message"), [
    ({}, "give either 'experiment'"),
    ({"experiment": "a.json", "experiments": ["b.json"]}, "give either 'experiment'"),
    ({"experiments": ["a.json"], "journal": "j.jsonl"}, "each experiment writes its own"),
])
def test_experiment_options_are_checked(tmp_path: Path, options: dict[str, object],
                                        message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_config(options, tmp_path)


def test_one_experiment_is_a_plain_chaos_drill(service: Service, tmp_path: Path) -> None:
    names = _two(service, tmp_path)
    assert isinstance(from_config({"experiment": names[1]}, tmp_path), ChaosDrill)
