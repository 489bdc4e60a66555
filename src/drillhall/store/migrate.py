"""Bringing a history database to the current schema with Alembic, safely under concurrency.

The migration scripts live inside the package (``drillhall/store/migrations``), so they are
found from a source checkout and from an installed wheel alike; Alembic is driven
programmatically, with no ``alembic.ini``.

Several ``drillhall`` processes may open a new database at the same moment. The upgrade
therefore runs in one transaction that first takes a database-wide lock, and Alembic reads
the current revision only after that, inside the same transaction:

* PostgreSQL: ``pg_advisory_xact_lock`` (released at commit or rollback); DDL is
  transactional, so a failed upgrade leaves nothing behind.
* SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock up front (a waiting process
  queues on the busy timeout); SQLite's DDL is transactional too.

The process that waited then finds the schema at head and does nothing. A database already
at head is recognised by a plain read, without taking any lock.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from drillhall.errors import StoreError
from drillhall.store.engine import WRITE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x6472696C6C68  # "drillh" in ASCII: one key for every drillhall database
"""The PostgreSQL advisory lock held while migrating (locks are per database)."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    """The packaged migration scripts."""
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this drillhall knows."""
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StoreError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revisions(connection: Connection) -> set[str]:
    """The schema revisions recorded in the database (empty for a new database)."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return set(heads)


def upgrade(engine: Engine, shown_url: str) -> None:
    """Migrate the database behind ``engine`` to the newest revision, if it is not there yet.

    ``shown_url`` is the masked URL used in error messages.
    """
    script = script_directory()
    known = {rev.revision for rev in script.walk_revisions()}
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = current_revisions(conn)
        conn.rollback()
    unknown = sorted(current - known)
    if unknown:
        raise StoreError(
            f"the history database {shown_url} has schema revision {unknown[0]!r}, which this "
            f"drillhall does not know; upgrade drillhall to use it"
        )
    if current == heads:
        return
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        command.upgrade(_config(conn), "head")
