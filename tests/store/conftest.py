"""Store fixtures: every store test runs on SQLite, and on PostgreSQL when
``DRILLHALL_TEST_POSTGRES_URL`` names a server (``.ci/start-postgres.sh`` starts one).

The PostgreSQL URL is an administrator's: the session creates a uniquely named database
with it and drops it at the end; each test then gets a fresh schema in that database (put
first on ``search_path``), so tests never see each other's tables.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from drillhall.store import Store

PG_ENV = "DRILLHALL_TEST_POSTGRES_URL"
PG_SKIP = "set DRILLHALL_TEST_POSTGRES_URL to run the PostgreSQL store tests"


def _admin_url() -> URL:
    value = os.environ.get(PG_ENV, "").strip()
    if not value:
        pytest.skip(PG_SKIP)
    return make_url(value)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A new, uniquely named PostgreSQL database for this test session."""
    admin = _admin_url()
    name = f"drillhall_test_{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield admin.set(database=name)
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def _fresh_schema(database: URL) -> Iterator[str]:
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = database.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture
def pg_url(pg_database: URL) -> Iterator[str]:
    """The URL of an empty schema of its own in the session's PostgreSQL database."""
    yield from _fresh_schema(pg_database)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty history store: an SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, migrated, empty store on each backend."""
    with Store.open(store_url) as opened:
        yield opened
