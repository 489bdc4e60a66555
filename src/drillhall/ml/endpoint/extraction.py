"""The measured extraction test: train a copy of the model from its answers, then compare.

The copy is fitted with scikit-learn, over hashed word counts for text and over the raw
features for vectors:

* when every answer carries a score vector (probabilities or logits), the copy is a ridge
  regression onto the centred log-probabilities (or logits): the equation-solving attack that
  full score vectors make possible, exact for log-linear models such as naive Bayes or
  logistic regression;
* otherwise, from labels alone, a logistic regression.

Agreement is the share of fresh, held-out queries on which the copy predicts the endpoint's own
label. scikit-learn is the optional ``drillhall[ml]`` extra, imported only here and only when
the test runs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drillhall.errors import DependencyMissing

MIN_TRAIN = 10
MIN_TEST = 5


@dataclass(frozen=True, slots=True)
class Sample:
    """One answered query: the input, the endpoint's label and, when it sent them, its scores
    (``kind`` ``probabilities`` or ``logits``, over ``keys``)."""

    x: Any
    label: str
    kind: str = ""
    keys: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """How well a copy trained on ``train`` answers agreed with the endpoint on ``test``."""

    agreement: float
    train: int
    test: int
    classes: int
    majority_rate: float
    """Agreement a constant guess of the most common label would reach on the same test set."""
    method: str = "labels"
    """``labels`` (logistic regression) or ``scores`` (regression onto the score vectors)."""


def require_sklearn() -> None:
    """Raise :class:`DependencyMissing` when scikit-learn is not installed."""
    try:
        import sklearn  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as exc:
        raise DependencyMissing("scikit-learn", "ml") from exc


def _features(kind: str, train: Sequence[Any], test: Sequence[Any], *,
              counts: bool) -> tuple[Any, Any]:
    if kind != "text":
        return ([list(map(float, x)) for x in train], [list(map(float, x)) for x in test])
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
        HashingVectorizer,
    )

    vectorizer = HashingVectorizer(n_features=2**18, alternate_sign=False,
                                   norm=None if counts else "l2",
                                   ngram_range=(1, 1) if counts else (1, 2))
    x_train, x_test = vectorizer.transform(list(train)), vectorizer.transform(list(test))
    # only the words seen in training can get a weight: keep those columns, dense and small
    import numpy as np

    used = np.unique(x_train.nonzero()[1])
    return x_train[:, used].toarray(), x_test[:, used].toarray()


def _scored(train: Sequence[Sample]) -> bool:
    if not train or not all(s.scores for s in train):
        return False
    keys = train[0].keys
    return len(keys) >= 2 and all(s.keys == keys for s in train)


def _centred(sample: Sample) -> list[float]:
    values = ([math.log(max(v, 1e-12)) for v in sample.scores]
              if sample.kind == "probabilities" else list(sample.scores))
    mean = sum(values) / len(values)
    return [v - mean for v in values]


def _predict_scores(kind: str, train: Sequence[Sample], test: Sequence[Sample]) -> list[str]:
    from sklearn.linear_model import Ridge  # type: ignore[import-untyped]

    x_train, x_test = _features(kind, [s.x for s in train], [s.x for s in test], counts=True)
    model = Ridge(alpha=0.01)
    model.fit(x_train, [_centred(s) for s in train])
    # which label each score position stands for, learned from the answers themselves
    votes: dict[int, Counter[str]] = {}
    for s in train:
        top = max(range(len(s.scores)), key=lambda i: s.scores[i])
        votes.setdefault(top, Counter())[s.label] += 1
    keys = train[0].keys
    names = {i: votes[i].most_common(1)[0][0] if i in votes else keys[i]
             for i in range(len(keys))}
    out = []
    for row in model.predict(x_test):
        values = list(row)
        out.append(names[max(range(len(values)), key=lambda i: values[i])])
    return out


def _predict_labels(kind: str, train: Sequence[Sample], test: Sequence[Sample]) -> list[str]:
    from sklearn.linear_model import LogisticRegression  # the stubs note is given once above

    classes = sorted({s.label for s in train})
    if len(classes) < 2:
        return [classes[0] if classes else ""] * len(test)
    x_train, x_test = _features(kind, [s.x for s in train], [s.x for s in test], counts=False)
    model = LogisticRegression(max_iter=2000, C=10.0)
    model.fit(x_train, [s.label for s in train])
    return [str(p) for p in model.predict(x_test)]


def measure(kind: str, train: Sequence[Sample], test: Sequence[Sample]) -> ExtractionResult:
    """Fit the copy on the training answers and score it on the held-out ones. ``kind`` is
    ``text`` or ``vector``."""
    require_sklearn()
    scored = _scored(train)
    predictions = (_predict_scores(kind, train, test) if scored
                   else _predict_labels(kind, train, test))
    agree = sum(1 for p, s in zip(predictions, test, strict=True) if p == s.label)
    total = len(test)
    majority = Counter(s.label for s in train).most_common(1)[0][0] if train else ""
    majority_hits = sum(1 for s in test if s.label == majority)
    return ExtractionResult(
        agreement=agree / total if total else 0.0, train=len(train), test=total,
        classes=len({s.label for s in train} | {s.label for s in test}),
        majority_rate=majority_hits / total if total else 0.0,
        method="scores" if scored else "labels")
