"""docs/llm-attacks.md lists every shipped attack, and its examples load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drillhall.llm.attacks import CONVERTERS, load_catalogue, load_user_attacks

DOC = Path(__file__).resolve().parents[3] / "docs" / "llm-attacks.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text("utf-8")


def test_every_attack_and_converter_is_documented(doc: str) -> None:
    missing = [a.id for a in load_catalogue() if f"`{a.id}`" not in doc]
    assert not missing, f"add to docs/llm-attacks.md: {missing}"
    assert all(f"`{name}`" in doc for name in CONVERTERS)


@pytest.mark.parametrize("lang", ["toml", "json"])
def test_examples_load(doc: str, lang: str, tmp_path: Path) -> None:
    blocks = re.findall(rf"```{lang}\n(.*?)```", doc, re.DOTALL)
    assert blocks
    path = tmp_path / f"example.{lang}"
    path.write_text(blocks[0], "utf-8")
    attacks = load_user_attacks(path)
    assert attacks and all(a.id.startswith("acme.") for a in attacks)
