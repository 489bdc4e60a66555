"""Poisoning: backdoor triggers, duplicate clusters, duplicated rows and outliers.

*Trigger*: a token (a word of a text column, or ``column=value`` of another column) that is
rare (at least :data:`MIN_SUPPORT` rows, at most ``max(MAX_SUPPORT_FLOOR, 5 %)`` of rows),
carried almost only by one label (at least :data:`MIN_PURITY`) whose base rate is much lower
(lift at least :data:`MIN_LIFT`), and whose rows would *otherwise* be predicted as other
labels: a naive Bayes model over every other token of those rows disagrees with the label
for at least :data:`MIN_DISAGREEMENT` of them. The last condition separates a planted
trigger (pasted onto rows of any class) from an ordinary rare word that belongs to its class.

*Duplicates*: rows identical after normalisation (case, spacing and punctuation in text,
digits kept; identifier columns and the label ignored). Three or more copies with one label are a
cluster (a typical way to inject weight), two are a duplicated row; copies with different
labels are reported as duplicates whose labels conflict.

*Outliers*: an isolation forest over standardised numeric columns and a low-rank projection
of the text, flagging about :data:`OUTLIER_SHARE` of rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from drillhall.core.model import Confidence, Severity
from drillhall.ml.data.base import DataIssue, Table
from drillhall.ml.data.deps import need
from drillhall.ml.data.features import Columns, feature_matrix, split_columns

MIN_SUPPORT = 3
MAX_SUPPORT_FLOOR = 10
MAX_SHARE = 0.05
MIN_PURITY = 0.95
MIN_LIFT = 1.5
MIN_DISAGREEMENT = 0.5
MAX_ROWS_PER_TRIGGER = 200
OUTLIER_SHARE = 0.01
MIN_ROWS_FOR_OUTLIERS = 50
_TOKEN = re.compile(r"[a-z0-9][a-z0-9_\-]*[a-z0-9]|[a-z0-9]")
_NORMALISE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Trigger:
    """A suspected backdoor trigger and the rows that carry it."""

    token: str
    label: str
    rows: tuple[int, ...]
    purity: float
    disagreement: float


def _row_tokens(table: Table, columns: Columns) -> tuple[list[set[str]], list[set[str]]]:
    """Each row's candidate tokens (lower-cased words of text columns, ``col=value`` of the
    other columns with repeated values) and its context tokens (the candidates plus the
    decile ``col~q3`` of continuous columns, which describe the row but cannot be triggers)."""
    pd = need("pandas")
    frame = table.frame
    out: list[set[str]] = [set() for _ in range(len(frame))]
    context: list[set[str]] = [set() for _ in range(len(frame))]
    for text_column in columns.text:
        for i, value in enumerate(frame[text_column].fillna("").astype(str).tolist()):
            out[i].update(_TOKEN.findall(value.lower()))
    for column in (*columns.categorical, *columns.numeric):
        series = frame[column]
        if series.nunique() > len(series) // 2:
            # continuous: an exact value means nothing, unless the same value repeats — a
            # value stamped on several rows is how a tabular trigger is planted
            deciles = pd.qcut(series.rank(method="first"), 10, labels=False, duplicates="drop")
            for i, value in enumerate(deciles.tolist()):
                context[i].add(f"{column}~q{value}")
            counts = series.value_counts()
            repeated = set(counts[counts >= MIN_SUPPORT].index)
            for i, value in enumerate(series.tolist()):
                if value in repeated:
                    out[i].add(f"{column}={value}")
            continue
        for i, value in enumerate(series.astype(str).tolist()):
            out[i].add(f"{column}={value}")
    for i, row in enumerate(out):
        context[i] |= row
    return out, context


def find_triggers(table: Table) -> list[Trigger]:
    """Suspected backdoor triggers (see the module docstring), most rows first."""
    np = need("numpy")
    if table.label is None:
        return []
    labels = table.frame[table.label].astype(str).to_numpy()
    n = len(labels)
    tokens, context = _row_tokens(table, split_columns(table))
    vocabulary = {t: j for j, t in enumerate(sorted({t for row in context for t in row}))}
    if not vocabulary:
        return []
    classes = sorted(set(labels.tolist()))
    y = np.array([classes.index(v) for v in labels])
    base = np.bincount(y, minlength=len(classes)) / n
    carriers: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(tokens):
        for token in row:
            carriers[token].append(i)
    max_support = max(MAX_SUPPORT_FLOOR, int(MAX_SHARE * n))
    candidates = []
    for token, rows in carriers.items():
        if not MIN_SUPPORT <= len(rows) <= max_support:
            continue
        counts = np.bincount(y[rows], minlength=len(classes))
        top = int(counts.argmax())
        purity = counts[top] / len(rows)
        if purity >= MIN_PURITY and purity / base[top] >= MIN_LIFT:
            candidates.append((token, rows, top, float(purity)))
    if not candidates:
        return []
    nb = _naive_bayes(context, vocabulary, y, len(classes))
    found = []
    row_sets = {token: frozenset(rows) for token, rows, _, _ in candidates}
    for token, rows, top, purity in candidates:
        carrying = [i for i in rows if y[i] == top]
        # a trigger may be several values stamped together (two pixels, a word pair): leave
        # out every candidate marking the same rows, or its twin would vote for the label
        twins = {t for t, r in row_sets.items() if r == row_sets[token]}
        others = _predict_without(nb, context, carrying, vocabulary, exclude=twins)
        disagreement = float(np.mean(others != top))
        if disagreement >= MIN_DISAGREEMENT:
            found.append(Trigger(token, classes[top], tuple(rows), purity, disagreement))
    return _drop_shadowed(sorted(found, key=lambda t: (-len(t.rows), t.token)))


def _drop_shadowed(triggers: list[Trigger]) -> list[Trigger]:
    """When several tokens mark the same rows (``zq`` and ``priority`` of ``zq-priority``),
    keep the first."""
    kept: list[Trigger] = []
    for trigger in triggers:
        if not any(set(trigger.rows) <= set(k.rows) for k in kept):
            kept.append(trigger)
    return kept


def _naive_bayes(tokens: list[set[str]], vocabulary: dict[str, int], y: Any,
                 k: int) -> tuple[Any, Any]:
    """Log token-given-class probabilities (Laplace smoothed) and log class priors."""
    np = need("numpy")
    counts = np.ones((k, len(vocabulary)))
    for i, row in enumerate(tokens):
        for token in row:
            counts[y[i], vocabulary[token]] += 1
    log_prob = np.log(counts / counts.sum(axis=1, keepdims=True))
    prior = np.log(np.bincount(y, minlength=k) / len(y))
    return log_prob, prior


def _predict_without(nb: tuple[Any, Any], tokens: list[set[str]], rows: list[int],
                     vocabulary: dict[str, int], exclude: set[str]) -> Any:
    np = need("numpy")
    log_prob, prior = nb
    scores = np.tile(prior, (len(rows), 1))
    for r, i in enumerate(rows):
        ids = [vocabulary[t] for t in tokens[i] if t not in exclude]
        if ids:
            scores[r] += log_prob[:, ids].sum(axis=1)
    return scores.argmax(axis=1)


def trigger_issues(table: Table) -> list[DataIssue]:
    """One high issue per trigger, then one per row carrying it (capped per trigger)."""
    issues: list[DataIssue] = []
    for trigger in find_triggers(table):
        shown = trigger.token if len(trigger.token) <= 40 else trigger.token[:37] + "..."
        issues.append(DataIssue(
            rule_id="DH-DATA-BACKDOOR-TRIGGER", severity=Severity.HIGH, tag="poison:trigger",
            row=trigger.rows[0], field=table.label, score=round(trigger.purity, 4),
            confidence=Confidence.MEDIUM,
            message=f"token {shown!r} is rare ({len(trigger.rows)} rows) but "
                    f"{trigger.purity:.0%} of its rows are labelled {trigger.label!r}, while "
                    f"their other content points elsewhere in {trigger.disagreement:.0%} of "
                    "them: a likely backdoor trigger",
            evidence=f"{shown!r} -> {trigger.label!r} in {len(trigger.rows)} rows"))
        for row in trigger.rows[:MAX_ROWS_PER_TRIGGER]:
            issues.append(DataIssue(
                rule_id="DH-DATA-BACKDOOR-TRIGGER", severity=Severity.MEDIUM,
                tag="poison:trigger", row=row, field=table.label,
                score=round(trigger.disagreement, 4), confidence=Confidence.MEDIUM,
                message=f"row carries suspected trigger {shown!r} tied to label "
                        f"{trigger.label!r}",
                evidence=f"trigger {shown!r}"))
        if len(trigger.rows) > MAX_ROWS_PER_TRIGGER:
            extra = len(trigger.rows) - MAX_ROWS_PER_TRIGGER
            issues.append(DataIssue(
                rule_id="DH-DATA-BACKDOOR-TRIGGER", severity=Severity.MEDIUM,
                tag="poison:trigger", field=table.label, confidence=Confidence.MEDIUM,
                message=f"{extra} more rows carry trigger {shown!r} (not listed one by one)"))
    return issues


def _row_keys(table: Table, columns: Columns) -> list[str]:
    frame = table.frame
    parts: list[list[str]] = []
    for text_column in columns.text:
        values = frame[text_column].fillna("").astype(str).str.lower().tolist()
        parts.append([_NORMALISE.sub(" ", v).strip() for v in values])
    for column in (*columns.categorical, *columns.numeric):
        parts.append(frame[column].astype(str).tolist())
    if not parts:
        return []
    return ["\x1f".join(cells) for cells in zip(*parts, strict=True)]


def duplicate_issues(table: Table) -> list[DataIssue]:
    """Duplicate clusters and duplicated rows (see the module docstring)."""
    keys = _row_keys(table, split_columns(table))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key.replace("\x1f", "").strip():
            groups[key].append(i)
    labels = (table.frame[table.label].astype(str).tolist() if table.label is not None
              else None)
    issues: list[DataIssue] = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        first = rows[0]
        kinds = {labels[i] for i in rows} if labels is not None else set()
        if len(kinds) > 1:
            names = ", ".join(sorted(repr(k) for k in kinds))
            for row in rows[1:]:
                issues.append(DataIssue(
                    rule_id="DH-DATA-DUPLICATE-ROW", severity=Severity.MEDIUM,
                    tag="poison:duplicate", row=row, field=table.label, score=1.0,
                    message=f"row duplicates row {first} but the copies carry different "
                            f"labels ({names})", evidence=f"duplicate of row {first}"))
        elif len(rows) >= 3:
            label = f" all labelled {next(iter(kinds))!r}" if kinds else ""
            for row in rows:
                issues.append(DataIssue(
                    rule_id="DH-DATA-DUPLICATE-CLUSTER", severity=Severity.MEDIUM,
                    tag="poison:duplicate", row=row, score=float(len(rows)),
                    message=f"one of {len(rows)} near-identical rows{label} (first is row "
                            f"{first}): injected copies weigh a label",
                    evidence=f"{len(rows)} copies"))
        else:
            for row in rows[1:]:
                issues.append(DataIssue(
                    rule_id="DH-DATA-DUPLICATE-ROW", severity=Severity.LOW,
                    tag="poison:duplicate", row=row, score=1.0,
                    message=f"row duplicates row {first}", evidence=f"duplicate of row {first}"))
    return sorted(issues, key=lambda d: (d.row if d.row is not None else -1, d.rule_id))


def outlier_issues(table: Table, *, seed: int = 0,
                   share: float = OUTLIER_SHARE) -> list[DataIssue]:
    """Rows an isolation forest isolates quickly (about ``share`` of rows), low severity."""
    np = need("numpy")
    n = len(table.frame)
    if n < MIN_ROWS_FOR_OUTLIERS:
        return []
    columns = split_columns(table)
    x = feature_matrix(table, Columns(columns.numeric, columns.text, (), ()))
    if x.shape[1] == 0:
        return []
    ensemble = need("sklearn.ensemble")
    if x.shape[1] > 50:
        decomposition = need("sklearn.decomposition")
        x = decomposition.TruncatedSVD(n_components=min(20, x.shape[1] - 1),
                                       random_state=seed).fit_transform(x)
    else:
        x = x.toarray()
    forest = ensemble.IsolationForest(n_estimators=200, contamination=share,
                                      random_state=seed)
    flags = forest.fit_predict(x)
    scores = -forest.score_samples(x)
    issues = []
    for row in np.flatnonzero(flags == -1).tolist():
        issues.append(DataIssue(
            rule_id="DH-DATA-OUTLIER", severity=Severity.LOW, tag="outlier", row=row,
            score=round(float(scores[row]), 4), confidence=Confidence.LOW,
            message=f"row is an outlier (isolation score {scores[row]:.2f}, among the "
                    f"{share:.0%} most isolated rows)",
            evidence=f"isolation score {scores[row]:.2f}"))
    return issues


def poison_issues(table: Table, *, seed: int = 0) -> list[DataIssue]:
    """Every poisoning check: triggers, duplicates, outliers."""
    return [*trigger_issues(table), *duplicate_issues(table), *outlier_issues(table, seed=seed)]

