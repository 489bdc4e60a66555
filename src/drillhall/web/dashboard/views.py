"""What the pages show, computed from the store: service cards with scorecards per drill
family and sparklines, metric chart data, the governance checks and the Chaos Day board.

Functions here return plain frozen values for the templates; the routes in
:mod:`drillhall.web.dashboard.app` only parse the request and pick the template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from drillhall.core.drill import BUILTIN_DRILLS
from drillhall.core.model import DAY_STATUSES, DayEntry, RunSummary, Severity, Status, Verdict
from drillhall.store import Store
from drillhall.web.dashboard import queries

GOVERNANCE = "governance"
OTHER = "other"
FAMILY_ORDER = ("patch", "chaos", "llm", "ml", GOVERNANCE, OTHER)
TREND_RUNS = 20
"""Runs a sparkline covers."""

_STATUS_WEIGHT = {Status.ERROR: 4, Status.FAILED: 3, Status.INTERRUPTED: 2, Status.PASSED: 1,
                  Status.SKIPPED: 0}


def family_of(drill: str) -> str:
    """The drill family of ``drill`` (from the built-in registry); ``governance`` is its own,
    anything unknown is ``other``."""
    if drill == GOVERNANCE:
        return GOVERNANCE
    return _families().get(drill, OTHER)


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    return {f.name: f.family for f in BUILTIN_DRILLS}


def _family_key(name: str) -> tuple[int, str]:
    return (FAMILY_ORDER.index(name) if name in FAMILY_ORDER else len(FAMILY_ORDER) - 1, name)


def worst_status(statuses: Iterable[Status]) -> Status:
    """The status a group of drills shows: the worst of them (skipped when empty)."""
    return max(statuses, key=lambda s: _STATUS_WEIGHT[s], default=Status.SKIPPED)


# --- sparklines -------------------------------------------------------------------------


def sparkline(values: Sequence[float | None], *, label: str, width: int = 120,
              height: int = 28) -> Markup:
    """A tiny inline SVG line of ``values`` (oldest first; ``None`` leaves a gap), the last
    point marked. Every text in it is escaped."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    parts = [f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(label)}">'
             f"<title>{escape(label)}</title>"]
    if known:
        lo, hi = min(known), max(known)
        span = (hi - lo) or 1.0
        n = len(values)
        step = (width - 6) / max(1, n - 1)

        def xy(i: int, v: float) -> tuple[float, float]:
            return 3 + step * i, height - 3 - (height - 6) * (v - lo) / span

        segment: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is None or not math.isfinite(v):
                if len(segment) > 1:
                    parts.append(f'<polyline points="{" ".join(segment)}" fill="none" '
                                 'stroke="#3346d3" stroke-width="1.6" stroke-linejoin="round"/>')
                segment = []
                continue
            x, y = xy(i, v)
            segment.append(f"{x:.1f},{y:.1f}")
        last = next(((i, v) for i, v in reversed(list(enumerate(values)))
                     if v is not None and math.isfinite(v)), None)
        if last is not None:
            x, y = xy(*last)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="#3346d3"/>')
    else:
        parts.append(f'<line x1="3" y1="{height - 3}" x2="{width - 3}" y2="{height - 3}" '
                     'stroke="#c9ced6" stroke-dasharray="3 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


# --- services overview ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyCard:
    family: str
    status: Status
    drills: tuple[tuple[str, Status], ...]
    counts: Mapping[Severity, int]
    trend: Markup


@dataclass(frozen=True, slots=True)
class ServiceCard:
    service: str
    latest: RunSummary
    runs: int
    families: tuple[FamilyCard, ...]
    trend: Markup
    verdicts: tuple[Verdict, ...]


def service_cards(store: Store) -> list[ServiceCard]:
    """One card per service with a stored run: its newest run's verdict and scorecard by
    drill family, with sparklines of findings over the last :data:`TREND_RUNS` runs."""
    cards = []
    for service in store.services():
        history = store.runs(service=service, limit=TREND_RUNS)
        if not history:
            continue
        latest = history[0]
        oldest_first = history[::-1]
        ids = [h.id for h in oldest_first]
        statuses = queries.drill_statuses(store, [latest.id]).get(latest.id, [])
        by_drill = queries.findings_by_drill(store, ids)
        families: dict[str, list[tuple[str, Status]]] = {}
        for drill, status in statuses:
            families.setdefault(family_of(drill), []).append((drill, status))
        family_cards = []
        for family in sorted(families, key=_family_key):
            counts = dict.fromkeys(Severity, 0)
            for drill, per in by_drill.get(latest.id, {}).items():
                if family_of(drill) == family:
                    for sev, n in per.items():
                        counts[sev] += n
            series: list[float | None] = [
                float(sum(sum(per.values()) for d, per in by_drill.get(i, {}).items()
                          if family_of(d) == family)) for i in ids]
            family_cards.append(FamilyCard(
                family, worst_status(s for _, s in families[family]),
                tuple(families[family]), counts,
                sparkline(series, label=f"{family} findings over the last {len(ids)} runs",
                          width=190)))
        totals: list[float | None] = [float(h.findings_total) for h in oldest_first]
        cards.append(ServiceCard(
            service, latest, len(history), tuple(family_cards),
            sparkline(totals, label=f"{service}: findings over the last {len(ids)} runs"),
            tuple(h.verdict for h in oldest_first)))
    return cards


# --- metric charts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricSeries:
    name: str
    service: str
    points: tuple[tuple[dt.datetime, str, float], ...]


def metric_chart_data(series: Sequence[MetricSeries]) -> dict[str, object]:
    """The JSON the chart script draws: shared x (epoch seconds) and one y list per
    series, ``null`` where a series has no point at that time."""
    xs = sorted({p[0].timestamp() for s in series for p in s.points})
    index = {x: i for i, x in enumerate(xs)}
    ys: list[list[float | None]] = []
    for s in series:
        values: list[float | None] = [None] * len(xs)
        for at, _run, value in s.points:
            values[index[at.timestamp()]] = value if math.isfinite(value) else None
        ys.append(values)
    return {"x": xs, "series": [{"label": s.service, "values": y}
                                for s, y in zip(series, ys, strict=True)]}


# --- Chaos Day board --------------------------------------------------------------------

BOARD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("open", "In progress"),
    ("resolved-by-agents", "Resolved by agents"),
    ("resolved-by-team", "Resolved by owning team"),
)
assert tuple(c for c, _ in BOARD_COLUMNS) == DAY_STATUSES


@dataclass(frozen=True, slots=True)
class Board:
    day: str
    columns: tuple[tuple[str, str, tuple[DayEntry, ...]], ...]
    log: tuple[DayEntry, ...]
    """Every entry, newest first."""


def board(day: str, entries: Sequence[DayEntry]) -> Board:
    """The day's incidents by status, and its whole log."""
    incidents = [e for e in entries if e.kind == "incident"]
    columns = tuple((status, title, tuple(e for e in incidents
                                          if (e.status or "open") == status))
                    for status, title in BOARD_COLUMNS)
    return Board(day, columns, tuple(reversed(entries)))
