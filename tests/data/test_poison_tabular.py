"""Backdoor triggers stamped on tabular rows: one regression per miss the benchmark found
(bench/data: numeric triggers in wine and breast cancer, and triggers on 4% of rows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
datasets = pytest.importorskip("sklearn.datasets")

from drillhall.ml.data.base import Table  # noqa: E402
from drillhall.ml.data.poison import find_triggers  # noqa: E402


def _stamped(loader_name: str, share: float, seed: int = 0) -> tuple[Table, set[int]]:
    data = getattr(datasets, loader_name)()
    frame = pd.DataFrame(data.data, columns=[f"f{i}" for i in range(data.data.shape[1])])
    labels = data.target.astype(str)
    truth: set[int] = set()
    if share:
        rng = np.random.default_rng(seed)
        rows = rng.choice(np.where(labels != "0")[0], max(3, int(share * len(labels))),
                          replace=False)
        top = frame.max()
        for r in rows:  # two out-of-range values stamped together, and the target label
            frame.iloc[r, 0] = top.iloc[0] * 1.5 + 1
            frame.iloc[r, 1] = top.iloc[1] * 1.5 + 1
            labels[r] = "0"
        truth = set(rows.tolist())
    frame["label"] = labels
    sources = tuple((Path("data.csv"), i) for i in range(len(frame)))
    return Table(frame=frame, sources=sources, label="label"), truth


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer", "load_digits"])
def test_clean_tabular_sets_have_no_trigger(loader: str) -> None:
    table, _ = _stamped(loader, 0.0)
    assert find_triggers(table) == []


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer", "load_digits"])
@pytest.mark.parametrize("share", [0.01, 0.04])
def test_stamped_values_are_found(loader: str, share: float) -> None:
    table, truth = _stamped(loader, share)
    found = {r for trigger in find_triggers(table) for r in trigger.rows}
    assert len(found & truth) / len(truth) >= 0.8
    assert not found - truth


def _bench_planted(loader_name: str, share: float, seed: int) -> tuple[Table, set[int]]:
    """The trigger as bench/data/labels.py plants it: the first and the last column set to the
    column's maximum plus three times its range (plus one) on ``share`` of the rows (at least
    three), taken from other classes and relabelled as the first class. On wine the first and
    last columns (alcohol, proline) are high for class 0 anyway, so the stamped values also
    move the rows' deciles towards the target label: the trigger check must leave those out
    too, or the rows' other content seems to agree with the planted label."""
    data = getattr(datasets, loader_name)()
    x = data.data.astype(float).copy()
    y = data.target.copy()
    rng = np.random.default_rng(seed)
    rows = rng.choice(np.flatnonzero(y != 0), max(3, round(share * len(y))), replace=False)
    y[rows] = 0
    span = x.max(axis=0) - x.min(axis=0) + 1.0
    for col in (0, x.shape[1] - 1):
        x[rows, col] = x[:, col].max() + 3 * span[col]
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    frame["label"] = y.astype(str)
    sources = tuple((Path("data.csv"), i) for i in range(len(frame)))
    return Table(frame=frame, sources=sources, label="label"), set(rows.tolist())


@pytest.mark.parametrize("share", [0.01, 0.04])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wine_trigger_planted_as_the_benchmark_does_is_found(share: float, seed: int) -> None:
    table, truth = _bench_planted("load_wine", share, seed)
    found = {r for trigger in find_triggers(table) for r in trigger.rows}
    assert len(found & truth) / len(truth) >= 0.8
    assert not found - truth


def _flipped(loader_name: str, share: float, seed: int) -> Table:
    data = getattr(datasets, loader_name)()
    y = data.target.copy()
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    for r in rng.choice(len(y), round(share * len(y)), replace=False):
        y[r] = rng.choice(classes[classes != y[r]])
    frame = pd.DataFrame(data.data, columns=[f"f{i}" for i in range(data.data.shape[1])])
    frame["label"] = y.astype(str)
    return Table(frame=frame, sources=tuple((Path("d.csv"), i) for i in range(len(frame))),
                 label="label")


@pytest.mark.parametrize(("loader", "share"), [("load_wine", 0.2), ("load_breast_cancer", 0.05),
                                               ("load_breast_cancer", 0.2)])
def test_values_repeated_by_chance_on_flipped_rows_are_not_triggers(loader: str,
                                                                    share: float) -> None:
    # a measured value shared by three rows, two of them flipped to one label, used to pass
    # for a trigger (bench/data, seed 0): alone, such a value needs nearly all its rows to
    # point elsewhere
    assert find_triggers(_flipped(loader, share, seed=0)) == []


def test_trigger_search_is_bounded_on_wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillhall.ml.data import poison

    rng = np.random.default_rng(0)
    n, width = 400, 12
    x = rng.normal(size=(n, width)).round(6)
    label = np.where(x[:, 0] > 0, "yes", "no").astype(object)
    frame = pd.DataFrame(x, columns=[f"c{i}" for i in range(width)])
    planted = rng.choice(np.flatnonzero(label == "yes"), 12, replace=False)
    frame["flag"] = "off"
    frame.loc[planted, "flag"] = "on"  # the trigger sits in the last column
    label[planted] = "no"
    frame["label"] = label
    table = Table(frame=frame, sources=tuple((Path("w.csv"), i) for i in range(n)),
                  label="label")
    assert {t.token for t in find_triggers(table)} == {"flag=on"}
    assert poison.token_columns(table)[1] == 0
    monkeypatch.setattr(poison, "MAX_TOKEN_COLUMNS", 5)
    kept, left_out = poison.token_columns(table)
    assert kept.numeric == ("c0", "c1", "c2", "c3", "c4") and left_out == width + 1 - 5
    assert find_triggers(table) == []
