"""Wrong and flipped labels, found by confident learning over out-of-sample probabilities.

The probabilities come from K-fold cross-validation of a default model (logistic regression
over standardised numeric columns, one-hot categories and TF-IDF text), or from the user
(``pred_probs``: one column per class, classes in sorted order). Then, following the confident
learning method of Northcutt, Jiang and Chuang (2021):

1. each class ``j`` gets a threshold ``t_j``: the mean probability of ``j`` over the rows
   labelled ``j`` (the model's average self-confidence on that class);
2. a row is *confidently* of class ``k`` when ``p_k >= t_k`` (the most probable class if
   several classes reach their thresholds); counting (given label, confident class) pairs
   gives the confident joint, which is calibrated so that each given label's row sums to
   that label's count;
3. the joint estimates how many rows of each given label are wrong (the label's count minus
   its diagonal, rounded so that each label's total is kept); within each given label that
   many rows with the lowest probability of their given label are taken, and those whose most
   probable class is their given label are dropped again;
4. beyond that budget, a row is also flagged when it is more likely mislabelled than not: the
   joint gives a noise matrix ``P(given | true)``, whose inverse turns the model's
   probabilities of the (noisy) given labels into probabilities of the true class, and so the
   probability that the row's given label is wrong.

On scikit-learn's digits, wine and breast cancer and a text set with 5-20 % random flips
(``bench/data``), steps 1-3 flag the same rows as cleanlab's ``prune_by_class`` filter; step 4
adds a few more flipped rows on digits and wine and none elsewhere.

The score of an issue is ``1 - p_given`` (higher is more suspicious).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillhall.core.model import Confidence, Severity
from drillhall.errors import InputError
from drillhall.ml.data.base import DataIssue, Table
from drillhall.ml.data.deps import need
from drillhall.ml.data.features import feature_matrix, split_columns

RULE = "DH-DATA-LABEL-ISSUE"
TAG = "label:flip"
REGULARISATION = (0.1, 1.0, 10.0)
"""Inverse regularisation strengths tried; the one with the best out-of-sample log loss on
the given labels is kept (strong regularisation resists memorising the flipped labels)."""



THRESHOLD_SLACK = 1e-6
"""A probability this close below a class threshold still counts as reaching it."""

MIN_SIGNAL = 0.05
"""Out-of-sample accuracy must beat the majority-class rate by this much for label checks."""

@dataclass(frozen=True)
class LabelReport:
    """What the label check found, and what it could not do (``skipped``)."""

    issues: list[DataIssue] = field(default_factory=list)
    classes: tuple[str, ...] = ()
    skipped: str | None = None
    model: str = ""


def labels_of(table: Table) -> tuple[Any, tuple[str, ...]]:
    """The label of each row as a string array, and the sorted classes."""
    np = need("numpy")
    assert table.label is not None
    values = table.frame[table.label].astype(str).to_numpy()
    classes = tuple(str(c) for c in sorted(set(values.tolist())))
    return np.asarray(values, dtype=object), classes


def cross_val_probs(table: Table, classes: Sequence[str], *, folds: int = 5,
                    seed: int = 0) -> tuple[Any, str]:
    """Out-of-sample probabilities (rows by classes) from the default model, and its name."""
    np = need("numpy")
    linear = need("sklearn.linear_model")
    selection = need("sklearn.model_selection")
    x = feature_matrix(table, split_columns(table))
    if x.shape[1] == 0:
        raise InputError("the data set has no usable feature columns for the label check")
    y_text, _ = labels_of(table)
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[v] for v in y_text])
    smallest = int(np.bincount(y).min())
    k = min(folds, smallest)
    if k < 2:
        raise InputError("every class needs at least two rows for cross-validation")
    cv = selection.StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    best: tuple[float, float, Any] | None = None
    for c in REGULARISATION:
        model = linear.LogisticRegression(C=c, max_iter=2000)
        probs = selection.cross_val_predict(model, x, y, cv=cv, method="predict_proba")
        loss = float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)).mean())
        if best is None or loss < best[0]:
            best = (loss, c, probs)
    assert best is not None
    return best[2], f"logistic regression (C={best[1]:g}), {k}-fold cross-validation"


def load_pred_probs(path: Path, rows: int, classes: Sequence[str]) -> Any:
    """Read user probabilities from ``.npy`` or CSV (one column per class, sorted order)."""
    np = need("numpy")
    try:
        if path.suffix.lower() == ".npy":
            probs = np.load(path, allow_pickle=False)
        else:
            pd = need("pandas")
            frame = pd.read_csv(path)
            if all(str(c) in classes for c in frame.columns):
                frame = frame[[c for c in classes if c in frame.columns]]
            probs = frame.to_numpy(dtype=float)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read predicted probabilities ({exc})") from None
    if probs.ndim != 2 or probs.shape != (rows, len(classes)):
        raise InputError(f"{path}: predicted probabilities have shape {probs.shape}, expected "
                         f"({rows}, {len(classes)}) rows by classes")
    return probs


def _round_rows(matrix: Any) -> Any:
    """Round each row of ``matrix`` to integers that keep the row's (rounded) total: the
    largest-remainder method."""
    np = need("numpy")
    out = np.floor(matrix)
    for i, row in enumerate(matrix):
        short = round(float(row.sum() - out[i].sum()))
        if short > 0:
            out[i, np.argsort(-(row - out[i]), kind="stable")[:short]] += 1
    return out.astype(int)


def confident_joint(labels: Any, probs: Any) -> Any:
    """The calibrated confident joint: ``[given, true]`` counts of rows, as floats summing to
    the number of rows, each row summing to that label's count (steps 1 and 2 of the module
    docstring)."""
    np = need("numpy")
    n, k = probs.shape
    counts = np.bincount(labels, minlength=k)
    thresholds = np.array([probs[labels == j, j].mean() if counts[j] else 1.0
                           for j in range(k)])
    above = probs >= thresholds - THRESHOLD_SLACK
    several = above.sum(axis=1) > 1
    # confidently of class k: the only class above its threshold, or the most probable class
    # when several are
    confident = np.where(several, probs.argmax(axis=1), above.argmax(axis=1))
    has_confident = above.any(axis=1)
    joint = np.zeros((k, k))
    np.add.at(joint, (labels[has_confident], confident[has_confident]), 1)
    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
    joint = joint / joint.sum(axis=1, keepdims=True) * counts[:, None]
    return joint / max(float(joint.sum()), 1e-12) * n


def wrong_label_posterior(labels: Any, probs: Any, joint: Any) -> Any | None:
    """For each row, the probability that its given label is wrong, from the noise matrix the
    confident joint estimates: ``P(given | true)`` is inverted to turn the model's
    probabilities of the (noisy) given labels into probabilities of the true class. ``None``
    when the noise matrix cannot be inverted."""
    np = need("numpy")
    n = len(labels)
    true_share = joint.sum(axis=0)
    if (true_share <= 0).any():
        return None
    noise = joint / true_share[None, :]  # noise[i, j] = P(given i | true j)
    try:
        inverse = np.linalg.inv(noise)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(inverse).all():
        return None
    true = np.clip(probs @ inverse.T, 0.0, None)
    true = true / np.clip(true.sum(axis=1, keepdims=True), 1e-12, None)
    given = np.clip(probs[np.arange(n), labels], 1e-12, None)
    clean = noise[labels, labels] * true[np.arange(n), labels] / given
    return 1.0 - np.clip(clean, 0.0, 1.0)


def find_issue_rows(labels: Any, probs: Any) -> tuple[Any, Any]:
    """Confident learning on integer ``labels`` and ``probs``: (flagged row indices ranked
    most suspicious first, the class each flagged row most likely belongs to)."""
    np = need("numpy")
    n, k = probs.shape
    counts = np.bincount(labels, minlength=k)
    joint = confident_joint(labels, probs)
    expected = counts - _round_rows(joint).diagonal()
    given = probs[np.arange(n), labels]
    others = probs.copy()
    others[np.arange(n), labels] = -1.0
    best_other = others.argmax(axis=1)
    margin = others.max(axis=1) - given
    argmax_differs = probs.argmax(axis=1) != labels
    flagged: set[int] = set()
    for j in range(k):
        members = np.flatnonzero(labels == j)
        if expected[j] <= 0 or len(members) < 2:
            continue
        # the least self-confident first: on scikit-learn's digits, breast cancer and wine
        # with 5-20 % flips this ranks as well or better than the normalised margin
        order = members[np.argsort(given[members], kind="stable")]
        flagged.update(i for i in order[:expected[j]].tolist() if argmax_differs[i])
    posterior = wrong_label_posterior(labels, probs, joint)
    if posterior is not None:
        # beyond the per-class budget: any row more likely mislabelled than not
        flagged.update(np.flatnonzero((posterior > 0.5) & argmax_differs).tolist())
    rows = np.array(sorted(flagged, key=lambda i: (-margin[i], i)), dtype=int)
    return rows, best_other[rows] if len(rows) else rows


def label_issues(table: Table, *, folds: int = 5, seed: int = 0,
                 pred_probs: Path | None = None) -> LabelReport:
    """Find rows whose label is probably wrong (see the module docstring)."""
    np = need("numpy")
    if table.label is None:
        return LabelReport(skipped="no label column given")
    values, classes = labels_of(table)
    if pred_probs is not None:
        probs = load_pred_probs(pred_probs, len(values), classes)
        model = f"predicted probabilities from {pred_probs.name}"
    else:
        try:
            probs, model = cross_val_probs(table, classes, folds=folds, seed=seed)
        except InputError as exc:
            return LabelReport(classes=classes, skipped=str(exc))
    index = {c: i for i, c in enumerate(classes)}
    labels = np.array([index[v] for v in values])
    accuracy = float(np.mean(probs.argmax(axis=1) == labels))
    majority = float(np.bincount(labels).max() / len(labels))
    if accuracy < majority + MIN_SIGNAL:
        # a model that does no better than always answering the commonest class cannot say
        # which labels are wrong; flagging its disagreements would flag noise
        return LabelReport(classes=classes, model=model, skipped=(
            f"the features do not predict the label (out-of-sample accuracy {accuracy:.2f}, "
            f"majority class {majority:.2f}): label checks need a signal to compare with"))
    rows, likely = find_issue_rows(labels, probs)
    issues = []
    for row, other in zip(rows.tolist(), likely.tolist(), strict=True):
        p_given = float(probs[row, labels[row]])
        p_other = float(probs[row, other])
        given, says = classes[labels[row]], classes[other]
        issues.append(DataIssue(
            rule_id=RULE, severity=Severity.MEDIUM, tag=TAG, row=row, field=table.label,
            score=round(1.0 - p_given, 4),
            message=f"label {given!r} is probably wrong: out-of-sample model says {says!r} "
                    f"(p={p_other:.2f}) and gives {given!r} only p={p_given:.2f}",
            evidence=f"given {given!r}, model says {says!r} (p={p_other:.2f})",
            confidence=Confidence.HIGH if p_other >= 0.8 else Confidence.MEDIUM))
    return LabelReport(issues=issues, classes=classes, model=model)
