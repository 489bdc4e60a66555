from __future__ import annotations

from collections.abc import Iterator

import pytest

from drillhall.chaos.proxy import ProxyServer
from tests.chaos.proxy._servers import echo_server, http_server


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    with echo_server() as addr:
        yield addr


@pytest.fixture
def http() -> Iterator[tuple[tuple[str, int], list[str]]]:
    with http_server() as pair:
        yield pair


@pytest.fixture
def server() -> Iterator[ProxyServer]:
    with ProxyServer(control="127.0.0.1:0", seed=7) as srv:
        yield srv
