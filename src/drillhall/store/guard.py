"""The LLM guard proxy's tables in the history store: client keys and the audit log.

::

    from drillhall.store import Store
    from drillhall.store import guard as guard_store

    with Store.open(root=project_dir) as store:
        guard_store.add_key(store, record)
        for row in guard_store.audit_rows(store, service="docs-assistant", limit=50):
            ...

A client key is stored as a public ``key_id`` and an HMAC-SHA256 of its secret part under a
per-key salt (see :mod:`drillhall.llm.guard.proxy.keys`); the key itself never reaches the
store. Audit rows hold digests and lengths of prompts and answers, never their text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from drillhall.errors import StoreError
from drillhall.store import schema
from drillhall.store.engine import WRITE, reason
from drillhall.store.history import Store

__all__ = [
    "AUDIT_COLUMNS",
    "StoredKey",
    "add_audit",
    "add_key",
    "audit_rows",
    "list_keys",
    "revoke_key",
]

AUDIT_COLUMNS: tuple[str, ...] = tuple(c.name for c in schema.guard_audit.c if c.name != "id")
"""The columns an audit row passed to :func:`add_audit` must have."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A client key as stored: its name, public id, salt and digest, and when it was created
    and (if it was) revoked."""

    name: str
    key_id: str
    salt: str
    digest: str
    created: datetime
    revoked: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


@contextmanager
def _writing(store: Store, action: str) -> Iterator[Connection]:
    try:
        with (
            store._serial,
            store._engine.connect().execution_options(**WRITE) as conn,
            conn.begin(),
        ):
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot {action} in the history store {store.url}: "
                         f"{reason(exc, store._url)}") from exc


def add_key(store: Store, key: StoredKey) -> None:
    """Store a new client key; :class:`StoreError` when its name is already taken."""
    row = {"name": key.name, "key_id": key.key_id, "salt": key.salt, "digest": key.digest,
           "created": key.created, "revoked": key.revoked}
    try:
        with _writing(store, f"add the guard client key {key.name!r}") as conn:
            taken = conn.scalar(select(schema.guard_keys.c.name)
                                .where(schema.guard_keys.c.name == key.name))
            if taken is not None:
                raise StoreError(f"a guard client key named {key.name!r} already exists in "
                                 f"{store.url}; revoke it or choose another name")
            conn.execute(insert(schema.guard_keys), [row])
    except IntegrityError as exc:  # a concurrent add of the same name or key id
        raise StoreError(f"a guard client key named {key.name!r} already exists in "
                         f"{store.url}") from exc


def list_keys(store: Store, *, include_revoked: bool = True) -> list[StoredKey]:
    """Every client key, oldest first (revoked ones too unless ``include_revoked`` is off)."""
    keys = schema.guard_keys
    query = select(keys).order_by(keys.c.created, keys.c.name)
    if not include_revoked:
        query = query.where(keys.c.revoked.is_(None))
    with store._reading("list the guard client keys") as conn:
        return [StoredKey(name=r["name"], key_id=r["key_id"], salt=r["salt"],
                          digest=r["digest"], created=r["created"], revoked=r["revoked"])
                for r in conn.execute(query).mappings()]


def revoke_key(store: Store, name: str, at: datetime) -> StoredKey:
    """Mark client key ``name`` revoked at ``at`` (a key revoked already keeps its first
    revocation time); :class:`StoreError` when there is no such key."""
    keys = schema.guard_keys
    with _writing(store, f"revoke the guard client key {name!r}") as conn:
        row = conn.execute(select(keys).where(keys.c.name == name)).mappings().one_or_none()
        if row is None:
            raise StoreError(f"there is no guard client key named {name!r} in {store.url}")
        revoked = row["revoked"] or at
        if row["revoked"] is None:
            conn.execute(update(keys).where(keys.c.name == name).values(revoked=at))
    return StoredKey(name=row["name"], key_id=row["key_id"], salt=row["salt"],
                     digest=row["digest"], created=row["created"], revoked=revoked)


def add_audit(store: Store, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append audit rows (each with the keys in :data:`AUDIT_COLUMNS`) in one transaction."""
    if not rows:
        return
    with _writing(store, f"save {len(rows)} guard audit rows") as conn:
        conn.execute(insert(schema.guard_audit), [dict(r) for r in rows])


def audit_rows(store: Store, *, service: str | None = None, client: str | None = None,
               limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` audit rows (optionally of one service or client), oldest first."""
    audit = schema.guard_audit
    query = select(audit).order_by(audit.c.at.desc(), audit.c.id.desc()).limit(max(0, limit))
    if service is not None:
        query = query.where(audit.c.service == service)
    if client is not None:
        query = query.where(audit.c.client == client)
    with store._reading("read the guard audit log") as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return rows[::-1]
