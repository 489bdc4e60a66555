"""Reads the dashboard needs that :class:`~drillhall.store.Store` does not offer (yet).

Every function takes a :class:`Store` and reads through its engine, read-only, with the
tables of :mod:`drillhall.store.schema`; they return model values, never rows. They exist so
that pages do not load whole runs: a run page asks for one page of findings, filtered,
sorted and counted in SQL, so it stays fast with a hundred thousand findings stored.
Candidates for promotion to :class:`Store` methods: :func:`metric_names`,
:func:`chaos_days`, :func:`findings_page`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from drillhall.core.model import (
    Confidence,
    Finding,
    JournalEntry,
    Location,
    Metric,
    PolicyViolation,
    Severity,
    Status,
    Verdict,
)
from drillhall.errors import StoreError
from drillhall.store import Store, schema

_LOCATION_FIELDS = ("path", "line", "column", "row", "field", "uri", "symbol")
SORTS = ("severity", "rule", "drill", "location", "title")
"""Orders the findings table offers (each ascending or descending)."""


@contextmanager
def _reading(store: Store, action: str) -> Iterator[Connection]:
    try:
        with store._engine.connect() as conn, conn.begin():
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot {action} in the history store {store.url}: "
                         f"{type(exc).__name__}") from exc


# --- small lists ------------------------------------------------------------------------


def metric_names(store: Store) -> list[str]:
    """Every metric name stored, sorted."""
    m = schema.metrics
    with _reading(store, "list metric names") as conn:
        return [str(n) for n in conn.scalars(select(m.c.name).distinct().order_by(m.c.name))]


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One Chaos Day that has log entries."""

    day: str
    entries: int
    open_incidents: int
    first: datetime
    last: datetime


def chaos_days(store: Store) -> list[DaySummary]:
    """Every Chaos Day with log entries, the newest first."""
    log = schema.chaosday_log
    is_open = case((and_(log.c.kind == "incident", log.c.status == "open"), 1), else_=0)
    query = (select(log.c.day, func.count(), func.sum(is_open), func.min(log.c.at),
                    func.max(log.c.at))
             .group_by(log.c.day).order_by(func.max(log.c.at).desc(), log.c.day))
    with _reading(store, "list Chaos Days") as conn:
        return [DaySummary(str(day), int(n), int(opened or 0), _aware(first), _aware(last))
                for day, n, opened, first, last in conn.execute(query)]


def _aware(value: Any) -> datetime:
    # aggregates bypass the column type on SQLite: parse and mark UTC as the type would
    column_type = schema.UTCDateTime()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    out = column_type.process_result_value(value, None)  # type: ignore[arg-type]
    assert out is not None
    return out


# --- one run ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultView:
    """One drill's result in a run, without its findings and journal."""

    ordinal: int
    drill: str
    status: Status
    started: datetime
    finished: datetime
    reason: str | None
    diagnostics: str | None
    counts: Mapping[Severity, int]
    metrics: tuple[Metric, ...]
    journal_entries: int

    @property
    def findings_total(self) -> int:
        return sum(self.counts.values())

    @property
    def duration_seconds(self) -> float:
        return max(0.0, (self.finished - self.started).total_seconds())


@dataclass(frozen=True, slots=True)
class RunView:
    """A stored run's head and its results in brief."""

    id: str
    service: str
    started: datetime
    finished: datetime
    verdict: Verdict
    drillhall_version: str
    violations: tuple[PolicyViolation, ...]
    results: tuple[ResultView, ...]

    @property
    def counts(self) -> dict[Severity, int]:
        total = dict.fromkeys(Severity, 0)
        for r in self.results:
            for sev, n in r.counts.items():
                total[sev] += n
        return total

    def result(self, ordinal: int) -> ResultView | None:
        return next((r for r in self.results if r.ordinal == ordinal), None)


