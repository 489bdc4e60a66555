"""The read-only pages: services, a service's runs, a run, one drill's journal (chaos
timeline, red-team transcripts, patch-drill table), metric history and governance."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import Response

from drillhall.core.model import JournalEntry, Severity
from drillhall.reports.svg import Point, metric_chart
from drillhall.store import Store
from drillhall.web.dashboard import queries, views
from drillhall.web.dashboard.rendering import page

router = APIRouter()

RUNS_PER_PAGE = 50
JOURNAL_SHOWN = 200
"""Journal entries per drill on the run page (the drill's own page shows them all)."""
SERIES_LIMIT = 500
"""Newest points per service on a metric chart."""


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _int(value: str | None, default: int, *, low: int = 1, high: int = 1_000_000) -> int:
    try:
        return min(high, max(low, int(value or default)))
    except ValueError:
        return default


@router.get("/")
def overview(request: Request) -> Response:
    cards = views.service_cards(_store(request))
    return page(request, "overview.html.j2", title="Services", nav="services", cards=cards)


@router.get("/services/{service}")
def service_runs(request: Request, service: str) -> Response:
    store = _store(request)
    number = _int(request.query_params.get("page"), 1, high=10_000)
    listed = store.runs(service=service, limit=number * RUNS_PER_PAGE + 1)
    if not listed:
        raise HTTPException(404, f"No run of service {service!r} is stored.")
    shown = listed[(number - 1) * RUNS_PER_PAGE: number * RUNS_PER_PAGE]
    more = len(listed) > number * RUNS_PER_PAGE
    return page(request, "service.html.j2", title=service, nav="services", service=service,
                runs=shown, page_number=number, more=more)


def _finding_query(request: Request, page_size: int) -> queries.FindingQuery:
    params = request.query_params
    severities = []
    for value in params.getlist("severity"):
        try:
            severities.append(Severity.parse(value))
        except ValueError:
            continue
    sort = params.get("sort", "severity")
    return queries.FindingQuery(
        severities=tuple(dict.fromkeys(severities)),
        drill=params.get("drill", "").strip()[:200],
        rule=params.get("rule", "").strip()[:200],
        text=params.get("q", "").strip()[:200],
        sort=sort if sort in queries.SORTS else "severity",
        descending=params.get("order", "desc") != "asc",
        page=_int(params.get("page"), 1),
        page_size=page_size,
    )


def _query_string(query: queries.FindingQuery, **change: Any) -> str:
    values: dict[str, Any] = {
        "severity": [s.value for s in query.severities], "drill": query.drill,
        "rule": query.rule, "q": query.text, "sort": query.sort,
        "order": "desc" if query.descending else "asc", "page": query.page,
    }
    values.update(change)
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in ("", None) and not (key == "page" and item == 1):
                pairs.append((key, str(item)))
    return urlencode(pairs)


def _run(request: Request, run_id: str) -> queries.RunView:
    store = _store(request)
    full = queries.resolve_run_id(store, run_id.strip())
    run = None if full is None else queries.run_view(store, full)
    if run is None:
        raise HTTPException(404, f"No stored run has the id {run_id!r}.")
    return run


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str) -> Response:
    run = _run(request, run_id)
    store = _store(request)
    query = _finding_query(request, request.app.state.settings.page_size)
    found = queries.findings_page(store, run.id, query)
    pages = found.pages(query.page_size)
    journals = queries.journal(store, run.id, limit=JOURNAL_SHOWN)

    def link(**change: Any) -> str:
        text = _query_string(query, **change)
        return f"/runs/{run.id}" + (f"?{text}" if text else "") + "#findings"

    def sort_link(key: str) -> str:
        descending = not query.descending if query.sort == key else key == "severity"
        return link(sort=key, order="desc" if descending else "asc", page=1)

    return page(request, "run.html.j2", title=f"{run.service} · {run.id}", nav="services",
                run=run, counts=run.counts, query=query, found=found, pages=pages,
                link=link, sort_link=sort_link, sorts=queries.SORTS, journals=journals,
                journal_shown=JOURNAL_SHOWN, family_of=views.family_of)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    entry: JournalEntry
    offset: str
    category: str


_CATEGORIES = {
    "experiment-start": "milestone", "experiment-end": "milestone", "plan": "plan",
    "steady-state": "probe", "recovery": "probe", "activity": "fault",
    "activity-start": "fault", "fault-injected": "fault", "revert-registered": "revert",
    "revert-start": "revert", "revert-end": "revert", "rollback": "revert",
    "deviation": "alert", "stop-condition": "alert", "abort": "alert", "preempted": "alert",
}


def timeline(entries: list[JournalEntry]) -> list[TimelineItem]:
    """A chaos journal as timeline items: time since the first event, and a category that
    colours the event's dot."""
    if not entries:
        return []
    start = min(e.at for e in entries)
    return [TimelineItem(e, f"+{(e.at - start).total_seconds():.1f}s",
                         _CATEGORIES.get(e.event, "note")) for e in entries]


