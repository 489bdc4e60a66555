"""Drift against a trusted baseline: known shifts are found, unchanged data is quiet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("sklearn")

from drillhall.core.model import Severity  # noqa: E402
from drillhall.errors import InputError  # noqa: E402
from drillhall.ml.data.base import Table  # noqa: E402
from drillhall.ml.data.drift import (  # noqa: E402
    BASELINE_DISAGREEMENT,
    FEATURE_DRIFT,
    LABEL_SHIFT,
    DriftThresholds,
    compare,
)

WORDS = {
    "pos": ["great", "lovely", "excellent", "happy", "fine"],
    "neg": ["awful", "broken", "terrible", "sad", "refund"],
}


def _frame(n: int, seed: int, *, shift: float = 0.0, pos_share: float = 0.5,
           colours: tuple[float, float, float] = (0.5, 0.3, 0.2),
           topic: str = "") -> Any:
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < pos_share, "pos", "neg")
    signal = np.where(y == "pos", 2.0, -2.0) + rng.normal(0, 1, n)
    texts = [
        " ".join(rng.choice(WORDS[str(lab)], 3)) + (f" {topic}" if topic else "")
        for lab in y
    ]
    return pd.DataFrame({
        "signal": signal,
        "amount": rng.normal(3.0 + shift, 1.0, n),
        "colour": rng.choice(["red", "green", "blue"], n, p=list(colours)),
        "review": texts,
        "label": y,
    })


def _table(frame: Any) -> Table:
    sources = tuple((Path("data.csv"), i) for i in range(len(frame)))
    return Table(frame=frame, sources=sources, label="label", text_columns=("review",))


def _drifted(result: Any) -> set[str]:
    return {i.field for i in result.issues if i.rule_id == FEATURE_DRIFT}


def test_unchanged_data_reports_nothing() -> None:
    result = compare(_table(_frame(2000, 1)), _table(_frame(2000, 2)), label="label")
    assert result.issues == []
    assert result.drifted_features == 0
    assert result.label_shift is not None and result.label_shift < 0.05
    assert result.disagreement_rate is not None and result.disagreement_rate < 0.01


def test_numeric_shift_is_reported_with_psi_and_ks() -> None:
    result = compare(_table(_frame(2000, 1)), _table(_frame(2000, 2, shift=1.5)),
                     label="label")
    assert _drifted(result) == {"amount"}
    issue = next(i for i in result.issues if i.field == "amount")
    assert issue.tag == "drift:feature" and issue.row is None
    assert issue.severity is Severity.MEDIUM
    assert issue.score is not None and issue.score > 0.2
    assert re.fullmatch(r"PSI \d\.\d\d, KS p=\S+, mean (2\.9|3)\S* → 4\.[45]\S*", issue.evidence)


def test_categorical_and_text_shift() -> None:
    current = _frame(2000, 2, colours=(0.1, 0.2, 0.7), topic="delivery late courier")
    result = compare(_table(_frame(2000, 1)), _table(current), label="label")
    assert _drifted(result) == {"colour", "review"}
    assert result.drifted_features == 2


def test_moderate_drift_is_low_severity_and_thresholds_apply() -> None:
    base, cur = _table(_frame(4000, 1)), _table(_frame(4000, 2, shift=0.7))
    issue = next(i for i in compare(base, cur, label="label").issues if i.field == "amount")
    assert issue.score is not None
    strict = DriftThresholds(psi_drift=issue.score + 1, psi_moderate=issue.score / 2)
    moderate = next(i for i in compare(base, cur, label="label", thresholds=strict).issues
                    if i.field == "amount")
    assert moderate.severity is Severity.LOW
    lax = DriftThresholds(psi_drift=10, psi_moderate=10)
    assert _drifted(compare(base, cur, label="label", thresholds=lax)) == set()


def test_label_shift() -> None:
    result = compare(_table(_frame(2000, 1)), _table(_frame(2000, 2, pos_share=0.8)),
                     label="label")
    shifts = [i for i in result.issues if i.rule_id == LABEL_SHIFT]
    assert len(shifts) == 1
    assert shifts[0].field == "label" and shifts[0].tag == "drift:feature"
    assert result.label_shift is not None and 0.2 < result.label_shift < 0.4
    # features tied to the label follow it; the others stay put
    assert "signal" in _drifted(result) and "amount" not in _drifted(result)


def test_disagreeing_rows_are_found() -> None:
    current = _frame(1000, 2)
    flipped = [5, 17, 99, 400, 731]
    for row in flipped:
        current.loc[row, "label"] = "neg" if current.loc[row, "label"] == "pos" else "pos"
    result = compare(_table(_frame(2000, 1)), _table(current), label="label")
    rows = [i for i in result.issues if i.rule_id == BASELINE_DISAGREEMENT]
    assert {i.row for i in rows} == set(flipped)
    assert all(i.tag == "label:flip" and i.field == "label" for i in rows)
    assert all(i.score is not None and i.score >= 0.9 for i in rows)
    assert result.disagreement_rate == pytest.approx(len(flipped) / 1000)


def test_disagreement_is_capped_with_a_summary() -> None:
    current = _frame(600, 2)
    current["label"] = np.where(current["label"] == "pos", "neg", "pos")
    result = compare(_table(_frame(1000, 1)), _table(current), label="label",
                     thresholds=DriftThresholds(max_rows=20))
    rows = [i for i in result.issues if i.rule_id == BASELINE_DISAGREEMENT]
    assert len(rows) == 21
    assert rows[-1].row is None and "rows disagree" in rows[-1].message
    assert result.disagreement_rate is not None and result.disagreement_rate > 0.9


def test_without_label_only_features_are_compared() -> None:
    base = _frame(1000, 1).drop(columns="label")
    cur = _frame(1000, 2, shift=2).drop(columns="label")
    result = compare(_table(base), _table(cur), label=None)
    assert _drifted(result) == {"amount"}
    assert result.label_shift is None and result.disagreement_rate is None


def test_seeded_runs_are_identical() -> None:
    base, cur = _table(_frame(800, 1)), _table(_frame(800, 2, shift=1))
    assert compare(base, cur, label="label", seed=3) == compare(base, cur, label="label", seed=3)


def test_missing_label_column_is_one_clear_error() -> None:
    cur = _frame(100, 2).drop(columns="label")
    with pytest.raises(InputError, match="current data has no label column 'label'"):
        compare(_table(_frame(100, 1)), _table(cur), label="label")


def test_no_shared_columns_is_an_error() -> None:
    other = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(InputError, match="no column in common"):
        compare(_table(_frame(50, 1)), _table(other), label=None)


def test_one_class_baseline_skips_the_model() -> None:
    base = _frame(200, 1)
    base["label"] = "pos"
    result = compare(_table(base), _table(_frame(200, 2)), label="label")
    assert result.disagreement_rate is None
    assert any(i.rule_id == LABEL_SHIFT for i in result.issues)
