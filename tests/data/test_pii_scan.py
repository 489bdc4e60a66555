"""Personal data in tables, text files, logs and notebooks: column classification, cell-level
issues with rows and fields, caps, and values never shown in clear."""

from __future__ import annotations

import json
import random
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas")

from drillhall.core.model import Confidence  # noqa: E402
from drillhall.ml.data.base import DataIssue, Table  # noqa: E402
from drillhall.ml.data.pii_scan import (  # noqa: E402
    PII_RULE_IDS,
    classify_column,
    column_hint,
    column_strings,
    scan_table,
    scan_text_file,
)
from drillhall.pii import fake  # noqa: E402

RNG = random.Random(11)
CARD = fake.card(RNG)
IBAN = fake.iban(RNG)


def table(frame: Any) -> Table:
    return Table(frame, tuple((Path("t.csv"), i) for i in range(len(frame))))


def people() -> Any:
    return pd.DataFrame({
        "id": [1, 2, 3, 4],
        "Email": ["ana@corp.io", "bo@corp.io", "cy@corp.io", "di@corp.io"],
        "customerName": ["Alice Smith", "Bob Jones", "Chloe Martin", "David Brown"],
        "date_of_birth": ["1985-03-12", "1990-01-01", "1979-11-30", "2001-12-31"],
        "text": ["the export button fails", f"please refund card {CARD}",
                 "call me on +44 20 7946 0018 or mail x@corp.io", "thanks"],
        "score": [0.1, 0.2, 0.3, 0.4],
    })


def assert_no_clear_values(issues: list[DataIssue], values: list[str]) -> None:
    blob = " ".join(str(astuple(i)) for i in issues)
    for value in values:
        assert value not in blob


@pytest.mark.parametrize(("name", "kind"), [
    ("Email", "email"), ("email_address", "email"), ("ip_address", "ip"), ("clientIP", "ip"),
    ("phone_number", "phone"), ("MobileNo", "phone"), ("dob", "dob"),
    ("DateOfBirth", "dob"), ("ssn", "ssn"), ("nhs_number", "nhs"), ("NINO", "nino"),
    ("customer_name", "person"), ("lastName", "person"), ("street_address", "address"),
    ("postcode", "address"), ("iban", "iban"), ("card_number", "card"),
    ("filename", None), ("hostname", None), ("product_name", None), ("label", None),
    ("text", None), ("zipper", None),
])
def test_column_hint(name: str, kind: str | None) -> None:
    assert column_hint(name) == kind


def test_classification_by_values_alone() -> None:
    values = column_strings(pd.Series([f"user{i}@corp.io" for i in range(50)]))
    cls = classify_column("contact", values)
    assert cls is not None and cls.kind == "email" and cls.pure
    assert cls.confidence is Confidence.HIGH


def test_free_text_column_is_not_a_pii_column() -> None:
    values = column_strings(pd.Series(["hello", "mail a@corp.io", "nothing", "more text"]))
    assert classify_column("comment", values) is None


def test_scan_table_columns_and_cells() -> None:
    issues = scan_table(table(people()))
    columns = {(i.field, i.tag) for i in issues if i.rule_id == "DH-PII-COLUMN"}
    assert columns == {("Email", "pii:email"), ("customerName", "pii:person"),
                       ("date_of_birth", "pii:dob")}
    assert all(i.row is None for i in issues if i.rule_id == "DH-PII-COLUMN")
    cells = {(i.rule_id, i.row, i.field, i.tag) for i in issues if i.rule_id != "DH-PII-COLUMN"}
    assert cells == {("DH-PII-CARD", 1, "text", "pii:card"),
                     ("DH-PII-PHONE", 2, "text", "pii:phone"),
                     ("DH-PII-EMAIL", 2, "text", "pii:email")}
    assert {i.rule_id for i in issues} <= set(PII_RULE_IDS)
    assert_no_clear_values(issues, [CARD, "+44 20 7946 0018", "x@corp.io", "ana@corp.io",
                                    "Alice Smith", "1985-03-12"])