def resolve_run_id(store: Store, wanted: str) -> str | None:
    """The id of the run ``wanted`` names (whole, or the start of exactly one id)."""
    runs = schema.runs
    with _reading(store, "look up a run") as conn:
        if conn.scalar(select(runs.c.id).where(runs.c.id == wanted)) is not None:
            return wanted
        found = list(conn.scalars(select(runs.c.id)
                                  .where(runs.c.id.startswith(wanted, autoescape=True))
                                  .limit(2)))
    return str(found[0]) if len(found) == 1 else None


def run_view(store: Store, run_id: str) -> RunView | None:
    """The run ``run_id`` in brief (counts, metrics, sizes), or ``None`` when not stored."""
    runs, r, f, m, j = (schema.runs, schema.results, schema.findings, schema.metrics,
                        schema.journal_entries)
    with _reading(store, f"read run {run_id!r}") as conn:
        head = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().one_or_none()
        if head is None:
            return None
        counts: dict[int, dict[Severity, int]] = defaultdict(lambda: dict.fromkeys(Severity, 0))
        for ordinal, severity, n in conn.execute(
                select(f.c.result, f.c.severity, func.count()).where(f.c.run_id == run_id)
                .group_by(f.c.result, f.c.severity)):
            counts[int(ordinal)][_severity(severity)] += int(n)
        metrics: dict[int, list[Metric]] = defaultdict(list)
        for ordinal, name, value, unit in conn.execute(
                select(m.c.result, m.c.name, m.c.value, m.c.unit).where(m.c.run_id == run_id)
                .order_by(m.c.result, m.c.ordinal)):
            metrics[int(ordinal)].append(Metric(str(name), float(value), str(unit)))
        sizes: dict[int, int] = {
            int(ordinal): int(n) for ordinal, n in conn.execute(
                select(j.c.result, func.count()).where(j.c.run_id == run_id)
                .group_by(j.c.result))}
        results = tuple(
            ResultView(int(row["ordinal"]), str(row["drill"]), _status(row["status"]),
                       row["started"], row["finished"], row["reason"], row["diagnostics"],
                       counts[int(row["ordinal"])], tuple(metrics[int(row["ordinal"])]),
                       sizes.get(int(row["ordinal"]), 0))
            for row in conn.execute(select(r).where(r.c.run_id == run_id)
                                    .order_by(r.c.ordinal)).mappings())
        v = schema.violations
        violations = tuple(
            PolicyViolation(str(row["rule"]), str(row["message"]), row["drill"])
            for row in conn.execute(select(v).where(v.c.run_id == run_id)
                                    .order_by(v.c.ordinal)).mappings())
    return RunView(str(head["id"]), str(head["service"]), head["started"], head["finished"],
                   _verdict(head["verdict"]), str(head["drillhall_version"]), violations,
                   results)


@dataclass(frozen=True, slots=True)
class FindingQuery:
    """What the findings table shows: filters, order and page (1-based)."""

    severities: tuple[Severity, ...] = ()
    drill: str = ""
    rule: str = ""
    text: str = ""
    sort: str = "severity"
    descending: bool = True
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class FindingRow:
    ordinal: int
    drill: str
    finding: Finding


