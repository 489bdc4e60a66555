"""Poisoning: backdoor triggers, duplicate clusters, duplicated rows and outliers.

*Trigger*: a token (a word of a text column, or ``column=value`` of another column) that is
rare (at least :data:`MIN_SUPPORT` rows, at most ``max(MAX_SUPPORT_FLOOR, 5 %)`` of rows),
carried almost only by one label (at least :data:`MIN_PURITY`) whose base rate is much lower
(lift at least :data:`MIN_LIFT`), and whose rows would *otherwise* be predicted as other
labels: a naive Bayes model over every other token of those rows disagrees with the label
for at least :data:`MIN_DISAGREEMENT` of them. The last condition separates a planted
trigger (pasted onto rows of any class) from an ordinary rare word that belongs to its class.
Predicting "without" the trigger leaves out every token marking exactly the same rows (values
stamped together) and everything else their columns say (a stamped number also moves the
row's decile of that column). A measured value (a numeric column with many distinct values)
shared by a few rows can be a coincidence, and when some of those rows have flipped labels it
looks like a small trigger: alone it needs :data:`MIN_DISAGREEMENT_LONE_VALUE`; stamped
together with another column's value, :data:`MIN_DISAGREEMENT` is enough. The search looks at
no more than :data:`MAX_TOKEN_COLUMNS` feature columns.

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
from drillhall.ml.data.features import MAX_CATEGORIES, Columns, feature_matrix, split_columns

MIN_SUPPORT = 3
MAX_TOKEN_COLUMNS = 500
"""Triggers are looked for in at most this many feature columns (text columns first, then the
others in file order); on wider tables the rest are not searched and the journal says so. The
trigger search is per column and per row, so this bounds its time on very wide files."""
MAX_SUPPORT_FLOOR = 10
MAX_SHARE = 0.05
MIN_PURITY = 0.95
MIN_LIFT = 1.5
MIN_DISAGREEMENT = 0.5
MIN_DISAGREEMENT_LONE_VALUE = 0.9
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


@dataclass(frozen=True)
class _Tokens:
    """Each row's candidate tokens and context tokens, the column a tabular token comes from,
    and the candidates that are exact values of continuous columns (these repeat by chance
    now and then, so they need more evidence)."""

    candidates: list[set[str]]
    context: list[set[str]]
    column: dict[str, str]
    chance: frozenset[str]


def _row_tokens(table: Table, columns: Columns) -> _Tokens:
    """Each row's candidate tokens (lower-cased words of text columns, ``col=value`` of the
    other columns with repeated values) and its context tokens (the candidates plus the
    decile ``col~q3`` of continuous columns, which describe the row but cannot be triggers)."""
    pd = need("pandas")
    frame = table.frame
    out: list[set[str]] = [set() for _ in range(len(frame))]
    context: list[set[str]] = [set() for _ in range(len(frame))]
    column_of: dict[str, str] = {}
    chance: set[str] = set()
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
                token = f"{column}~q{value}"
                context[i].add(token)
                column_of[token] = column
            counts = series.value_counts()
            repeated = set(counts[counts >= MIN_SUPPORT].index)
            for i, value in enumerate(series.tolist()):
                if value in repeated:
                    token = f"{column}={value}"
                    out[i].add(token)
                    column_of[token] = column
                    chance.add(token)
            continue
        # a measured quantity with many distinct values repeats some of them by chance
        measured = column in columns.numeric and series.nunique() > MAX_CATEGORIES
        for i, value in enumerate(series.astype(str).tolist()):
            token = f"{column}={value}"
            out[i].add(token)
            column_of[token] = column
            if measured:
                chance.add(token)
    for i, row in enumerate(out):
        context[i] |= row
    return _Tokens(out, context, column_of, frozenset(chance))


def token_columns(table: Table) -> tuple[Columns, int]:
    """The columns the trigger search looks at (at most :data:`MAX_TOKEN_COLUMNS`), and how
    many feature columns it leaves out."""
    columns = split_columns(table)
    room = max(MAX_TOKEN_COLUMNS - len(columns.text), 0)
    tabular = set(columns.categorical) | set(columns.numeric)
    kept = {c for c in table.frame.columns if c in tabular}
    if len(kept) > room:
        kept = set([c for c in table.frame.columns if c in tabular][:room])
    left_out = len(tabular) - len(kept)
    return Columns(tuple(c for c in columns.numeric if c in kept), columns.text,
                   tuple(c for c in columns.categorical if c in kept), columns.ignored), left_out


def find_triggers(table: Table) -> list[Trigger]:
    """Suspected backdoor triggers (see the module docstring), most rows first."""
    np = need("numpy")
    if table.label is None:
        return []
    labels = table.frame[table.label].astype(str).to_numpy()
    n = len(labels)
    found_tokens = _row_tokens(table, token_columns(table)[0])
    tokens, context = found_tokens.candidates, found_tokens.context
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
    nb = _NaiveBayes(context, vocabulary, y, len(classes))
    by_column: dict[str, set[str]] = defaultdict(set)
    for token, column in found_tokens.column.items():
        by_column[column].add(token)
    marking: dict[frozenset[int], set[str]] = defaultdict(set)
    for token, rows, _, _ in candidates:
        marking[frozenset(rows)].add(token)
    found = []
    for token, rows, top, purity in candidates:
        carrying = [i for i in rows if y[i] == top]
        # a trigger may be several values stamped together (two pixels, a word pair): leave
        # out every candidate marking the same rows, or its twin would vote for the label;
        # and leave out everything else its columns say (a stamped value also moves the
        # row's decile of that column, which would vote for the label just the same)
        twins = marking[frozenset(rows)]
        stamped = {found_tokens.column[t] for t in twins if t in found_tokens.column}
        exclude = twins.union(*(by_column[c] for c in stamped))
        others = nb.predict_without(carrying, [vocabulary[t] for t in exclude])
        disagreement = float(np.mean(others != top))
        if disagreement >= _needed_disagreement(token, twins, found_tokens):
            found.append(Trigger(token, classes[top], tuple(rows), purity, disagreement))
    return _drop_shadowed(sorted(found, key=lambda t: (-len(t.rows), t.token)))


def _needed_disagreement(token: str, twins: set[str], found: _Tokens) -> float:
    """How many of a candidate's rows must point elsewhere: :data:`MIN_DISAGREEMENT`, or
    :data:`MIN_DISAGREEMENT_LONE_VALUE` for an exact value of a continuous column that
    repeats alone (no other column's value marks the same rows). A few rows share such a
    value by chance; when some of them have flipped labels, they look like a small trigger."""
    if token not in found.chance:
        return MIN_DISAGREEMENT
    columns = {found.column.get(t) for t in twins}
    return MIN_DISAGREEMENT if len(columns) > 1 else MIN_DISAGREEMENT_LONE_VALUE


def _drop_shadowed(triggers: list[Trigger]) -> list[Trigger]:
    """When several tokens mark the same rows (``zq`` and ``priority`` of ``zq-priority``),
    keep the first."""
    kept: list[Trigger] = []
    for trigger in triggers:
        if not any(set(trigger.rows) <= set(k.rows) for k in kept):
            kept.append(trigger)
    return kept


class _NaiveBayes:
    """Bernoulli-style naive Bayes over the rows' context tokens (Laplace smoothed), able to
    score rows as if some tokens were absent."""

    def __init__(self, tokens: list[set[str]], vocabulary: dict[str, int], y: Any,
                 k: int) -> None:
        np = need("numpy")
        sparse = need("scipy.sparse")
        cells = [(i, vocabulary[t]) for i, row in enumerate(tokens) for t in row]
        rows = np.fromiter((c[0] for c in cells), dtype=np.int64, count=len(cells))
        cols = np.fromiter((c[1] for c in cells), dtype=np.int64, count=len(cells))
        self.x = sparse.csr_matrix((np.ones(len(cells)), (rows, cols)),
                                   shape=(len(tokens), len(vocabulary)))
        onehot = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), y)),
                                   shape=(len(y), k))
        counts = 1.0 + (onehot.T @ self.x).toarray()
        self.log_prob = np.log(counts / counts.sum(axis=1, keepdims=True))
        prior = np.log(np.bincount(y, minlength=k) / len(y))
        self.scores = np.asarray(self.x @ self.log_prob.T) + prior

    def predict_without(self, rows: list[int], exclude: list[int]) -> Any:
        """The most probable class of each of ``rows`` with the ``exclude`` tokens left out."""
        np = need("numpy")
        scores = self.scores[rows]
        if exclude:
            part = self.x[rows][:, exclude]
            scores = scores - np.asarray(part @ self.log_prob[:, exclude].T)
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