def test_mixed_column_reports_other_kinds_per_cell() -> None:
    contacts = [f"u{i}@corp.io" for i in range(9)] + ["+44 20 7946 0018"]
    issues = scan_table(table(pd.DataFrame({"contact": contacts})))
    assert [(i.rule_id, i.tag) for i in issues if i.rule_id == "DH-PII-COLUMN"] == [
        ("DH-PII-COLUMN", "pii:email")]
    assert [(i.rule_id, i.row) for i in issues if i.row is not None] == [("DH-PII-PHONE", 9)]


def test_numeric_column_of_card_numbers() -> None:
    numbers = [int(fake.card(RNG).replace(" ", "")) for _ in range(5)]
    issues = scan_table(table(pd.DataFrame({"pan": numbers})))
    assert [(i.rule_id, i.tag) for i in issues] == [("DH-PII-COLUMN", "pii:card")]


def test_cell_cap_adds_one_summary() -> None:
    texts = [f"ticket {i}: mail user{i}@corp.io" for i in range(30)] + ["x"] * 60
    issues = scan_table(table(pd.DataFrame({"body": texts})), cap=10)
    assert len([i for i in issues if i.row is not None]) == 10
    (summary,) = [i for i in issues if i.row is None]
    assert "20 more" in summary.message and summary.field == "body"


def test_empty_and_nan_cells_are_skipped() -> None:
    frame = pd.DataFrame({"note": [None, float("nan"), "", "mail a@corp.io"]})
    issues = scan_table(table(frame))
    assert [(i.rule_id, i.row) for i in issues] == [("DH-PII-EMAIL", 3)]


def test_scan_text_file_lines_and_columns(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"2024-06-11 12:00:01 INFO started v1.2.3.4\n"
                    b"2024-06-11 12:00:02 INFO login jane.doe@corp.io from 81.2.69.160\n"
                    b"\xff\xfe stray bytes\n"
                    + f"2024-06-11 12:00:03 WARN refund to {IBAN}\n".encode())
    found = scan_text_file(log, "logs/app.log")
    lines = log.read_text(errors="replace").splitlines()
    got = [(t.line, t.column, t.rule_id) for t in found]
    assert got == [(2, lines[1].index("jane") + 1, "DH-PII-EMAIL"),
                   (2, lines[1].index("81.") + 1, "DH-PII-IP"),
                   (4, lines[3].index(IBAN[:4]) + 1, "DH-PII-IBAN")]
    assert all(t.row is None and "logs/app.log line" in t.message for t in found)
    assert all(isinstance(t, DataIssue) for t in found)
    assert_no_clear_values(list(found), ["jane.doe@corp.io", IBAN, "81.2.69.160"])


def test_scan_notebook_sources_and_outputs(tmp_path: Path) -> None:
    nb = {
        "cells": [
            {"cell_type": "code", "source": ["df = load()\n", "df[df.email == \"ana@corp.io\"]"],
             "outputs": [{"output_type": "stream", "text": [f"charged card {CARD}\n"]},
                         {"output_type": "display_data",
                          "data": {"image/png": "iVBORw0KGgo" + "A" * 500}}],
             "metadata": {}, "execution_count": 1},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "explore.ipynb"
    text = json.dumps(nb, indent=1)
    path.write_text(text)
    found = scan_text_file(path, "explore.ipynb")
    lines = text.splitlines()
    assert [t.rule_id for t in found] == ["DH-PII-EMAIL", "DH-PII-CARD"]
    for t in found:
        assert t.line is not None and t.column is not None
        assert lines[t.line - 1][t.column - 1:].startswith(("ana@", CARD[:4]))


def test_text_file_cap(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("".join(f"user{i}@corp.io\n" for i in range(15)))
    found = scan_text_file(path, "dump.txt", cap=5)
    assert len(found) == 6 and found[-1].line is None and "10 more" in found[-1].message


def test_unreadable_text_file(tmp_path: Path) -> None:
    from drillhall.errors import InputError

    with pytest.raises(InputError, match=r"missing\.log"):
        scan_text_file(tmp_path / "missing.log", "missing.log")
