"""Shared test set-up: no colour, a stable terminal width, no user configuration leaking in."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("NO_COLOR", "1")
os.environ["COLUMNS"] = "100"
os.environ.pop("FORCE_COLOR", None)


@pytest.fixture(autouse=True)
def _isolated_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write to a user's database: DRILLHALL_DATABASE_URL is unset unless a test
    sets it."""
    monkeypatch.delenv("DRILLHALL_DATABASE_URL", raising=False)
