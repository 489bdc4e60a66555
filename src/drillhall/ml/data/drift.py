"""Drift of a data set against a trusted baseline snapshot.

:func:`compare` looks at three things, each measured from the baseline's point of view:

- the label distribution (chi-square test on the label counts and total variation distance);
- every feature column: numeric columns by a two-sample Kolmogorov-Smirnov test and the
  population stability index (PSI) over ten quantile bins of the baseline, categorical
  columns by a chi-square test and PSI over their categories, text columns by a chi-square
  test and PSI over the baseline's most frequent tokens;
- rows of the current snapshot whose label contradicts a model fitted on the baseline
  (logistic regression; TF-IDF for text columns) that is confident (``p >= 0.9`` by default).

scipy and scikit-learn come with the optional ``drillhall[ml]`` extra and are imported when
:func:`compare` runs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drillhall.core.model import Confidence, Severity
from drillhall.errors import InputError
from drillhall.ml.data.base import DataIssue, Table
from drillhall.ml.data.deps import need

LABEL_SHIFT = "DH-DATA-LABEL-SHIFT"
FEATURE_DRIFT = "DH-DATA-FEATURE-DRIFT"
BASELINE_DISAGREEMENT = "DH-DATA-BASELINE-DISAGREEMENT"

_EPS = 1e-4
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class DriftThresholds:
    """When a difference between baseline and current counts as drift.

    A feature is drifted when its PSI exceeds ``psi_drift``, and moderately drifted (reported
    at low severity) when its PSI lies between ``psi_moderate`` and ``psi_drift`` and its test
    (KS or chi-square) gives ``p < p_value``. The label distribution has shifted when its total
    variation distance exceeds ``label_tv`` and the chi-square test gives ``p < p_value``.
    """

    psi_drift: float = 0.2
    psi_moderate: float = 0.1
    p_value: float = 0.01
    label_tv: float = 0.1
    confidence: float = 0.9
    bins: int = 10
    top_categories: int = 30
    top_tokens: int = 200
    max_rows: int = 500
    max_fit_rows: int = 50_000


@dataclass(frozen=True, slots=True)
class DriftResult:
    """What :func:`compare` found.

    ``label_shift`` is the total variation distance between the label distributions and
    ``disagreement_rate`` the share of current rows contradicted by the baseline model; both
    are ``None`` when there is no label column (or, for the rate, no model could be fitted).
    """

    issues: list[DataIssue]
    drifted_features: int
    label_shift: float | None
    disagreement_rate: float | None


@dataclass(frozen=True, slots=True)
class _Stat:
    psi: float
    p: float
    test: str
    detail: str


def _psi(base: Sequence[float], cur: Sequence[float]) -> float:
    """Population stability index between two count vectors over the same bins."""
    nb, nc = float(sum(base)), float(sum(cur))
    if nb <= 0 or nc <= 0:
        return 0.0
    total = 0.0
    for b, c in zip(base, cur, strict=True):
        pb, pc = max(b / nb, _EPS), max(c / nc, _EPS)
        total += (pc - pb) * math.log(pc / pb)
    return total


def _chi2_p(base: Sequence[float], cur: Sequence[float]) -> float:
    """p-value of a chi-square test of homogeneity on two count vectors (1.0 if degenerate)."""
    pairs = [(b, c) for b, c in zip(base, cur, strict=True) if b + c > 0]
    if len(pairs) < 2 or not any(b for b, _ in pairs) or not any(c for _, c in pairs):
        return 1.0
    stats = need("scipy.stats")
    table = [[b for b, _ in pairs], [c for _, c in pairs]]
    return float(stats.chi2_contingency(table).pvalue)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _numeric(base: Any, cur: Any, th: DriftThresholds) -> _Stat | None:
    np = need("numpy")
    pd = need("pandas")
    b = pd.to_numeric(base, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    c = pd.to_numeric(cur, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    b, c = b[~np.isnan(b)], c[~np.isnan(c)]
    if len(b) == 0 or len(c) == 0:
        return None
    edges = np.unique(np.quantile(b, np.linspace(0, 1, th.bins + 1))[1:-1])
    bc = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1)
    p = float(need("scipy.stats").ks_2samp(b, c).pvalue)
    detail = f"mean {_fmt(float(b.mean()))} → {_fmt(float(c.mean()))}"
    return _Stat(_psi(bc.tolist(), cc.tolist()), p, "KS", detail)


def _categorical(base: Any, cur: Any, th: DriftThresholds) -> _Stat | None:
    b = Counter(str(v) for v in base.dropna())
    c = Counter(str(v) for v in cur.dropna())
    if not b or not c:
        return None
    keep = [k for k, _ in b.most_common(th.top_categories)]
    kept = set(keep)
    bc = [b[k] for k in keep] + [sum(v for k, v in b.items() if k not in kept)]
    cc = [c[k] for k in keep] + [sum(v for k, v in c.items() if k not in kept)]
    unseen = sum(v for k, v in c.items() if k not in b) / sum(c.values())
    detail = f"{len(b)} → {len(c)} distinct values, {unseen:.1%} of current values unseen"
    return _Stat(_psi(bc, cc), _chi2_p(bc, cc), "χ²", detail)


def _tokens(text: object) -> list[str]:
    return _TOKEN.findall(str(text).lower())


def _text(base: Any, cur: Any, th: DriftThresholds) -> _Stat | None:
    b: Counter[str] = Counter()
    c: Counter[str] = Counter()
    for v in base.dropna():
        b.update(_tokens(v))
    for v in cur.dropna():
        c.update(_tokens(v))
    if not b or not c:
        return None
    keep = [k for k, _ in b.most_common(th.top_tokens)]
    kept = set(keep)
    bc = [b[k] for k in keep] + [sum(v for k, v in b.items() if k not in kept)]
    cc = [c[k] for k in keep] + [sum(v for k, v in c.items() if k not in kept)]
    oov_b, oov_c = bc[-1] / sum(bc), cc[-1] / sum(cc)
    detail = f"tokens outside the baseline's top {len(keep)}: {oov_b:.1%} → {oov_c:.1%}"
    return _Stat(_psi(bc, cc), _chi2_p(bc, cc), "χ²", detail)


def _identifier(table: Table, other: Table, column: str) -> bool:
    """A non-numeric, non-text column whose every value is distinct (``ticket_id``): new ids
    are always unseen, which is not drift."""
    if column in table.text_columns or column in other.text_columns:
        return False
    pdt = need("pandas.api.types")
    series = table.frame[column]
    return (not pdt.is_numeric_dtype(series) and len(series) > 1
            and series.nunique(dropna=True) == len(series))


def _kind(table: Table, other: Table, column: str) -> str:
    if column in table.text_columns or column in other.text_columns:
        return "text"
    pdt = need("pandas.api.types")
    series = table.frame[column]
    if pdt.is_bool_dtype(series) or not pdt.is_numeric_dtype(series):
        return "categorical"
    return "numeric"


def _feature_issue(column: str, stat: _Stat, th: DriftThresholds) -> DataIssue | None:
    if stat.psi > th.psi_drift:
        severity, level = Severity.MEDIUM, "drifted"
    elif stat.psi > th.psi_moderate and stat.p < th.p_value:
        severity, level = Severity.LOW, "moderately drifted"
    else:
        return None
    confident = stat.p < th.p_value
    return DataIssue(
        rule_id=FEATURE_DRIFT,
        severity=severity,
        message=f"Column {column!r} has {level} from the baseline (PSI {stat.psi:.2f}).",
        tag="drift:feature",
        field=column,
        score=round(stat.psi, 4),
        evidence=f"PSI {stat.psi:.2f}, {stat.test} p={stat.p:.2g}, {stat.detail}",
        confidence=Confidence.HIGH if confident else Confidence.MEDIUM,
    )


def _label_shift(
    base: Any, cur: Any, column: str, th: DriftThresholds
) -> tuple[float, DataIssue | None]:
    b = Counter(str(v) for v in base.dropna())
    c = Counter(str(v) for v in cur.dropna())
    keys = sorted(set(b) | set(c))
    nb, nc = max(sum(b.values()), 1), max(sum(c.values()), 1)
    tv = 0.5 * sum(abs(b[k] / nb - c[k] / nc) for k in keys)
    p = _chi2_p([b[k] for k in keys], [c[k] for k in keys])
    if not (tv > th.label_tv and p < th.p_value):
        return tv, None
    moved = max(keys, key=lambda k: abs(b[k] / nb - c[k] / nc))
    issue = DataIssue(
        rule_id=LABEL_SHIFT,
        severity=Severity.MEDIUM,
        message=(
            f"The distribution of label {column!r} has shifted from the baseline "
            f"(TV {tv:.2f})."
        ),
        tag="drift:feature",
        field=column,
        score=round(tv, 4),
        evidence=(
            f"total variation {tv:.2f}, χ² p={p:.2g}; largest change: class "
            f"{moved!r} {b[moved] / nb:.1%} → {c[moved] / nc:.1%}"
        ),
        confidence=Confidence.HIGH,
    )
    return tv, issue


def _pipeline(kinds: dict[str, str], seed: int) -> Any:
    compose = need("sklearn.compose")
    pre = need("sklearn.preprocessing")
    impute = need("sklearn.impute")
    text = need("sklearn.feature_extraction.text")
    pipe = need("sklearn.pipeline")
    linear = need("sklearn.linear_model")
    parts: list[tuple[str, Any, Any]] = []
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    if numeric:
        steps = pipe.make_pipeline(impute.SimpleImputer(strategy="median"), pre.StandardScaler())
        parts.append(("num", steps, numeric))
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    if categorical:
        enc = pre.OneHotEncoder(handle_unknown="ignore", max_categories=50)
        parts.append(("cat", enc, categorical))
    for i, col in enumerate(c for c, k in kinds.items() if k == "text"):
        parts.append((f"text{i}", text.TfidfVectorizer(min_df=2, sublinear_tf=True), col))
    model = linear.LogisticRegression(max_iter=2000, random_state=seed)
    return pipe.Pipeline([("features", compose.ColumnTransformer(parts)), ("model", model)])


def _prepare(frame: Any, kinds: dict[str, str]) -> Any:
    out = frame[list(kinds)].copy()
    for col, kind in kinds.items():
        if kind == "text":
            out[col] = out[col].fillna("").astype(str)
        elif kind == "categorical":
            out[col] = out[col].astype(str)
        else:
            out[col] = need("pandas").to_numeric(out[col], errors="coerce").astype(float)
    return out


def _disagreement(
    baseline: Table, current: Table, label: str, kinds: dict[str, str], seed: int,
    th: DriftThresholds,
) -> tuple[float | None, list[DataIssue]]:
    base = baseline.frame[baseline.frame[label].notna()]
    if len(base) > th.max_fit_rows:
        base = base.sample(n=th.max_fit_rows, random_state=seed)
    y = base[label].astype(str)
    if y.nunique() < 2 or not kinds or len(current.frame) == 0:
        return None, []
    model = _pipeline(kinds, seed)
    try:
        model.fit(_prepare(base, kinds), y)
    except ValueError:  # e.g. every text column empty after tokenising
        return None, []
    proba = model.predict_proba(_prepare(current.frame, kinds))
    classes = [str(c) for c in model.classes_]
    best = proba.argmax(axis=1)
    given = current.frame[label]
    hits: list[tuple[float, int, str, str]] = []
    labelled = 0
    for row, (b, g) in enumerate(zip(best.tolist(), given.tolist(), strict=True)):
        if g is None or (isinstance(g, float) and math.isnan(g)):
            continue
        labelled += 1
        p = float(proba[row, b])
        if p >= th.confidence and classes[b] != str(g):
            hits.append((p, row, str(g), classes[b]))
    hits.sort(key=lambda h: (-h[0], h[1]))
    issues = [
        DataIssue(
            rule_id=BASELINE_DISAGREEMENT,
            severity=Severity.LOW,
            message=(
                f"Row {row} is labelled {g!r} but a model trained on the baseline predicts "
                f"{pred!r} with p={p:.2f}."
            ),
            tag="label:flip",
            row=row,
            field=label,
            score=round(p, 4),
            evidence=f"given {g!r}, baseline model {pred!r} p={p:.3f}",
            confidence=Confidence.HIGH if p >= 0.99 else Confidence.MEDIUM,
        )
        for p, row, g, pred in hits[: th.max_rows]
    ]
    if len(hits) > th.max_rows:
        issues.append(
            DataIssue(
                rule_id=BASELINE_DISAGREEMENT,
                severity=Severity.MEDIUM,
                message=(
                    f"{len(hits)} rows disagree with the baseline model; only the "
                    f"{th.max_rows} most confident are listed."
                ),
                tag="label:flip",
                field=label,
                score=round(len(hits) / max(labelled, 1), 4),
                evidence=f"{len(hits)} of {labelled} labelled rows, p >= {th.confidence}",
            )
        )
    return (len(hits) / labelled if labelled else None), issues


def compare(
    baseline: Table,
    current: Table,
    *,
    label: str | None,
    seed: int = 0,
    thresholds: DriftThresholds = DriftThresholds(),
) -> DriftResult:
    """Compare ``current`` with the trusted ``baseline`` snapshot.

    Only the columns present in both tables are compared. Raises :class:`InputError` when
    ``label`` is missing from either table or when the tables share no column.
    """
    th = thresholds
    for name, table in (("baseline", baseline), ("current", current)):
        if label is not None and label not in table.frame.columns:
            raise InputError(f"the {name} data has no label column {label!r}")
    shared = [c for c in baseline.frame.columns if c in set(current.frame.columns)]
    if not shared:
        raise InputError("the baseline and current data have no column in common")
    issues: list[DataIssue] = []
    shift: float | None = None
    if label is not None:
        shift, issue = _label_shift(baseline.frame[label], current.frame[label], label, th)
        if issue is not None:
            issues.append(issue)
    kinds = {str(c): _kind(baseline, current, str(c)) for c in shared
             if c != label and not _identifier(baseline, current, str(c))}
    measure = {"numeric": _numeric, "categorical": _categorical, "text": _text}
    drifted = 0
    for col, kind in kinds.items():
        stat = measure[kind](baseline.frame[col], current.frame[col], th)
        found = _feature_issue(col, stat, th) if stat is not None else None
        if found is not None:
            drifted += 1
            issues.append(found)
    rate: float | None = None
    if label is not None:
        rate, rows = _disagreement(baseline, current, label, kinds, seed, th)
        issues.extend(rows)
    return DriftResult(issues, drifted, shift, rate)
