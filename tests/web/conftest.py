"""Dashboard fixtures: a store filled with the sample history (SQLite, and PostgreSQL when
``DRILLHALL_TEST_POSTGRES_URL`` is set) and the dashboard served on a loopback port."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drillhall.core.config import load_config
from drillhall.store import Store
from drillhall.web.dashboard import BasicCredentials, DashboardSettings, create_app
from drillhall.web.loopback import LoopbackServer
from tests.store.conftest import _fresh_schema, pg_database  # noqa: F401 - fixture
from tests.web.sample import Sample, populate


def fill(kind: str, request: pytest.FixtureRequest, root: Path
         ) -> Iterator[tuple[Store, Sample]]:
    """Open a store of ``kind`` (``sqlite`` or ``postgres``) and save the sample in it."""
    if kind == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{root / 'history.db'}"])
    else:
        urls = _fresh_schema(request.getfixturevalue("pg_database"))
    url = next(urls)
    with Store.open(url) as store:
        yield store, populate(store, root)
    next(urls, None)  # drops the PostgreSQL schema


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgres", marks=pytest.mark.postgres)])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Store, Sample]]:
    """A store holding the sample history, on each backend, shared by a module's tests."""
    yield from fill(request.param, request, tmp_path_factory.mktemp("dashboard"))


Serve = Callable[..., str]


@pytest.fixture(scope="module")
def serve(filled: tuple[Store, Sample]) -> Iterator[Serve]:
    """Start the dashboard over the filled store with the given settings; its base URL."""
    store, sample = filled
    servers: list[LoopbackServer] = []

    def start(**settings: object) -> str:
        settings.setdefault("config", load_config(sample.config))
        app = create_app(store, DashboardSettings(**settings))  # type: ignore[arg-type]
        server = LoopbackServer(app, what="the dashboard", thread_name="dashboard-test")
        server.start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def base(serve: Serve) -> str:
    """The dashboard on loopback without credentials."""
    return serve()


@pytest.fixture(scope="module")
def token() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def exposed(serve: Serve, token: str) -> str:
    """The dashboard as if bound to 0.0.0.0 with an access token (served on loopback)."""
    return serve(host="0.0.0.0", token=token)


@pytest.fixture(scope="module")
def basic_auth() -> BasicCredentials:
    return BasicCredentials("chaos-lead", secrets.token_urlsafe(12))


@pytest.fixture(scope="module")
def exposed_basic(serve: Serve, basic_auth: BasicCredentials) -> str:
    return serve(host="10.0.0.5", basic=basic_auth)


@pytest.fixture
def sample(filled: tuple[Store, Sample]) -> Sample:
    return filled[1]


def root_of(sample: Sample) -> Path:
    return sample.config.parent
