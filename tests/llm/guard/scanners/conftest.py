"""Shared fixtures of the guard scanner tests: the default scanners, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillhall.llm.guard.api import Guard

DATA = Path(__file__).parents[1] / "data"


def lines(name: str) -> list[str]:
    text = (DATA / name).read_text("utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()
