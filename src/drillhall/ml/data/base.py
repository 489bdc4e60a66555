"""Types shared by the training-data detectors and the ``data`` drill.

A detector returns :class:`DataIssue` values; the drill turns them into findings whose
``location`` names the file, the 0-based data row (header not counted) and, for a cell, the
column. ``tag`` is one of the kinds other tools rely on: ``label:flip``, ``poison:trigger``,
``poison:duplicate``, ``outlier``, ``drift:feature``, ``pii:<type>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from drillhall.core.model import Confidence, Severity

if TYPE_CHECKING:  # pandas is an optional dependency (drillhall[ml])
    import pandas as pd  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class DataIssue:
    """One problem in a data set.

    ``row`` is the 0-based data row of the table as loaded (for a directory of files, see
    :attr:`Table.sources` to map it back to a file and its own row), ``field`` the column.
    ``evidence`` must never hold a personal value in clear: mask it with
    :func:`drillhall.core.redact.mask`.
    """

    rule_id: str
    severity: Severity
    message: str
    tag: str
    row: int | None = None
    field: str | None = None
    score: float | None = None
    evidence: str = ""
    confidence: Confidence = Confidence.MEDIUM


@dataclass(frozen=True)
class Table:
    """A loaded data set.

    ``frame`` holds the rows (all columns as loaded); ``label`` names the label column, if
    any; ``sources`` gives, for each row of ``frame``, the file it came from and its row in
    that file (one entry per row, same order) — for a single file, every source is that file.
    """

    frame: pd.DataFrame
    sources: tuple[tuple[Path, int], ...]
    label: str | None = None
    text_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    """What the loader decided (e.g. "column 'text' treated as text"), for the journal."""
