"""Drift of the guard's live signals, judged on synthetic guard summary runs in a real store."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.llm.evals.drift import DriftSettings, check_drift, split_windows
from drillhall.llm.evals.drill import from_config
from drillhall.llm.evals.history import GuardWindow, guard_windows
from drillhall.store import Store
from tests.llm.evals.fakes import cli, guard_run, report

BASE_VECTOR = [1.0, 0.5, 0.25, 0.0] * 4
SHIFTED_VECTOR = [0.0, 0.25, 0.5, 1.0] * 4


def stable(index: int, rng: random.Random) -> dict[str, object]:
    return {"refusal": 0.05 + rng.uniform(-0.005, 0.005),
            "blocked": 0.02 + rng.uniform(-0.003, 0.003),
            "injection": 0.01 + rng.uniform(-0.002, 0.002),
            "leak": 0.001, "chars": 400 + rng.uniform(-20, 20),
            "latency": 200 + rng.uniform(-10, 10), "p95": 600 + rng.uniform(-30, 30),
            "added": 2.0 + rng.uniform(-0.1, 0.1),
            "vector": [v + rng.uniform(-0.03, 0.03) for v in BASE_VECTOR]}


def fill(root: Path, windows: int, shifted_recent: int = 0, seed: int = 7) -> None:
    rng = random.Random(seed)
    with Store.open(None, root=root) as store:
        for i in range(windows):
            values = stable(i, rng)
            if i >= windows - shifted_recent:
                values |= {"refusal": 0.15, "leak": 0.02, "latency": 420.0,
                           "injection": 0.002, "vector": SHIFTED_VECTOR}
            store.save(guard_run(i, **values))  # type: ignore[arg-type]


def test_stable_series_not_flagged(tmp_path: Path) -> None:
    fill(tmp_path, 13)
    drill = from_config({"drift": True, "service": "docs-guard"}, tmp_path)
    result = drill.run(DrillContext(tmp_path))
    assert result.status is Status.PASSED and result.findings == ()
    assert result.metric("eval.drift.baseline_windows") == 10
    assert result.metric("eval.drift.recent_windows") == 3
    assert result.metric("eval.drift.shifted") == 0
    for signal in ("refusal_rate", "blocked_rate", "injection_rate", "leak_rate",
                   "answer_chars_p50", "latency_ms_p50", "latency_ms_p95",
                   "added_latency_ms_p50", "answer_vector"):
        assert result.metric(f"eval.drift.{signal}") is not None, signal
    assert abs(result.metric("eval.drift.refusal_rate") or 0) < 3
    assert (result.metric("eval.drift.answer_vector") or 1) < 0.05


def test_shift_detected_per_signal_and_stored(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fill(tmp_path, 13, shifted_recent=3)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "drift.json"
    code = cli("llm", "eval", "--drift", "--service", "docs-guard", "--baseline-window", "8",
               "-f", "json", "-o", str(out))
    assert code == 1
    result = report(out)
    rules = {f["location"]["symbol"]: f["rule_id"] for f in result["findings"]}
    assert rules == {"guard.refusal_rate": "DH-EVAL-DRIFT-REFUSAL",
                     "guard.leak_rate": "DH-EVAL-DRIFT-LEAK",
                     "guard.latency_ms_p50": "DH-EVAL-DRIFT-LATENCY",
                     "guard.answer_vector": "DH-EVAL-DRIFT-ANSWERS"}
    metrics = result["metrics"]
    assert metrics["eval.drift.baseline_windows"] == 8 and metrics["eval.drift.shifted"] == 4
    assert metrics["eval.drift.refusal_rate"] > 10
    assert metrics["eval.drift.injection_rate"] < -3  # dropped: not a finding
    assert metrics["eval.drift.answer_vector"] > 0.3
    refusal = next(f for f in result["findings"] if "refusal" in f["location"]["symbol"])
    assert "went from 5." in refusal["evidence"] and "to 15.00%" in refusal["evidence"]
    # the drift check is a stored run: it shows in history
    with Store.open(None, root=tmp_path) as store:
        series = store.metric_series("eval.drift.refusal_rate")
    assert len(series) == 1 and series[0][2] == metrics["eval.drift.refusal_rate"]


def test_too_few_summaries_is_a_skip(tmp_path: Path) -> None:
    fill(tmp_path, 4)
    drill = from_config({"drift": True, "service": "docs-guard"}, tmp_path)
    result = drill.run(DrillContext(tmp_path))
    assert result.status is Status.SKIPPED
    assert result.reason is not None and "holds 4 guard summaries" in result.reason
    other = from_config({"drift": True, "service": "other"}, tmp_path).run(
        DrillContext(tmp_path))
    assert other.status is Status.SKIPPED and "holds 0 guard summaries" in (other.reason or "")
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = from_config({"drift": True, "service": "x"}, empty).run(DrillContext(empty))
    assert nothing.status is Status.SKIPPED
    assert not (empty / ".drillhall").exists()  # reading never creates a store


def test_windows_split_and_directions(tmp_path: Path) -> None:
    fill(tmp_path, 6)
    with Store.open(None, root=tmp_path) as store:
        windows = guard_windows(store, "docs-guard", 5)
    assert [w.run_id for w in windows] == [f"guard-{i:04d}" for i in range(1, 6)]
    base, recent = split_windows(windows, DriftSettings(baseline=10, recent=2))
    assert len(base) == 3 and len(recent) == 2

    def window(i: int, **metrics: float) -> GuardWindow:
        return GuardWindow(f"w{i}", windows[0].started, {"guard.requests": 1000, **metrics})

    baseline = [window(i, **{"guard.leak_rate": 0.05, "guard.latency_ms_p50": 200.0 + i,
                             "guard.answer_chars_p50": 400.0 + i}) for i in range(5)]
    down = [window(9, **{"guard.leak_rate": 0.0, "guard.latency_ms_p50": 20.0,
                         "guard.answer_chars_p50": 100.0})]
    found = {s.signal: s for s in check_drift(baseline, down, DriftSettings())}
    assert not found["leak_rate"].shifted and found["leak_rate"].statistic < -5
    assert not found["latency_ms_p50"].shifted  # faster is not a problem
    assert found["answer_chars_p50"].shifted  # shorter answers are
    assert "refusal_rate" not in found and "answer_vector" not in found  # no data
