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
