"""The migrations: packaged, hand-written, in agreement with the models, run once."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import drillhall.store
from drillhall.errors import StoreError
from drillhall.store import Store, schema
from drillhall.store.engine import make_engine
from drillhall.store.migrate import MIGRATIONS_DIR, head_revision, script_directory


def test_migrations_ship_inside_the_package() -> None:
    package_dir = Path(drillhall.store.__file__).parent
    assert package_dir / "migrations" == MIGRATIONS_DIR
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    revisions = [rev.revision for rev in script_directory().walk_revisions()]
    assert revisions[-1] == "0001_initial"
    assert (MIGRATIONS_DIR / "versions" / "0002_chaosday_log.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0003_guard.py").is_file()
    assert head_revision() == revisions[0]


def test_migrated_schema_matches_the_models(store_url: str) -> None:
    Store.open(store_url).close()
    engine, _ = make_engine(store_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, schema.metadata) == []
            assert context.get_current_heads() == (head_revision(),)
            inspector = inspect(conn)
            names = set(inspector.get_table_names())
            assert names == {t.name for t in schema.metadata.sorted_tables} | {"alembic_version"}
            assert {i["name"] for i in inspector.get_indexes("runs")} >= {
                "ix_runs_service_started", "ix_runs_started"}
            assert {i["name"] for i in inspector.get_indexes("findings")} >= {
                "ix_findings_rule_id"}
            assert {i["name"] for i in inspector.get_indexes("metrics")} == {"ix_metrics_name"}
    finally:
        engine.dispose()


def test_reopening_does_not_migrate_again(store_url: str) -> None:
    Store.open(store_url).close()
    engine, _ = make_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE marker (x INTEGER)"))
        Store.open(store_url).close()
        with engine.connect() as conn:
            assert "marker" in inspect(conn).get_table_names()
            assert MigrationContext.configure(conn).get_current_heads() == (head_revision(),)
    finally:
        engine.dispose()


def test_database_from_a_newer_drillhall_is_refused(store_url: str) -> None:
    Store.open(store_url).close()
    engine, _ = make_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"schema revision '9999_future'.*upgrade drillhall"):
        Store.open(store_url)


def test_foreign_keys_are_enforced(store: Store, store_url: str) -> None:
    engine, _ = make_engine(store_url)
    try:
        with pytest.raises(Exception, match=r"(?i)foreign key"), engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO metrics (run_id, result, ordinal, name, value, unit) "
                "VALUES ('nope', 0, 0, 'm', 1.0, '')"
            ))
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    Store.open(url).close()
    engine, _ = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
