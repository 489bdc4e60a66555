"""Choosing the database, and failing with one clear sentence that never shows a password."""

from __future__ import annotations

import secrets
import socket
import sys
from pathlib import Path

import pytest

from drillhall.errors import DependencyMissing, StoreError
from drillhall.store import DEFAULT_RELATIVE, ENV_VAR, Store, display_url, resolve_url


def _password() -> str:
    return "pw-" + secrets.token_hex(8)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_explicit_url_beats_environment_beats_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "sqlite:////env/history.db")
    assert resolve_url("sqlite:////given.db", tmp_path) == "sqlite:////given.db"
    assert resolve_url(None, tmp_path) == "sqlite:////env/history.db"
    monkeypatch.setenv(ENV_VAR, "  ")
    assert not (tmp_path / ".drillhall").exists()
    default = resolve_url(None, tmp_path)
    assert default == f"sqlite:///{(tmp_path / DEFAULT_RELATIVE).resolve()}"
    assert (tmp_path / ".drillhall").is_dir()


def test_relative_sqlite_path_is_relative_to_root(tmp_path: Path) -> None:
    assert resolve_url("sqlite:///data/h.db", tmp_path) == f"sqlite:///{tmp_path}/data/h.db"
    assert resolve_url("sqlite://", tmp_path) == "sqlite://"


def test_default_store_is_created_under_root(tmp_path: Path) -> None:
    with Store.open(root=tmp_path) as store:
        assert store.url == f"sqlite:///{tmp_path / DEFAULT_RELATIVE}"
    assert (tmp_path / DEFAULT_RELATIVE).is_file()


def test_uncreatable_default_directory_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / ".drillhall").write_text("a file in the way")
    with pytest.raises(StoreError, match="cannot create the history directory"):
        resolve_url(None, tmp_path)


def test_display_url_masks_the_password() -> None:
    password = _password()
    url = f"postgresql+psycopg://alice:{password}@db.internal:5432/history"
    shown = display_url(url)
    assert password not in shown
    assert shown == "postgresql+psycopg://alice:***@db.internal:5432/history"
    assert password not in display_url(f"::not a url://bob:{password}@x")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@localhost/db", "supports SQLite and PostgreSQL, not 'mysql'"),
        ("postgresql+nosuchdriver://u@localhost/db", "not a usable database URL"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(url)


def test_bad_url_message_hides_the_password() -> None:
    password = _password()
    with pytest.raises(StoreError) as err:
        Store.open(f"mysql://u:{password}@localhost/db")
    assert password not in str(err.value)
    assert "***" in str(err.value)


def test_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(DependencyMissing) as err:
        Store.open("postgresql://u@127.0.0.1:1/db")
    assert err.value.package == "psycopg"
    assert err.value.extra == "postgres"


def test_unreachable_postgres_is_one_sentence_without_the_password() -> None:
    password = _password()
    port = _closed_port()
    with pytest.raises(StoreError) as err:
        Store.open(f"postgresql+psycopg://alice:{password}@127.0.0.1:{port}/history")
    message = err.value.diagnostics()
    assert message.startswith(
        f"cannot open the history store postgresql+psycopg://alice:***@127.0.0.1:{port}/history:"
    )
    assert "\n" not in message
    chain = repr(err.value) + repr(err.value.__cause__) + str(err.value.__cause__)
    assert password not in message and password not in chain


@pytest.mark.postgres
def test_wrong_postgres_password_is_reported_masked(pg_database: object) -> None:
    from sqlalchemy.engine import URL

    assert isinstance(pg_database, URL)
    password = _password()
    url = pg_database.set(password=password).render_as_string(hide_password=False)
    with pytest.raises(StoreError, match=r"cannot open the history store .*:\*\*\*@") as err:
        Store.open(url)
    assert password not in str(err.value)
    assert "password authentication failed" in str(err.value)


def test_sqlite_path_problems(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="names a directory, not a file"):
        Store.open(f"sqlite:///{tmp_path}")
    with pytest.raises(StoreError, match=r"directory .*missing of the history .* does not"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'h.db'}")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an SQLite database, just text " * 100)
    with pytest.raises(StoreError, match=r"cannot open .*garbage\.db: file is not a database"):
        Store.open(f"sqlite:///{garbage}")


@pytest.mark.skipif(
    sys.platform == "win32" or __import__("os").geteuid() == 0,
    reason="root (and Windows) ignore directory permissions",
)
def test_sqlite_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(StoreError, match="cannot open the history store"):
            Store.open(f"sqlite:///{locked / 'h.db'}")
    finally:
        locked.chmod(0o700)
