"""Loading CSV, Parquet, JSON Lines and directories; malformed files give one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pytest

from drillhall.errors import ConfigError, InputError
from drillhall.ml.data.load import load_table

TEXTS = ["the printer on floor two is jammed again today",
         "please reset my password for the wiki account",
         "invoice for march shows the wrong total amount",
         "the build farm is down since the last deploy"]


def _frame(n: int = 8) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"R{i}" for i in range(n)],
                         "text": [f"{TEXTS[i % 4]} number {i}" for i in range(n)],
                         "size": [float(i) for i in range(n)],
                         "label": ["a" if i % 2 else "b" for i in range(n)]})


def test_csv_with_detected_text_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    table = load_table(path, label="label")
    assert len(table.frame) == 8
    assert table.text_columns == ("text",)
    assert table.sources[3] == (path, 3)
    assert any("free text" in note for note in table.notes)


def test_semicolon_delimiter_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False, sep=";")
    table = load_table(path, label="label")
    assert list(table.frame.columns) == ["id", "text", "size", "label"]


def test_parquet_and_jsonl(tmp_path: Path) -> None:
    pq = tmp_path / "d.parquet"
    _frame().to_parquet(pq)
    assert len(load_table(pq, label="label").frame) == 8
    jl = tmp_path / "d.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in _frame().to_dict("records")) + "\n",
                  encoding="utf-8")
    assert load_table(jl, label="label").frame["label"].tolist()[:2] == ["b", "a"]


def test_directory_is_concatenated_and_rows_map_back(tmp_path: Path) -> None:
    _frame(4).to_csv(tmp_path / "a.csv", index=False)
    _frame(6).to_parquet(tmp_path / "b.parquet")
    table = load_table(tmp_path, label="label")
    assert len(table.frame) == 10
    assert table.sources[5] == (tmp_path / "b.parquet", 1)


def test_max_rows_samples_deterministically(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    _frame(50).to_csv(path, index=False)
    first = load_table(path, label="label", max_rows=10)
    second = load_table(path, label="label", max_rows=10)
    assert len(first.frame) == 10
    assert first.sources == second.sources
    assert any("sample of 10" in note for note in first.notes)


def test_latin1_file_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("text,label\ncaf\xe9 au lait,a\nth\xe9,b\n".encode("latin-1"))
    table = load_table(path, label="label")
    assert table.frame["text"].tolist()[0] == "caf\xe9 au lait"
    assert any("Latin-1" in note for note in table.notes)


def test_ragged_rows_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,x\n3,4,y,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: line 3 has 4 fields") as err:
        load_table(path, label="label")
    assert err.value.diagnostics().count(".") >= 1


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1, "label": "x"}\n{"a": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl: line 2 is not valid JSON"):
        load_table(path, label="label")


def test_missing_label_column_lists_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"no label column 'target' \(the columns are 'id'"):
        load_table(path, label="target")


def test_one_row_and_one_class_are_input_errors(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("text,label\nhello,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least two rows"):
        load_table(one, label="label")
    same = tmp_path / "same.csv"
    same.write_text("text,label\nhello,a\nworld,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="need at least two classes"):
        load_table(same, label="label")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv"):
        load_table(empty, label=None)
    with pytest.raises(InputError, match="no such file"):
        load_table(tmp_path / "nope.csv", label=None)
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError, match="no data files"):
        load_table(tmp_path / "sub", label=None)


def test_unknown_text_column_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ConfigError, match="no text column 'body'"):
        load_table(path, label="label", text_columns=["body"])