@dataclass(frozen=True, slots=True)
class FindingsPage:
    rows: tuple[FindingRow, ...]
    total: int
    """Findings matching the filters (all pages)."""
    rules: tuple[tuple[str, int], ...] = field(default=())
    """Every rule id in the run with its number of findings, for the rule filter."""

    def pages(self, page_size: int) -> int:
        return max(1, -(-self.total // page_size))


def _rank() -> ColumnElement[int]:
    f = schema.findings
    return case({s.value: s.rank for s in Severity}, value=f.c.severity, else_=-1)


def findings_page(store: Store, run_id: str, query: FindingQuery) -> FindingsPage:
    """One page of the findings of ``run_id`` that match ``query``, in its order."""
    f, r = schema.findings, schema.results
    joined = f.join(r, and_(r.c.run_id == f.c.run_id, r.c.ordinal == f.c.result))
    where: list[ColumnElement[bool]] = [f.c.run_id == run_id]
    if query.severities:
        where.append(f.c.severity.in_([s.value for s in query.severities]))
    if query.drill:
        where.append(r.c.drill == query.drill)
    if query.rule:
        where.append(f.c.rule_id == query.rule)
    text = query.text.strip()
    if text:
        where.append(or_(*(column.icontains(text, autoescape=True) for column in (
            f.c.title, f.c.rule_id, f.c.evidence, f.c.loc_path, f.c.loc_uri, f.c.loc_symbol,
            f.c.loc_field))))
    keys: dict[str, list[ColumnElement[Any]]] = {
        "severity": [_rank()],
        "rule": [f.c.rule_id],
        "drill": [r.c.drill],
        "location": [func.coalesce(f.c.loc_path, f.c.loc_uri, f.c.loc_symbol, ""),
                     func.coalesce(f.c.loc_line, -1)],
        "title": [f.c.title],
    }
    primary = keys.get(query.sort, keys["severity"])
    order: list[ColumnElement[Any]] = [k.desc() if query.descending else k.asc()
                                       for k in primary]
    order += [f.c.result.asc(), f.c.ordinal.asc()]
    page = max(1, query.page)
    listing = (select(f, r.c.drill).select_from(joined).where(*where).order_by(*order)
               .limit(query.page_size).offset((page - 1) * query.page_size))
    with _reading(store, f"read the findings of run {run_id!r}") as conn:
        total = int(conn.scalar(select(func.count()).select_from(joined).where(*where)) or 0)
        rows = tuple(FindingRow(int(row["result"]), str(row["drill"]), _finding(row))
                     for row in conn.execute(listing).mappings())
        rules = tuple((str(rule), int(n)) for rule, n in conn.execute(
            select(f.c.rule_id, func.count()).where(f.c.run_id == run_id)
            .group_by(f.c.rule_id).order_by(f.c.rule_id)))
    return FindingsPage(rows, total, rules)


def result_findings(store: Store, run_id: str, ordinal: int, *, limit: int = 1000
                    ) -> list[Finding]:
    """The findings of one result, worst first (at most ``limit``)."""
    f = schema.findings
    query = (select(f).where(f.c.run_id == run_id, f.c.result == ordinal)
             .order_by(_rank().desc(), f.c.ordinal).limit(limit))
    with _reading(store, f"read the findings of run {run_id!r}") as conn:
        return [_finding(row) for row in conn.execute(query).mappings()]


def journal(store: Store, run_id: str, ordinal: int | None = None, *, limit: int = 2000
            ) -> dict[int, list[JournalEntry]]:
    """Journal entries of the run (or of one result) by result ordinal, in order; at most
    ``limit`` per result."""
    j = schema.journal_entries
    position = func.row_number().over(partition_by=j.c.result, order_by=j.c.ordinal)
    inner = select(j.c.result, j.c.at, j.c.event, j.c.detail, j.c.ordinal,
                   position.label("position")).where(j.c.run_id == run_id)
    if ordinal is not None:
        inner = inner.where(j.c.result == ordinal)
    sub = inner.subquery()
    query = (select(sub.c.result, sub.c.at, sub.c.event, sub.c.detail)
             .where(sub.c.position <= limit).order_by(sub.c.result, sub.c.ordinal))
    out: dict[int, list[JournalEntry]] = defaultdict(list)
    with _reading(store, f"read the journal of run {run_id!r}") as conn:
        for result, at, event, detail in conn.execute(query):
            out[int(result)].append(JournalEntry(_aware(at), str(event), str(detail)))
    return dict(out)


# --- trends -----------------------------------------------------------------------------


def drill_statuses(store: Store, run_ids: Sequence[str]
                   ) -> dict[str, list[tuple[str, Status]]]:
    """``run id → [(drill, status)]`` in result order, for the given runs."""
    r = schema.results
    out: dict[str, list[tuple[str, Status]]] = defaultdict(list)
    if not run_ids:
        return {}
    with _reading(store, "read drill results") as conn:
        for run_id, drill, status in conn.execute(
                select(r.c.run_id, r.c.drill, r.c.status).where(r.c.run_id.in_(run_ids))
                .order_by(r.c.run_id, r.c.ordinal)):
            out[str(run_id)].append((str(drill), _status(status)))
    return dict(out)


def findings_by_drill(store: Store, run_ids: Sequence[str]
                      ) -> dict[str, dict[str, dict[Severity, int]]]:
    """``run id → drill → severity → count`` for the given runs."""
    f, r = schema.findings, schema.results
    out: dict[str, dict[str, dict[Severity, int]]] = defaultdict(dict)
    if not run_ids:
        return {}
    query = (select(f.c.run_id, r.c.drill, f.c.severity, func.count())
             .select_from(f.join(r, and_(r.c.run_id == f.c.run_id, r.c.ordinal == f.c.result)))
             .where(f.c.run_id.in_(run_ids)).group_by(f.c.run_id, r.c.drill, f.c.severity))
    with _reading(store, "count findings by drill") as conn:
        for run_id, drill, severity, n in conn.execute(query):
            per = out[str(run_id)].setdefault(str(drill), dict.fromkeys(Severity, 0))
            per[_severity(severity)] += int(n)
    return dict(out)


@dataclass(frozen=True, slots=True)
class StoredGovernance:
    """The governance result of one stored run."""

    run_id: str
    started: datetime
    status: Status
    not_met: int


def governance_history(store: Store, service: str, *, drill: str = "governance",
                       limit: int = 10) -> list[StoredGovernance]:
    """The governance results of the newest ``limit`` runs of ``service`` that have one."""
    runs, r, m = schema.runs, schema.results, schema.metrics
    query = (select(runs.c.id, runs.c.started, r.c.status, r.c.ordinal)
             .join(r, r.c.run_id == runs.c.id)
             .where(runs.c.service == service, r.c.drill == drill)
             .order_by(runs.c.started.desc(), runs.c.id.desc()).limit(limit))
    with _reading(store, "read governance results") as conn:
        rows = conn.execute(query).all()
        broken: dict[tuple[str, int], float] = {}
        if rows:
            for run_id, ordinal, value in conn.execute(
                    select(m.c.run_id, m.c.result, m.c.value)
                    .where(m.c.run_id.in_([row[0] for row in rows]),
                           m.c.name == f"{drill}.not_met")):
                broken[(str(run_id), int(ordinal))] = float(value)
    return [StoredGovernance(str(run_id), started, _status(status),
                             int(broken.get((str(run_id), int(ordinal)), 0)))
            for run_id, started, status, ordinal in rows]


# --- rows to values ---------------------------------------------------------------------


def _finding(row: Mapping[str, Any] | RowMapping) -> Finding:
    location = Location(**{name: row["loc_" + name] for name in _LOCATION_FIELDS})
    return Finding(rule_id=str(row["rule_id"]), title=str(row["title"]),
                   severity=_severity(row["severity"]),
                   confidence=Confidence(row["confidence"]), location=location,
                   evidence=str(row["evidence"]), remediation=str(row["remediation"]),
                   tags=tuple(str(t) for t in row["tags"] or ()))


def _severity(value: object) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise StoreError(f"the history store holds an unknown severity {value!r}") from None


def _status(value: object) -> Status:
    try:
        return Status(str(value))
    except ValueError:
        raise StoreError(f"the history store holds an unknown status {value!r}") from None


def _verdict(value: object) -> Verdict:
    try:
        return Verdict(str(value))
    except ValueError:
        raise StoreError(f"the history store holds an unknown verdict {value!r}") from None
