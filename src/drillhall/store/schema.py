"""The history store's tables, as SQLAlchemy Core metadata.

One row in ``runs`` per :class:`~drillhall.core.model.Run`; its results, and their findings,
metrics and journal entries, hang off it by natural keys: a result is ``(run_id, ordinal)``
and its children add their own ``ordinal``, so every tuple of the model comes back in the
order it was saved. Enumerations are stored as their string values (no database enum
types, so adding a severity or a status never needs a migration on PostgreSQL).

This module describes the schema that the migrations in ``migrations/versions`` build; the
test suite checks with Alembic's ``compare_metadata`` that the two agree. Change both
together, and add a migration, never edit a released one.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so that migrations can refer to them on every backend."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC and always returned aware in UTC.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so it is stored there as
    naive UTC text and the zone is put back on reading. A naive datetime is refused: the model
    only ever holds aware ones, and guessing a zone would silently shift history.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class NaNFloat(TypeDecorator[float]):
    """A double that also round-trips NaN (SQLite turns NaN into NULL; we do it explicitly)."""

    impl = Float()
    cache_ok = True

    def process_bind_param(self, value: float | None, dialect: Dialect) -> float | None:
        if value is None or math.isnan(value):
            return None
        return float(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> float:
        return math.nan if value is None else float(value)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

runs = Table(
    "runs",
    metadata,
    Column("id", String, nullable=False),
    Column("service", String, nullable=False),
    Column("started", UTCDateTime, nullable=False),
    Column("finished", UTCDateTime, nullable=False),
    Column("verdict", String, nullable=False),
    Column("drillhall_version", String, nullable=False),
    PrimaryKeyConstraint("id"),
    Index(None, "service", "started"),
    Index(None, "started"),
)

results = Table(
    "results",
    metadata,
    Column("run_id", String, nullable=False),
    Column("ordinal", Integer, nullable=False, autoincrement=False),
    Column("drill", String, nullable=False),
    Column("status", String, nullable=False),
    Column("reason", Text, nullable=True),
    Column("diagnostics", Text, nullable=True),
    Column("started", UTCDateTime, nullable=False),
    Column("finished", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("run_id", "ordinal"),
    ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
)


def _result_child(name: str, *columns: Column[Any], indexes: tuple[Index, ...] = ()) -> Table:
    """A table whose rows belong to one result, in order: key ``(run_id, result, ordinal)``."""
    return Table(
        name,
        metadata,
        Column("run_id", String, nullable=False),
        Column("result", Integer, nullable=False, autoincrement=False),
        Column("ordinal", Integer, nullable=False, autoincrement=False),
        *columns,
        PrimaryKeyConstraint("run_id", "result", "ordinal"),
        ForeignKeyConstraint(
            ["run_id", "result"], ["results.run_id", "results.ordinal"], ondelete="CASCADE"
        ),
        *indexes,
    )


findings = _result_child(
    "findings",
    Column("rule_id", String, nullable=False),
    Column("title", Text, nullable=False),
    Column("severity", String, nullable=False),
    Column("confidence", String, nullable=False),
    Column("loc_path", Text, nullable=True),
    Column("loc_line", Integer, nullable=True),
    Column("loc_column", Integer, nullable=True),
    Column("loc_row", Integer, nullable=True),
    Column("loc_field", Text, nullable=True),
    Column("loc_uri", Text, nullable=True),
    Column("loc_symbol", Text, nullable=True),
    Column("evidence", Text, nullable=False),
    Column("remediation", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("fingerprint", String, nullable=False),
    indexes=(Index(None, "rule_id"), Index(None, "fingerprint")),
)

metrics = _result_child(
    "metrics",
    Column("name", String, nullable=False),
    Column("value", NaNFloat, nullable=True),
    Column("unit", String, nullable=False),
    indexes=(Index(None, "name"),),
)

journal_entries = _result_child(
    "journal_entries",
    Column("at", UTCDateTime, nullable=False),
    Column("event", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

violations = Table(
    "violations",
    metadata,
    Column("run_id", String, nullable=False),
    Column("ordinal", Integer, nullable=False, autoincrement=False),
    Column("rule", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("drill", String, nullable=True),
    PrimaryKeyConstraint("run_id", "ordinal"),
    ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
)


chaosday_log = Table(
    "chaosday_log",
    metadata,
    Column("id", Integer, nullable=False, autoincrement=True),
    Column("day", String, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("author", Text, nullable=False),
    Column("kind", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("experiment", String, nullable=True),
    Column("owner", Text, nullable=True),
    Column("status", String, nullable=True),
    Column("run_id", String, nullable=True),
    PrimaryKeyConstraint("id"),
    Index(None, "day", "at"),
)
"""The live incident log of Chaos Days (:mod:`drillhall.chaos.day`), one row per entry, text
already redacted by the caller."""


guard_keys = Table(
    "guard_keys",
    metadata,
    Column("name", String, nullable=False),
    Column("key_id", String, nullable=False),
    Column("salt", String, nullable=False),
    Column("digest", String, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("revoked", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("name"),
    Index(None, "key_id", unique=True),
)
"""The LLM guard proxy's client keys (:mod:`drillhall.store.guard`): a public ``key_id`` and an
HMAC-SHA256 of the secret part under a per-key salt, never the key itself."""

guard_audit = Table(
    "guard_audit",
    metadata,
    Column("id", Integer, nullable=False, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("service", String, nullable=False),
    Column("request_id", String, nullable=False),
    Column("client", String, nullable=False),
    Column("route", String, nullable=False),
    Column("model", String, nullable=True),
    Column("stream", Boolean, nullable=False),
    Column("status", Integer, nullable=False),
    Column("outcome", String, nullable=False),
    Column("blocked_by", String, nullable=True),
    Column("decisions", JSON, nullable=False),
    Column("verdicts", JSON, nullable=False),
    Column("prompt_sha256", String, nullable=True),
    Column("answer_sha256", String, nullable=True),
    Column("prompt_chars", Integer, nullable=False),
    Column("answer_chars", Integer, nullable=False),
    Column("prompt_tokens", Integer, nullable=True),
    Column("completion_tokens", Integer, nullable=True),
    Column("cost", Float, nullable=True),
    Column("guard_ms", Float, nullable=False),
    Column("upstream_ms", Float, nullable=True),
    Column("total_ms", Float, nullable=False),
    Column("error", Text, nullable=True),
    PrimaryKeyConstraint("id"),
    Index(None, "service", "at"),
    Index(None, "client", "at"),
)
"""One row per request through the LLM guard proxy: verdicts, scores, latencies, client and
status. Prompts and answers appear only as SHA-256 digests and lengths, never in clear."""
