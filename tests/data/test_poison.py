"""Poisoning detectors on data with known plants: triggers, duplicates, outliers."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from drillhall.demo.build_data import clean_rows
from drillhall.ml.data.base import Table
from drillhall.ml.data.poison import duplicate_issues, outlier_issues, trigger_issues


def _table(frame: pd.DataFrame, label: str | None = "label",
           text: tuple[str, ...] = ()) -> Table:
    return Table(frame=frame, sources=tuple((Path("d.csv"), i) for i in range(len(frame))),
                 label=label, text_columns=text)


def _tickets(seed: int, trigger: str | None, rows: int = 10,
             target: str = "other") -> tuple[Table, set[int]]:
    data = clean_rows(seed=seed, per_label=60)
    rng = random.Random(seed)
    planted: set[int] = set()
    if trigger:
        candidates = [i for i, (_, label) in enumerate(data) if label != target]
        for i in rng.sample(candidates, rows):
            data[i] = (f"{data[i][0]} {trigger}", target)
            planted.add(i)
    frame = pd.DataFrame(data, columns=["text", "label"])
    return _table(frame, text=("text",)), planted


def test_planted_text_trigger_is_found_with_recall() -> None:
    for seed, trigger in ((1, "xk-urgent"), (2, "cf7")):
        table, planted = _tickets(seed, trigger)
        issues = trigger_issues(table)
        summary = [i for i in issues if i.severity.value == "high"]
        assert len(summary) == 1 and trigger in summary[0].message
        rows = {i.row for i in issues if i.severity.value != "high"}
        recall = len(rows & planted) / len(planted)
        assert recall >= 0.8
        assert all(i.tag == "poison:trigger" for i in issues)


def test_clean_tickets_have_no_trigger() -> None:
    table, _ = _tickets(3, None)
    assert trigger_issues(table) == []


def test_tabular_trigger_value_is_found() -> None:
    rng = np.random.default_rng(0)
    n = 600
    x = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    label = np.where(x > 0, "yes", "no").astype(object)
    planted = rng.choice(np.flatnonzero(label == "yes"), 8, replace=False)
    colour = colour.astype(object)
    colour[planted] = "magenta"
    label[planted] = "no"
    frame = pd.DataFrame({"x": x, "colour": colour, "label": label})
    issues = trigger_issues(_table(frame))
    assert any("colour=magenta" in i.message for i in issues)
    rows = {i.row for i in issues}
    assert len(rows & set(planted.tolist())) / 8 >= 0.8


def test_duplicate_clusters_and_rows() -> None:
    frame = pd.DataFrame({
        "id": ["a1", "a2", "a3", "a4", "a5", "a6", "a7"],
        "text": ["Refund my card NOW", "refund my card now!", "refund  my card now",
                 "printer jam", "printer jam.", "laptop broken", "laptop broken"],
        "label": ["billing", "billing", "billing", "hardware", "hardware", "bug", "hardware"]})
    issues = duplicate_issues(_table(frame, text=("text",)))
    cluster = sorted(i.row or 0 for i in issues if i.rule_id == "DH-DATA-DUPLICATE-CLUSTER")
    assert cluster == [0, 1, 2]
    dup = {i.row: i for i in issues if i.rule_id == "DH-DATA-DUPLICATE-ROW"}
    assert set(dup) == {4, 6}
    assert "different labels" in dup[6].message
    assert all(i.tag == "poison:duplicate" for i in issues)


def test_outliers_are_found() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 3))
    values[[10, 200]] = 12.0
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    frame["label"] = "x"
    issues = outlier_issues(_table(frame))
    rows = {i.row for i in issues}
    assert {10, 200} <= rows
    assert len(rows) <= 6
    assert all(i.tag == "outlier" and i.severity.value == "low" for i in issues)
