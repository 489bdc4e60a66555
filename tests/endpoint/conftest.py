"""Loopback model servers for the endpoint probe's tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from drillhall.testing.endpoints import EndpointServer, demo_app


@pytest.fixture
def token() -> str:
    """A throwaway bearer token, made at run time."""
    return "tok" + secrets.token_hex(12)


@pytest.fixture(scope="module")
def demo_counted() -> Iterator[EndpointServer]:
    """The bundled demo app, with every request it receives counted."""
    with EndpointServer(demo_app()) as server:
        yield server


@pytest.fixture
def demo(demo_counted: EndpointServer) -> EndpointServer:
    demo_counted.log.clear()
    return demo_counted
