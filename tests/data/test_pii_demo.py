"""The demo's training data carries the planted personal data, and only that."""

from __future__ import annotations

from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")

from drillhall.demo.build_data import PII_ROWS, build_tickets, clean_rows  # noqa: E402
from drillhall.ml.data.base import Table  # noqa: E402
from drillhall.ml.data.pii_scan import scan_table  # noqa: E402


def test_planted_rows_are_found_and_clean_rows_are_not() -> None:
    tickets = build_tickets()
    frame = pd.DataFrame([(t.ticket_id, t.text, t.label) for t in tickets],
                         columns=["ticket_id", "text", "label"])
    issues = scan_table(Table(frame, tuple((Path("tickets.csv"), i) for i in range(len(frame)))))
    assert len({i.row for i in issues}) == PII_ROWS
    assert all(i.field == "text" for i in issues)
    kinds = {i.tag for i in issues}
    assert {"pii:email", "pii:phone", "pii:card", "pii:iban", "pii:nino", "pii:dob",
            "pii:person", "pii:address"} <= kinds
    assert [t.label for t in tickets] == [label for _, label in _labels_after_poison()]


def _labels_after_poison() -> list[tuple[str, str]]:
    import random

    from drillhall.demo.build_data import POISON_SEED, SEED, plant_poison

    return plant_poison(clean_rows(), random.Random(SEED + POISON_SEED))
