"""The :class:`Store`: saving runs and reading history back.

A store is safe to share between threads (each call checks a connection out of the engine's
pool) and between processes (see :mod:`drillhall.store.engine` and
:mod:`drillhall.store.migrate`). Every call reads in one transaction over one snapshot
(``REPEATABLE READ`` on PostgreSQL), so a run is never seen half-written and a history
listing is consistent even while other processes save runs.

The store keeps what drills give it: evidence in a :class:`~drillhall.core.model.Finding` is
redacted by the drill that made it (the model's contract), so the store holds no secret or
personal value in clear and does not try to second-guess that.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from drillhall.core.model import (
    DAY_STATUSES,
    DayEntry,
    DrillResult,
    Run,
    RunSummary,
    Severity,
    Status,
    Verdict,
)
from drillhall.errors import StoreError
from drillhall.store import schema
from drillhall.store.codec import build_run, run_rows
from drillhall.store.engine import (
    WRITE,
    display_url,
    is_memory,
    make_engine,
    reason,
    resolve_url,
)
from drillhall.store.migrate import upgrade

_AMBIGUOUS_SHOWN = 3


class Store:
    """The history of runs, in SQLite or PostgreSQL. Open with :meth:`Store.open`."""

    def __init__(self, engine: Engine, url: URL) -> None:
        """Wrap an engine whose database is already migrated; prefer :meth:`open`."""
        self._engine = engine
        self._url = url
        # An in-memory database is one shared connection: serialise its transactions.
        self._serial: AbstractContextManager[object] = (
            threading.RLock() if is_memory(url) else nullcontext()
        )

    @classmethod
    def open(cls, url: str | None = None, *, root: Path = Path()) -> Store:
        """Open the store at ``url`` (see :func:`~drillhall.store.resolve_url`), creating and
        migrating its schema to the newest revision when needed.

        ``sqlite://`` opens a private in-memory store (for tests and ``drillhall.testing``).
        Raises :class:`StoreError` (or :class:`DependencyMissing` for PostgreSQL without
        psycopg) with one sentence naming the URL, its password masked.
        """
        engine, parsed = make_engine(resolve_url(url, root))
        shown = display_url(parsed)
        try:
            upgrade(engine, shown)
        except StoreError:
            engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open the history store {shown}: {reason(exc, parsed)}"
            ) from exc
        except CommandError as exc:  # Alembic's own errors (e.g. a broken migration script)
            engine.dispose()
            raise StoreError(
                f"cannot migrate the history store {shown}: {reason(exc, parsed)}"
            ) from exc
        return cls(engine, parsed)

    @property
    def url(self) -> str:
        """The store's URL with the password masked, for display."""
        return display_url(self._url)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._url.get_backend_name()

    def close(self) -> None:
        """Close every pooled connection. The store cannot be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _reading(self, action: str) -> Iterator[Connection]:
        try:
            with self._serial, self._engine.connect() as conn:
                if self._url.get_backend_name() == "postgresql":
                    # one snapshot for every query of the read (SQLite transactions have one)
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot {action} in the history store {self.url}: {reason(exc, self._url)}"
            ) from exc

    def save(self, run: Run) -> None:
        """Store ``run`` and everything in it, in one transaction.

        A run id can be saved once; saving it again raises :class:`StoreError`.
        """
        rows = run_rows(run)
        duplicate = StoreError(f"a run with id {run.id!r} is already stored in {self.url}")
        try:
            with (
                self._serial,
                self._engine.connect().execution_options(**WRITE) as conn,
                conn.begin(),
            ):
                exists = conn.scalar(select(schema.runs.c.id).where(schema.runs.c.id == run.id))
                if exists is not None:
                    raise duplicate
                for table, table_rows in (
                    (schema.runs, rows.runs),
                    (schema.results, rows.results),
                    (schema.findings, rows.findings),
                    (schema.metrics, rows.metrics),
                    (schema.journal_entries, rows.journal_entries),
                    (schema.violations, rows.violations),
                ):
                    if table_rows:
                        conn.execute(insert(table), table_rows)
        except IntegrityError as exc:
            if self._has(run.id):
                raise duplicate from exc
            raise StoreError(
                f"cannot save run {run.id!r} to {self.url}: {reason(exc, self._url)}"
            ) from exc
        except SQLAlchemyError as exc:  # includes a value the database cannot take
            raise StoreError(
                f"cannot save run {run.id!r} to {self.url}: {reason(exc, self._url)}"
            ) from exc

    def _has(self, run_id: str) -> bool:
        with self._reading("look up a run") as conn:
            found = conn.scalar(select(schema.runs.c.id).where(schema.runs.c.id == run_id))
        return found is not None

    def get(self, run_id: str) -> Run:
        """The run with this id, or with the one id that starts with ``run_id``."""
        wanted = run_id.strip()
        if not wanted:
            raise StoreError("give a run id (or the start of one) to look up")
        with self._reading(f"read run {wanted!r}") as conn:
            full_id = self._resolve_id(conn, wanted)
            return self._load(conn, full_id)

    def _resolve_id(self, conn: Connection, wanted: str) -> str:
        runs = schema.runs
        if conn.scalar(select(runs.c.id).where(runs.c.id == wanted)) is not None:
            return wanted
        matches = list(
            conn.scalars(
                select(runs.c.id)
                .where(runs.c.id.startswith(wanted, autoescape=True))
                .order_by(runs.c.id)
                .limit(_AMBIGUOUS_SHOWN + 1)
            )
        )
        if not matches:
            raise StoreError(f"no stored run has an id starting with {wanted!r} in {self.url}")
        if len(matches) > 1:
            shown = ", ".join(matches[:_AMBIGUOUS_SHOWN])
            more = ", …" if len(matches) > _AMBIGUOUS_SHOWN else ""
            raise StoreError(
                f"run id {wanted!r} is ambiguous: it matches {shown}{more}; give more characters"
            )
        return str(matches[0])

    def _load(self, conn: Connection, run_id: str) -> Run:
        def rows(table: Table, *order: str) -> list[dict[str, object]]:
            query = select(table).where(table.c.run_id == run_id)
            query = query.order_by(*(table.c[name] for name in order))
            return [dict(row) for row in conn.execute(query).mappings()]

        head = dict(
            conn.execute(select(schema.runs).where(schema.runs.c.id == run_id)).mappings().one()
        )
        return build_run(
            head,
            rows(schema.results, "ordinal"),
            rows(schema.findings, "result", "ordinal"),
            rows(schema.metrics, "result", "ordinal"),
            rows(schema.journal_entries, "result", "ordinal"),
            rows(schema.violations, "ordinal"),
        )

    def runs(self, *, service: str | None = None, limit: int = 50) -> list[RunSummary]:
        """The newest ``limit`` runs (of ``service``, if given), newest first."""
        runs = schema.runs
        query = select(runs).order_by(runs.c.started.desc(), runs.c.id.desc())
        if service is not None:
            query = query.where(runs.c.service == service)
        query = query.limit(max(0, limit))
        picked = query.with_only_columns(runs.c.id)  # the same runs, as an IN (SELECT ...)
        with self._reading("list runs") as conn:
            heads = [dict(row) for row in conn.execute(query).mappings()]
            ids = [str(h["id"]) for h in heads]
            if not ids:
                return []
            counts: dict[str, dict[Severity, int]] = {
                i: dict.fromkeys(Severity, 0) for i in ids
            }
            f = schema.findings
            for run_id, severity, count in conn.execute(
                select(f.c.run_id, f.c.severity, func.count())
                .where(f.c.run_id.in_(picked))
                .group_by(f.c.run_id, f.c.severity)
            ):
                counts[run_id][_severity(severity, run_id)] += count
            drills: dict[str, list[str]] = defaultdict(list)
            r = schema.results
            for run_id, drill in conn.execute(
                select(r.c.run_id, r.c.drill).where(r.c.run_id.in_(picked)).order_by(r.c.ordinal)
            ):
                drills[run_id].append(drill)
            values: dict[str, dict[str, float]] = defaultdict(dict)
            m = schema.metrics
            for run_id, name, value in conn.execute(
                select(m.c.run_id, m.c.name, m.c.value)
                .where(m.c.run_id.in_(picked))
                .order_by(m.c.result, m.c.ordinal)
            ):
                values[run_id][name] = value  # later results win, as in Run.metrics()
        return [
            RunSummary(
                id=str(h["id"]),
                service=str(h["service"]),
                started=h["started"],
                finished=h["finished"],
                verdict=_verdict(h["verdict"], str(h["id"])),
                severity_counts=counts[str(h["id"])],
                metrics=values[str(h["id"])],
                drills=tuple(drills[str(h["id"])]),
            )
            for h in heads
        ]

    def latest(self, service: str) -> Run | None:
        """The newest run of ``service``, or ``None`` when it has none."""
        runs = schema.runs
        with self._reading(f"read the latest run of {service!r}") as conn:
            run_id = conn.scalar(
                select(runs.c.id)
                .where(runs.c.service == service)
                .order_by(runs.c.started.desc(), runs.c.id.desc())
                .limit(1)
            )
            return None if run_id is None else self._load(conn, run_id)

    def metric_series(
        self, name: str, *, service: str | None = None, limit: int = 100
    ) -> list[tuple[datetime, str, float]]:
        """``(started, run_id, value)`` of metric ``name`` over the newest ``limit`` runs that
        have it, oldest first. A run with the metric twice counts its last value, as
        :meth:`Run.metrics` does."""
        m, runs = schema.metrics, schema.runs
        position = func.row_number().over(
            partition_by=m.c.run_id, order_by=(m.c.result.desc(), m.c.ordinal.desc())
        )
        last = (
            select(m.c.run_id, m.c.value, position.label("position"))
            .where(m.c.name == name)
            .subquery()
        )
        query = (
            select(runs.c.started, runs.c.id, last.c.value)
            .join(last, last.c.run_id == runs.c.id)
            .where(last.c.position == 1)
            .order_by(runs.c.started.desc(), runs.c.id.desc())
            .limit(max(0, limit))
        )
        if service is not None:
            query = query.where(runs.c.service == service)
        with self._reading(f"read the series of metric {name!r}") as conn:
            newest_first = [(row[0], str(row[1]), float(row[2])) for row in conn.execute(query)]
        return newest_first[::-1]

    def services(self) -> list[str]:
        """Every service that has a stored run, sorted."""
        runs = schema.runs
        with self._reading("list services") as conn:
            return [
                str(s)
                for s in conn.scalars(select(runs.c.service).distinct().order_by(runs.c.service))
            ]

    def add_day_entry(self, entry: DayEntry) -> DayEntry:
        """Append one Chaos Day log entry (its text already redacted) and return it with its
        stored id."""
        row = entry.as_row()
        row.pop("id", None)
        try:
            with (
                self._serial,
                self._engine.connect().execution_options(**WRITE) as conn,
                conn.begin(),
            ):
                new_id = conn.execute(
                    insert(schema.chaosday_log).returning(schema.chaosday_log.c.id), [row]
                ).scalar_one()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot save the Chaos Day log entry to {self.url}: {reason(exc, self._url)}"
            ) from exc
        return DayEntry.from_row({**row, "id": int(new_id)})

    def set_day_status(self, day: str, entry_id: int, status: str) -> DayEntry:
        """Move incident ``entry_id`` of Chaos Day ``day`` to ``status`` on the day's board."""
        if status not in DAY_STATUSES:
            raise StoreError(f"incident status {status!r} is not one of "
                             f"{', '.join(DAY_STATUSES)}")
        log = schema.chaosday_log
        where = (log.c.id == entry_id) & (log.c.day == day)
        try:
            with (
                self._serial,
                self._engine.connect().execution_options(**WRITE) as conn,
                conn.begin(),
            ):
                row = conn.execute(select(log).where(where)).mappings().one_or_none()
                if row is None or row["kind"] != "incident":
                    raise StoreError(f"Chaos Day {day!r} has no incident #{entry_id}")
                conn.execute(update(log).where(where).values(status=status))
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot update incident #{entry_id} in {self.url}: {reason(exc, self._url)}"
            ) from exc
        return DayEntry.from_row({**dict(row), "status": status})

    def day_entries(self, day: str) -> list[DayEntry]:
        """Every log entry of Chaos Day ``day``, oldest first."""
        log = schema.chaosday_log
        with self._reading(f"read the log of Chaos Day {day!r}") as conn:
            rows = conn.execute(
                select(log).where(log.c.day == day).order_by(log.c.at, log.c.id)
            ).mappings()
            return [DayEntry.from_row(dict(r)) for r in rows]

    def latest_results(self, service: str, drills: Iterable[str], *,
                       look_back: int = 200) -> dict[str, tuple[str, DrillResult]]:
        """The newest finished result of each of ``drills`` for ``service`` among its last
        ``look_back`` runs, with the id of the run it came from."""
        wanted = set(drills)
        found: dict[str, tuple[str, DrillResult]] = {}
        for summary in self.runs(service=service, limit=look_back):
            if not wanted - set(found):
                break
            if not (wanted - set(found)) & set(summary.drills):
                continue
            run = self.get(summary.id)
            for result in run.results:
                if (result.drill in wanted and result.drill not in found
                        and result.status in (Status.PASSED, Status.FAILED)):
                    found[result.drill] = (run.id, result)
        return found

    def runs_between(self, start: datetime, end: datetime, *,
                     service: str | None = None) -> list[Run]:
        """Every run that started in ``[start, end)``, oldest first."""
        runs = schema.runs
        query = (select(runs.c.id).where(runs.c.started >= start, runs.c.started < end)
                 .order_by(runs.c.started, runs.c.id))
        if service is not None:
            query = query.where(runs.c.service == service)
        with self._reading("list runs in a time window") as conn:
            return [self._load(conn, str(i)) for i in conn.scalars(query)]

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def _severity(value: str, run_id: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise StoreError(f"stored run {run_id!r} has an unknown severity {value!r}") from None


def _verdict(value: str, run_id: str) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:
        raise StoreError(f"stored run {run_id!r} has an unknown verdict {value!r}") from None
