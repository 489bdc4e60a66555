"""Turning a :class:`Table` into a numeric feature matrix for the detectors.

Numeric columns are median-imputed and standardised; text columns become TF-IDF word and
word-pair weights; other low-cardinality columns are one-hot encoded. Identifier-like columns
(unique per row and named like an id, or unique strings without spaces) are left out: they
carry no signal and would make every row unique.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from drillhall.ml.data.base import Table
from drillhall.ml.data.deps import need

MAX_TEXT_FEATURES = 20_000
MAX_CATEGORIES = 50
_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|index)$|^(id|uuid|guid|key|index)(_|$)", re.I)


@dataclass(frozen=True)
class Columns:
    """Which columns of a table play which part."""

    numeric: tuple[str, ...]
    text: tuple[str, ...]
    categorical: tuple[str, ...]
    ignored: tuple[str, ...]


def is_identifier(frame: Any, column: str) -> bool:
    """Whether ``column`` identifies rows rather than describing them."""
    pd = need("pandas")
    series = frame[column]
    if series.nunique(dropna=False) < len(series) or len(series) < 2:
        return False
    if _ID_NAME.search(column):
        return True
    if pd.api.types.is_numeric_dtype(series):
        return False
    return not bool(series.astype(str).str.contains(r"\s", regex=True).any())


def split_columns(table: Table) -> Columns:
    """Sort the table's feature columns (everything but the label) by kind."""
    pd = need("pandas")
    frame = table.frame
    numeric, categorical, ignored = [], [], []
    for column in frame.columns:
        if column == table.label or column in table.text_columns:
            continue
        series = frame[column]
        if is_identifier(frame, column):
            ignored.append(column)
        elif pd.api.types.is_bool_dtype(series):
            categorical.append(column)
        elif pd.api.types.is_numeric_dtype(series):
            numeric.append(column)
        elif series.nunique() <= MAX_CATEGORIES:
            categorical.append(column)
        else:
            ignored.append(column)
    return Columns(tuple(numeric), tuple(table.text_columns), tuple(categorical),
                   tuple(ignored))


def joined_text(table: Table, columns: tuple[str, ...]) -> list[str]:
    """The text columns of each row joined with spaces (missing cells as empty)."""
    frame = table.frame
    if not columns:
        return [""] * len(frame)
    parts = [frame[c].fillna("").astype(str) for c in columns]
    out = parts[0]
    for part in parts[1:]:
        out = out + " " + part
    return [str(v) for v in out.tolist()]


def feature_matrix(table: Table, columns: Columns) -> Any:
    """A sparse CSR matrix (rows by features) of every usable column; may have 0 columns."""
    np = need("numpy")
    sparse = need("scipy.sparse")
    frame = table.frame
    blocks: list[Any] = []
    if columns.numeric:
        values = frame[list(columns.numeric)].astype(float).to_numpy()
        medians = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
        medians = np.where(np.isnan(medians), 0.0, medians)
        values = np.where(np.isfinite(values), values, medians)
        std = values.std(axis=0)
        values = (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)
        blocks.append(sparse.csr_matrix(values))
    if columns.categorical:
        pd = need("pandas")
        dummies = pd.get_dummies(frame[list(columns.categorical)].astype(str), dtype=float)
        blocks.append(sparse.csr_matrix(dummies.to_numpy()))
    if columns.text:
        text = need("sklearn.feature_extraction.text")
        vectorizer = text.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                          max_features=MAX_TEXT_FEATURES)
        docs = joined_text(table, columns.text)
        if any(d.strip() for d in docs):
            with contextlib.suppress(ValueError):  # only stop words or punctuation
                blocks.append(vectorizer.fit_transform(docs))
    if not blocks:
        return sparse.csr_matrix((len(frame), 0))
    return sparse.hstack(blocks, format="csr")
