"""Redacted copies: consistent pseudonyms, key separation, input untouched, same format."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

pd = pytest.importorskip("pandas")

from drillhall.errors import ConfigError, InputError  # noqa: E402
from drillhall.ml.data.base import Table  # noqa: E402
from drillhall.ml.data.redact_table import KEY_ENV, key_from_env, pseudonym, redact_table  # noqa: E402
from drillhall.pii import detect, fake  # noqa: E402

KEY = b"k" * 16 + b"-test-only"
OTHER = b"o" * 16 + b"-test-only"
CARD = fake.card(random.Random(3))


def write_input(path: Path) -> Table:
    frame = pd.DataFrame({
        "email": ["ana@corp.io", "bo@corp.io", "ana@corp.io", "cy@corp.io"],
        "text": [f"card {CARD} please", "no personal data", "mail ana@corp.io",
                 "call +44 20 7946 0018"],
        "label": ["billing", "bug", "access", "other"],
    })
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return Table(frame, tuple((path, i) for i in range(len(frame))), label="label")


def read(path: Path) -> Any:
    if path.suffix == ".csv":
        return pd.read_csv(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_json(path, lines=True)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_pseudonymise_is_consistent_and_input_untouched(tmp_path: Path, suffix: str) -> None:
    src = tmp_path / f"in{suffix}"
    table = write_input(src)
    before = src.read_bytes()
    out = tmp_path / f"out{suffix}"
    count = redact_table(table, out, key=KEY, mode="pseudonymise")
    assert src.read_bytes() == before
    got = read(out)
    assert count == 4 + 3  # four email cells, card + email + phone in text
    token = pseudonym("email", "ana@corp.io", KEY)
    assert got["email"].tolist()[0] == token == got["email"].tolist()[2]
    assert got["text"].tolist()[2] == f"mail {token}"
    assert got["text"].tolist()[0] == f"card {pseudonym('card', CARD, KEY)} please"
    assert got["text"].tolist()[1] == "no personal data"
    assert got["label"].tolist() == ["billing", "bug", "access", "other"]
    blob = out.read_bytes().decode("latin-1")
    for value in ("ana@corp.io", CARD, "+44 20 7946 0018"):
        assert value not in blob
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_tokens_depend_on_key_and_normalise() -> None:
    assert pseudonym("email", "Ana@Corp.io", KEY) == pseudonym("email", "ana@corp.io ", KEY)
    assert pseudonym("email", "ana@corp.io", KEY) != pseudonym("email", "ana@corp.io", OTHER)
    assert pseudonym("card", CARD, KEY) == pseudonym("card", CARD.replace(" ", ""), KEY)
    assert pseudonym("email", "ana@corp.io", KEY).startswith("<email:")


def test_mask_mode_keeps_only_the_kind(tmp_path: Path) -> None:
    table = write_input(tmp_path / "in.csv")
    redact_table(table, tmp_path / "out.csv", key=b"", mode="mask")
    got = read(tmp_path / "out.csv")
    assert set(got["email"]) == {"<email>"}
    assert got["text"].tolist()[3] == "call <phone>"
    assert detect(" ".join(got["text"])) == []


def test_refuses_sampled_table_and_overwrite(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    table = write_input(src)
    with pytest.raises(ConfigError, match="overwrite"):
        redact_table(table, src, key=KEY)
    sampled = Table(table.frame.iloc[[0, 2]].reset_index(drop=True), ((src, 0), (src, 2)))
    with pytest.raises(InputError, match="sample"):
        redact_table(sampled, tmp_path / "out.csv", key=KEY)


def test_key_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    table = write_input(tmp_path / "in.csv")
    with pytest.raises(ConfigError, match="16 bytes"):
        redact_table(table, tmp_path / "out.csv", key=b"short")
    with pytest.raises(ConfigError, match=KEY_ENV):
        key_from_env({})
    assert key_from_env({KEY_ENV: "x" * 20}) == b"x" * 20
    with pytest.raises(ConfigError, match="format"):
        redact_table(Table(table.frame, ()), tmp_path / "out.bin", key=KEY)
