"""The history store: every run drillhall makes, in SQLite or PostgreSQL.

::

    from drillhall.store import Store

    with Store.open(root=project_dir) as store:      # .drillhall/history.db by default
        store.save(run)
        for summary in store.runs(service="docs-assistant", limit=20):
            ...
        run = store.get("20261126T0207")              # an id or a unique prefix of one

Which database: :func:`resolve_url` (an explicit URL, then ``DRILLHALL_DATABASE_URL``, then
SQLite next to ``drillhall.toml``). The schema is created and upgraded by Alembic migrations
shipped in this package, on open; several processes may open, migrate and write one database
at the same time. PostgreSQL needs ``pip install 'drillhall[postgres]'``.

Tables: ``runs``, ``results``, ``findings``, ``metrics``, ``journal_entries``, ``violations``
(see :mod:`drillhall.store.schema`). Evidence arrives already redacted by the drills; the
store never receives a secret in clear and stores what it is given.
"""

from drillhall.store.engine import DEFAULT_RELATIVE, ENV_VAR, display_url, resolve_url
from drillhall.store.history import Store

__all__ = ["DEFAULT_RELATIVE", "ENV_VAR", "Store", "display_url", "resolve_url"]
