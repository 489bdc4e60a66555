"""Confident learning on data with known flips: digits with 10 % random flips, user probs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from sklearn.datasets import load_digits  # type: ignore[import-untyped]

from drillhall.errors import InputError
from drillhall.ml.data.base import Table
from drillhall.ml.data.labels import find_issue_rows, label_issues


def _table(frame: pd.DataFrame, label: str = "label") -> Table:
    return Table(frame=frame, sources=tuple((Path("d.csv"), i) for i in range(len(frame))),
                 label=label)


def _flipped_digits(seed: int, share: float = 0.1) -> tuple[Table, set[int]]:
    digits = load_digits()
    rng = np.random.default_rng(seed)
    y = digits.target.copy()
    flips = rng.choice(len(y), int(share * len(y)), replace=False)
    for i in flips:
        y[i] = rng.choice([c for c in range(10) if c != y[i]])
    frame = pd.DataFrame(digits.data, columns=[f"px{i}" for i in range(64)])
    frame["label"] = [f"d{v}" for v in y]
    return _table(frame), set(flips.tolist())


def test_digits_with_ten_percent_flips_reaches_f1() -> None:
    table, truth = _flipped_digits(seed=0)
    report = label_issues(table, seed=0)
    found = {issue.row for issue in report.issues}
    tp = len(found & truth)
    precision, recall = tp / len(found), tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.85, (precision, recall)
    first = report.issues[0]
    assert first.tag == "label:flip" and first.rule_id == "DH-DATA-LABEL-ISSUE"
    assert first.evidence.startswith("given 'd")
    assert first.score is not None and first.score > 0.5


def test_user_probabilities_are_used(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(6), "label": ["a", "a", "a", "b", "b", "b"]})
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.05, 0.95],
                      [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    path = tmp_path / "probs.npy"
    np.save(path, probs)
    report = label_issues(_table(frame), pred_probs=path)
    assert [issue.row for issue in report.issues] == [2]
    assert "model says 'b'" in report.issues[0].message
    bad = tmp_path / "bad.npy"
    np.save(bad, probs[:, :1])
    with pytest.raises(InputError, match=r"bad\.npy: predicted probabilities have shape"):
        label_issues(_table(frame), pred_probs=bad)


def test_clean_confident_labels_have_no_issues() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2])
    probs = np.eye(3)[labels] * 0.9 + 0.1 / 3
    rows, _ = find_issue_rows(labels, probs)
    assert rows.tolist() == []


def test_too_few_rows_per_class_is_a_skip_with_a_reason() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": ["a", "a", "b"]})
    report = label_issues(_table(frame))
    assert report.skipped and "at least two rows" in report.skipped
    assert report.issues == []


def test_counts_are_rounded_keeping_each_label_total() -> None:
    from drillhall.ml.data.labels import _round_rows

    matrix = np.array([[33.4, 33.3, 33.3], [0.5, 0.5, 9.0]])
    rounded = _round_rows(matrix)
    assert rounded.tolist() == [[34, 33, 33], [1, 0, 9]]
    assert rounded.sum(axis=1).tolist() == [100, 10]


def test_rows_more_likely_wrong_than_right_are_flagged_beyond_the_budget() -> None:
    from drillhall.ml.data.labels import confident_joint, wrong_label_posterior

    # 40 rows per class, a well-separated model; rows 0 and 1 are labelled 0 but the model
    # is sure they are 1, row 2 is labelled 0 and only leans to 1
    labels = np.array([0] * 40 + [1] * 40)
    probs = np.where(labels[:, None] == np.arange(2), 0.9, 0.1)
    probs[[0, 1]] = [0.02, 0.98]
    probs[2] = [0.45, 0.55]
    posterior = wrong_label_posterior(labels, probs, confident_joint(labels, probs))
    assert posterior is not None
    assert posterior[0] > 0.5 and posterior[1] > 0.5
    assert posterior[2] < posterior[0] and posterior[3:].max() < 0.5
    rows, likely = find_issue_rows(labels, probs)
    assert set(rows.tolist()[:2]) == {0, 1} and likely.tolist()[:2] == [1, 1]
    assert not set(rows.tolist()) & set(range(3, 80))
