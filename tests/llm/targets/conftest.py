"""Shared servers for the target tests: one naive stand-in model with controllable faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drillhall.testing.llm import Faults, NaiveModel, StandInServer

CANARY = "CANARY-PLUM-7Q2Z"


@pytest.fixture(scope="module")
def naive_server() -> Iterator[StandInServer]:
    with StandInServer(NaiveModel(), canaries=(CANARY,)) as server:
        yield server


@pytest.fixture
def faults(naive_server: StandInServer) -> Iterator[Faults]:
    """The naive server's faults, cleared before and after each test."""
    naive_server.faults.clear()
    yield naive_server.faults
    naive_server.faults.clear()
