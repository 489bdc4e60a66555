"""Fixtures for the container-reader tests."""

from __future__ import annotations

import pytest

from .helpers import make_token


@pytest.fixture
def token() -> str:
    """A unique marker made at run time."""
    return make_token()
