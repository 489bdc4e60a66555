"""Label-issue half of the training-data benchmark (runs inside bench/.work/data-venv).

Data sets: scikit-learn's bundled digits, wine and breast cancer, and a support-ticket text set
built here from templates with a seeded RNG. Each is corrupted two ways, with the corrupted
rows as ground truth:

- ``flip5`` / ``flip10`` / ``flip20``: that share of rows gets a different class, chosen at random;
- ``trigger1`` / ``trigger4``: 1% / 4% of rows (at least 3), taken from other classes, get
  a trigger (two out-of-range feature values for the tabular sets, a rare token for the
  text set) and the target class — a backdoor.

The model is the same for every tool: logistic regression (standardised features; TF-IDF for
text), and its 5-fold out-of-sample probabilities are computed once per case and handed to
cleanlab and to drillhall alike.

    python labels.py OUT.json [--quick]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

CONDITIONS = ("flip5", "flip10", "flip20", "trigger1", "trigger4")
FILTERS = ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
           "predicted_neq_given", "low_normalized_margin", "low_self_confidence")

_TOPICS = {
    "billing": ["invoice", "charge", "refund", "payment", "billed", "price", "receipt"],
    "shipping": ["parcel", "delivery", "courier", "tracking", "arrived", "shipped", "box"],
    "technical": ["crash", "error", "login", "app", "update", "screen", "bug"],
    "account": ["password", "profile", "email", "username", "settings", "locked", "signup"],
}
_FILLER = ["please", "help", "today", "again", "thanks", "still", "my", "the", "order", "issue",
           "urgent", "hello", "team", "since", "week", "really", "need"]
_TEMPLATES = [
    "{f} {t} {f} {t} {f}",
    "hello {t} {f} {f} {t}",
    "{f} {f} {t} {f}",
    "{t} {f} {t} {t} {f} {f}",
]


def text_set(seed: int = 0, n: int = 1600) -> tuple[list[str], Any]:
    """A four-class support-ticket corpus; 15% of topic words come from another topic."""
    rng = np.random.default_rng(seed)
    names = list(_TOPICS)
    y = rng.integers(0, len(names), n)
    texts = []
    for cls in y:
        tpl = _TEMPLATES[rng.integers(len(_TEMPLATES))]
        out = []
        for part in tpl.split():
            if part == "{t}":
                topic = names[cls] if rng.random() > 0.15 else names[rng.integers(len(names))]
                out.append(str(rng.choice(_TOPICS[topic])))
            elif part == "{f}":
                out.append(str(rng.choice(_FILLER)))
            else:
                out.append(part)
        texts.append(" ".join(out))
    return texts, y


def datasets() -> dict[str, tuple[Any, Any]]:
    """name -> (features or texts, labels)."""
    from sklearn import datasets as ds

    out: dict[str, tuple[Any, Any]] = {}
    for name, loader in (("digits", ds.load_digits), ("wine", ds.load_wine),
                         ("breast_cancer", ds.load_breast_cancer)):
        bunch = loader()
        out[name] = (bunch.data.astype(float), bunch.target.astype(int))
    texts, y = text_set()
    out["text"] = (texts, y)
    return out


def corrupt(x: Any, y: Any, condition: str, seed: int) -> tuple[Any, Any, set[int]]:
    """A corrupted copy of (x, y) and the corrupted row indices."""
    rng = np.random.default_rng(seed)
    y2 = y.copy()
    n = len(y)
    classes = np.unique(y)
    if condition.startswith("flip"):
        rate = int(condition[4:]) / 100
        rows = rng.choice(n, round(rate * n), replace=False)
        for r in rows:
            y2[r] = rng.choice(classes[classes != y[r]])
        return x, y2, {int(r) for r in rows}
    target = classes[0]
    candidates = np.flatnonzero(y != target)
    share = int(condition[7:]) / 100
    rows = rng.choice(candidates, max(3, round(share * n)), replace=False)
    y2[rows] = target
    if isinstance(x, list):
        x2 = list(x)
        for r in rows:
            words = x2[r].split()
            words.insert(int(rng.integers(len(words) + 1)), "zq7vortex")
            x2[r] = " ".join(words)
        return x2, y2, {int(r) for r in rows}
    x2 = np.array(x, dtype=float)
    span = x2.max(axis=0) - x2.min(axis=0) + 1.0
    for col in (0, x2.shape[1] - 1):  # two corner features pushed well outside their range
        x2[rows, col] = x2[:, col].max() + 3 * span[col]
    return x2, y2, {int(r) for r in rows}


def oos_probs(x: Any, y: Any, seed: int) -> Any:
    """5-fold out-of-sample class probabilities of logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    first = TfidfVectorizer(sublinear_tf=True) if isinstance(x, list) else StandardScaler()
    model = make_pipeline(first, LogisticRegression(max_iter=3000))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    return cross_val_predict(model, x, y, cv=folds, method="predict_proba")


def prf(found: set[int], truth: set[int]) -> dict[str, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else (1.0 if not truth else 0.0)
    r = tp / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "flagged": len(found)}


def drillhall_labels() -> tuple[Callable[..., set[int]] | None, str]:
    """drillhall's label detector wrapped as (x, y, probs, seed) -> flagged rows, or why not."""
    try:
        from drillhall.ml.data import labels as dl
    except ImportError as exc:
        return None, f"drillhall.ml.data.labels not importable ({exc})"
    import adapter

    return adapter.wrap(dl)


def describe() -> str:
    """What the drillhall column measures."""
    try:
        from drillhall.ml.data import labels as dl
    except ImportError as exc:
        return f"not importable ({exc})"
    import adapter

    return adapter.wrap(dl)[1]


def run(quick: bool) -> dict[str, Any]:
    from cleanlab.filter import find_label_issues

    seeds = [0] if quick else [0, 1, 2]
    detector, why = drillhall_labels()
    cases = []
    for name, (x, y) in datasets().items():
        for condition in CONDITIONS:
            for seed in seeds:
                xc, yc, truth = corrupt(x, y, condition, seed)
                t0 = time.perf_counter()
                probs = oos_probs(xc, yc, seed)
                model_s = time.perf_counter() - t0
                case: dict[str, Any] = {"dataset": name, "condition": condition, "seed": seed,
                                        "rows": len(yc), "corrupted": len(truth),
                                        "model_s": model_s, "tools": {}}
                for filt in FILTERS:
                    t0 = time.perf_counter()
                    try:
                        mask = find_label_issues(labels=yc, pred_probs=probs, filter_by=filt)
                    except Exception as exc:
                        case["tools"][f"cleanlab:{filt}"] = {"error": str(exc)[:200]}
                        continue
                    res = prf({int(i) for i in np.flatnonzero(mask)}, truth)
                    res["seconds"] = time.perf_counter() - t0
                    case["tools"][f"cleanlab:{filt}"] = res
                if detector is not None:
                    t0 = time.perf_counter()
                    try:
                        found = detector(xc, yc, probs, seed)
                        res = prf(found, truth)
                        res["seconds"] = time.perf_counter() - t0
                    except Exception as exc:
                        res = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                    case["tools"]["drillhall"] = res
                cases.append(case)
                print(f"labels {name} {condition} seed={seed} done", file=sys.stderr)
    return {"cases": cases, "drillhall": describe() if detector else why,
            "filters": list(FILTERS)}


if __name__ == "__main__":
    out = run("--quick" in sys.argv)
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1)
