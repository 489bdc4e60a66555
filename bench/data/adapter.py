"""drillhall's label and poisoning detectors as the label benchmark calls them.

Labels: ``drillhall.ml.data.labels.find_issue_rows`` is given the very same out-of-sample
probabilities as cleanlab. Poisoning (backdoor triggers, near-duplicate clusters, duplicates
whose copies carry different labels), when the module exists, runs on a :class:`Table` built
from the same features; the rows it reports at medium severity or above under a ``poison:*``
tag are added (a user running ``drillhall ml data`` gets both). Left out: low-severity
findings, which claim nothing about a row's label — outliers, and a plain duplicated row
(two identical copies with the same label, as the generated text set happens to hold).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def table(x: Any, y: Any) -> Any:
    """The benchmark case as a drillhall Table (text in column ``text``, label ``label``)."""
    from drillhall.ml.data.base import Table

    if isinstance(x, list):
        frame = pd.DataFrame({"text": x})
        text: tuple[str, ...] = ("text",)
    else:
        frame = pd.DataFrame(np.asarray(x), columns=[f"f{i}" for i in range(np.shape(x)[1])])
        text = ()
    frame["label"] = [str(v) for v in y]
    sources = tuple((Path("bench.csv"), i) for i in range(len(frame)))
    return Table(frame=frame, sources=sources, label="label", text_columns=text)


def poison_rows() -> tuple[Callable[[Any, int], set[int]] | None, str]:
    """The poisoning detector as (table, seed) -> rows, or why not."""
    try:
        mod = importlib.import_module("drillhall.ml.data.poison")
    except ImportError as exc:
        return None, f"no poisoning detector ({exc})"
    for name in ("poison_issues", "find_poison", "detect", "scan"):
        fn = getattr(mod, name, None)
        if callable(fn):
            break
    else:
        return None, "drillhall.ml.data.poison has no known entry point"
    takes_seed = "seed" in inspect.signature(fn).parameters

    def run(tab: Any, seed: int) -> set[int]:
        out = fn(tab, seed=seed) if takes_seed else fn(tab)
        issues = getattr(out, "issues", out)
        return {int(i.row) for i in issues if getattr(i, "row", None) is not None
                and str(getattr(i, "tag", "")).startswith("poison:")
                and str(getattr(getattr(i, "severity", None), "value", "medium")) != "low"}

    return run, f"poisoning: {mod.__name__}.{name}"


def wrap(labels_mod: Any) -> tuple[Callable[..., set[int]] | None, str]:
    """(x, y, probs, seed) -> flagged rows using drillhall's detectors."""
    find = getattr(labels_mod, "find_issue_rows", None)
    if find is None:
        return None, "drillhall.ml.data.labels has no find_issue_rows"
    poison, why = poison_rows()

    def detector(x: Any, y: Any, probs: Any, seed: int) -> set[int]:
        rows, _ = find(np.asarray(y, dtype=int), np.asarray(probs))
        found = {int(r) for r in rows}
        if poison is not None:
            found |= poison(table(x, y), seed)
        return found

    return detector, f"labels.find_issue_rows + {why}"
