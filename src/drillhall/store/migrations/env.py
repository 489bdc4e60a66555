"""Alembic environment for the history store.

drillhall runs migrations only through :func:`drillhall.store.migrate.upgrade`, which opens
the transaction (and takes the migration lock) and hands its connection over in
``config.attributes["connection"]``; this script just runs the migrations on it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from drillhall.store.schema import metadata


def _run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("drillhall's store migrations cannot be rendered as offline SQL")
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("drillhall's store migrations run through drillhall.store only")
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


_run()