@dataclass(frozen=True, slots=True)
class Transcript:
    attack: str
    messages: tuple[tuple[str, str, str], ...]
    """``(role, content, tool calls as text)``."""
    raw: str


def transcripts(entries: list[JournalEntry]) -> list[Transcript]:
    """The red team's transcripts (``transcript`` journal entries, JSON) as conversations."""
    out = []
    for e in entries:
        if e.event != "transcript":
            continue
        try:
            doc = json.loads(e.detail)
            messages = tuple(
                (str(m.get("role", "?")), str(m.get("content", "")),
                 ", ".join(f"{c.get('name')}({json.dumps(c.get('arguments'))})"
                           for c in m.get("tool_calls") or []))
                for m in doc.get("messages", []))
            out.append(Transcript(str(doc.get("attack", "?")), messages, ""))
        except (ValueError, AttributeError, TypeError):
            out.append(Transcript("?", (), e.detail))
    return out


@router.get("/runs/{run_id}/results/{ordinal}")
def result_page(request: Request, run_id: str, ordinal: int) -> Response:
    run = _run(request, run_id)
    result = run.result(ordinal)
    if result is None:
        raise HTTPException(404, f"Run {run.id} has no drill result #{ordinal}.")
    store = _store(request)
    entries = queries.journal(store, run.id, ordinal).get(ordinal, [])
    kind = {"chaos": "chaos", "redteam": "redteam", "patch-drill": "patch-drill"}.get(
        result.drill, "journal")
    findings = queries.result_findings(store, run.id, ordinal) if kind == "patch-drill" else []
    trials = [e for e in entries if e.event in ("trial", "applied", "untried", "plan")]
    return page(request, "result.html.j2", title=f"{result.drill} · {run.id}",
                nav="services", run=run, result=result, kind=kind, entries=entries,
                timeline=timeline(entries) if kind == "chaos" else [],
                transcripts=transcripts(entries) if kind == "redteam" else [],
                findings=findings, trials=trials)


@router.get("/metrics")
def metrics_page(request: Request) -> Response:
    store = _store(request)
    names = queries.metric_names(store)
    name = request.query_params.get("name", "")
    if name not in names:
        name = next((n for n in names if not n.startswith("governance.")), names[0]) \
            if names else ""
    services = store.services()
    wanted = request.query_params.get("service", "")
    series = []
    if name:
        for service in [wanted] if wanted in services else services:
            points = store.metric_series(name, service=service, limit=SERIES_LIMIT)
            if points:
                series.append(views.MetricSeries(name, service, tuple(points)))
    data = views.metric_chart_data(series)
    fallback = None
    if series:
        first = series[0]
        fallback = metric_chart(name, [Point(r, at) for at, r, _ in first.points],
                                [v for _, _, v in first.points], width=620, height=200)
    return page(request, "metrics.html.j2", title="Metric history", nav="metrics",
                names=names, name=name, services=services, service=wanted, series=series,
                data=data, fallback=fallback)


@router.get("/governance")
def governance_page(request: Request) -> Response:
    from drillhall.core.config import CONFIG_NAME
    from drillhall.core.execute import EVIDENCE_DRILLS
    from drillhall.governance.checks import (
        EvidenceItem,
        Outcome,
        collect_evidence,
        evaluate_governance,
        not_met,
    )

    config = request.app.state.settings.config
    store = _store(request)
    gov = None if config is None else config.governance
    service = None if config is None else config.service.name
    context: dict[str, Any] = {"gov": gov, "service": service,
                               "source": CONFIG_NAME if config is None or config.source is None
                               else str(config.source.name)}
    if gov is not None and service is not None:
        today = dt.datetime.now(dt.UTC).date()
        stored = store.latest_results(service, EVIDENCE_DRILLS)
        evidence = collect_evidence(
            {d: EvidenceItem(result, run_id) for d, (run_id, result) in stored.items()},
            config.drills if config is not None else {})
        checks = evaluate_governance(gov, evidence, today)
        broken = {id(c) for c in not_met(checks, require_evidence=gov.require_evidence)}
        decisions = []
        for area, decision in gov.decisions():
            details = decision.model_dump(exclude={"owner", "decided", "next_review", "notes"})
            overdue = decision.next_review is not None and decision.next_review < today
            decisions.append((area, decision, decision.owner or gov.owner, details, overdue))
        context.update(
            decisions=decisions, checks=[(c, id(c) in broken) for c in checks],
            outcomes=Outcome, evidence=sorted(stored.items()), today=today,
            history=queries.governance_history(store, service),
            verdict="failed" if broken else "passed")
    return page(request, "governance.html.j2", title="Governance", nav="governance",
                **context)
