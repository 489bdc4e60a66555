"""Database URLs and engines for the history store.

Two backends are supported: SQLite (the embedded default, one file next to ``drillhall.toml``)
and PostgreSQL through psycopg 3 (``drillhall[postgres]``). Every URL shown to a person goes
through :func:`display_url`, which hides the password.

SQLite connections are set up for several ``drillhall`` processes sharing one file: WAL
journal (readers never block the writer), a 30-second busy timeout, foreign keys on, and
transactions begun by SQLAlchemy rather than by the ``sqlite3`` module, so that writers can
ask for ``BEGIN IMMEDIATE`` (see :data:`WRITE`) and queue on the busy timeout instead of
failing with "database is locked" when two deferred transactions both try to upgrade.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from drillhall.core.redact import scrub
from drillhall.errors import DependencyMissing, StoreError

ENV_VAR = "DRILLHALL_DATABASE_URL"
DEFAULT_RELATIVE = Path(".drillhall/history.db")
BUSY_TIMEOUT_SECONDS = 30
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10

BEGIN_OPTION = "drillhall_sqlite_begin"
"""Execution option naming how an SQLite transaction begins (``DEFERRED`` unless set)."""

WRITE: dict[str, Any] = {BEGIN_OPTION: "IMMEDIATE"}
"""Execution options for a connection that will write: on SQLite, take the write lock at
``BEGIN`` (waiting up to the busy timeout), so the transaction can never deadlock later."""

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def resolve_url(url: str | None, root: Path) -> str:
    """The URL of the history store to use.

    An explicit ``url`` wins, then the environment variable ``DRILLHALL_DATABASE_URL``, then
    SQLite at ``ROOT/.drillhall/history.db`` (whose directory is created). A relative SQLite
    path in a given URL is taken relative to ``root``, the directory of ``drillhall.toml``.
    """
    chosen = (url or "").strip() or os.environ.get(ENV_VAR, "").strip()
    if not chosen:
        path = (root / DEFAULT_RELATIVE).resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the history directory {path.parent}: {exc.strerror or exc}"
            ) from exc
        return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)
    parsed = _parse(chosen)
    database = parsed.database or ""
    if (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
        and not Path(database).is_absolute()
    ):
        parsed = parsed.set(database=str((root / database).resolve()))
        return parsed.render_as_string(hide_password=False)
    return chosen


def display_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, safe to show or log."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def is_memory(url: URL) -> bool:
    """Whether an SQLite URL names a private in-memory database."""
    return url.get_backend_name() == "sqlite" and (url.database or "") in ("", ":memory:")


def reason(exc: BaseException, url: URL) -> str:
    """The first line of a driver's error message, with the URL's password scrubbed out."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    secrets = [url.password] if isinstance(url.password, str) and url.password else []
    return " ".join(scrub(first, secrets).split()).rstrip(".")


def make_engine(url_text: str) -> tuple[Engine, URL]:
    """An engine for ``url_text`` set up for the store; raises :class:`StoreError` or
    :class:`DependencyMissing` with one sentence naming the (masked) URL."""
    url = _normalise(_parse(url_text))
    shown = display_url(url)
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        _check_sqlite_path(url, shown)
        if is_memory(url):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_SECONDS}
    else:
        kwargs.update(
            pool_pre_ping=True,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
        )
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:
        if url.drivername == "postgresql+psycopg":
            raise DependencyMissing("psycopg", "postgres") from exc
        raise StoreError(
            f"the database driver {url.drivername!r} for {shown} is not installed; "
            f"use a postgresql+psycopg:// URL with pip install 'drillhall[postgres]'"
        ) from exc
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"{shown} is not a usable database URL: {reason(exc, url)}") from exc
    if backend == "sqlite":
        _configure_sqlite(engine, memory=is_memory(url))
    return engine, url


def _parse(text: str) -> URL:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"{display_url(text)!r} is not a database URL "
            f"(expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)"
        ) from exc
    if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
        raise StoreError(
            f"the history store supports SQLite and PostgreSQL, not {url.get_backend_name()!r} "
            f"({display_url(url)})"
        )
    return url


def _normalise(url: URL) -> URL:
    """Name psycopg 3 explicitly for PostgreSQL (``postgres://`` and ``postgresql://``)."""
    if url.get_backend_name() in ("postgres", "postgresql") and url.drivername in (
        "postgres",
        "postgresql",
    ):
        return url.set(drivername="postgresql+psycopg")
    return url


def _check_sqlite_path(url: URL, shown: str) -> None:
    database = url.database or ""
    if is_memory(url) or database.startswith("file:"):
        return
    path = Path(database)
    if path.is_dir():
        raise StoreError(f"the history database {shown} names a directory, not a file")
    if not path.parent.is_dir():
        raise StoreError(
            f"the directory {path.parent} of the history database {shown} does not exist"
        )


def _enable_wal(cursor: Any) -> None:
    """Switch a database file to WAL mode (a persistent setting, done once per file).

    The switch needs an exclusive lock, and SQLite answers "database is locked" at once —
    without waiting for the busy timeout — when another process holds the file at that
    moment, as happens when several processes open a new database together. So: skip it
    when the file is in WAL mode already, and otherwise retry with jitter until the busy
    timeout.
    """
    row = cursor.execute("PRAGMA journal_mode").fetchone()
    if row and str(row[0]).lower() == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.08)  # noqa: S311 - jitter, not security


def _configure_sqlite(engine: Engine, *, memory: bool) -> None:
    """Pragmas on every new connection, and BEGIN emitted by us (see the module docstring)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # the sqlite3 module must not emit BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                _enable_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
