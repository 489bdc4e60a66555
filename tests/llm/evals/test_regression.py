"""The drop tests: one-sided two-proportion z-test and exact paired binomial test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drillhall.llm.evals.regression import (
    PastRun,
    compare,
    exact_binomial_p,
    two_proportion_p,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def run(run_id: str, passed: int, total: int = 20) -> PastRun:
    return PastRun(run_id, NOW, {f"q{i}": i < passed for i in range(total)})


def test_p_values() -> None:
    # 18/20 against 10/20: pooled p = 0.7, se = sqrt(0.7 * 0.3 * 0.1), z = 2.76, p = 0.0029
    assert two_proportion_p(18, 20, 10, 20) == pytest.approx(0.00289, abs=1e-5)
    assert two_proportion_p(10, 20, 18, 20) > 0.99  # an improvement is never a drop
    assert two_proportion_p(20, 20, 20, 20) == 1.0
    assert two_proportion_p(0, 0, 3, 5) == 1.0
    assert exact_binomial_p(5, 0) == pytest.approx(1 / 32)
    assert exact_binomial_p(3, 1) == pytest.approx(5 / 16)
    assert exact_binomial_p(0, 0) == 1.0


def test_significant_drop_and_wobble() -> None:
    current = {f"q{i}": i < 12 for i in range(20)}  # 12/20, was 19/20
    drop = compare(current, [run("r1", 19)], alpha=0.05, min_drop=0.05)
    assert drop is not None and drop.significant
    assert drop.regressions == tuple(f"q{i}" for i in range(12, 19)) and drop.fixed == ()
    assert drop.drop == pytest.approx(0.35)
    exact = compare(current, [run("r1", 19)], test="exact")
    assert exact is not None and exact.significant
    assert exact.p_value == pytest.approx(1 / 128, abs=1e-6)

    wobble = {f"q{i}": i < 18 for i in range(20)}  # 18/20, was 19/20
    assert not compare(wobble, [run("r1", 19)]).significant  # type: ignore[union-attr]
    assert not compare(wobble, [run("r1", 19)], test="exact").significant  # type: ignore[union-attr]


def test_pooled_baseline_common_items_and_min_drop() -> None:
    current = {f"q{i}": i < 15 for i in range(20)} | {"new": True}
    result = compare(current, [run("r3", 19), run("r2", 20), run("r1", 18)])
    assert result is not None
    assert result.baseline_runs == ("r3", "r2", "r1") and result.baseline_total == 60
    assert result.common_items == 20 and result.current_passed == 15
    assert result.significant
    # a significant but tiny drop on a huge set is not a finding
    big_now = {f"q{i}": i < 9700 for i in range(10_000)}
    big = compare(big_now, [run("r1", 9900, 10_000)], min_drop=0.05)
    assert big is not None and big.p_value < 0.001 and not big.significant
    assert compare({"x": True}, [run("r1", 3)]) is None
    assert compare({"x": True}, []) is None
