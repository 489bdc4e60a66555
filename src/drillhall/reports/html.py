"""The HTML report: one self-contained file that opens from disk.

Rendered from the Jinja2 template ``templates/report.html.j2`` with autoescaping on, so text
from findings (which may be hostile: model output, file contents) is always escaped. CSS and
JavaScript are inline, charts are SVG drawn in Python (:mod:`drillhall.reports.svg`), and a
Content-Security-Policy forbids every external fetch. The page has a scorecard, the policy
verdict, trend charts over the run history, a metrics table and the findings grouped by
drill, with a severity filter and a text search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup

from drillhall.core.model import (
    DrillResult,
    Finding,
    Metric,
    Run,
    RunSummary,
    Severity,
    count_by_severity,
)
from drillhall.core.rules import RuleInfo
from drillhall.reports._common import (
    SEVERITIES_DESC,
    format_duration,
    format_metric,
    format_time,
    iso_time,
    result_note,
    sorted_findings,
    version_of,
)
from drillhall.reports._context import ReportContext
from drillhall.reports.svg import SEVERITY_COLOUR, Point, metric_chart, severity_chart

MAX_METRIC_CHARTS = 6
MAX_FINDINGS_PER_DRILL = 1000


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("drillhall.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True, slots=True)
class DrillView:
    """One drill as the template shows it."""

    result: DrillResult
    counts: Mapping[Severity, int]
    findings: Sequence[Finding]
    hidden: int
    note: str
    duration: str
    key_metrics: Sequence[tuple[str, str, str]]
    """``(name, short name, value)`` of the first few metrics."""


@dataclass(frozen=True, slots=True)
class MetricRow:
    drill: str
    name: str
    value: str
    previous: str
    trend: str


def _short_name(name: str) -> str:
    """``llm.attack_success_rate`` → ``attack success rate`` (the drill card names the family)."""
    return name.split(".", 1)[-1].replace("_", " ")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One run of the trend table."""

    run_id: str
    started: str
    verdict: str
    total: int
    counts: Mapping[Severity, int]
    current: bool


def _history_rows(run: Run, history: Sequence[RunSummary]) -> list[HistoryRow]:
    rows = [
        HistoryRow(h.id, format_time(h.started)[:16], h.verdict.value, h.findings_total,
                   {s: h.severity_counts.get(s, 0) for s in Severity}, False)
        for h in history
    ]
    counts = count_by_severity(run.findings)
    rows.append(HistoryRow(run.id, format_time(run.started)[:16], run.verdict.value,
                           sum(counts.values()), counts, True))
    return list(reversed(rows))[:8]


def _drills(run: Run) -> list[DrillView]:
    out = []
    for r in run.results:
        findings = sorted_findings(r.findings)
        out.append(DrillView(
            result=r,
            counts=count_by_severity(r.findings),
            findings=findings[:MAX_FINDINGS_PER_DRILL],
            hidden=max(0, len(findings) - MAX_FINDINGS_PER_DRILL),
            note=result_note(r),
            duration=format_duration(r.duration_seconds),
            key_metrics=[(m.name, _short_name(m.name), format_metric(m)) for m in r.metrics[:4]],
        ))
    return out


def _metric_rows(run: Run, history: Sequence[RunSummary]) -> list[MetricRow]:
    previous = history[-1].metrics if history else {}
    rows = []
    for r in run.results:
        for m in r.metrics:
            before = previous.get(m.name)
            trend = ""
            if before is not None:
                delta = float(m.value) - float(before)
                trend = "up" if delta > 0 else "down" if delta < 0 else "same"
            prev_text = format_metric(Metric(m.name, before, m.unit)) if before is not None else ""
            rows.append(MetricRow(r.drill, m.name, format_metric(m), prev_text, trend))
    return rows


def _trends(run: Run, history: Sequence[RunSummary]) -> dict[str, Any]:
    points = [Point(h.id, h.started) for h in history] + [Point(run.id, run.started, True)]
    counts: list[Mapping[Severity, int]] = [h.severity_counts for h in history]
    counts.append(count_by_severity(run.findings))
    current = run.metrics()
    units = {m.name: m.unit for r in run.results for m in r.metrics}
    seen: dict[str, int] = {}
    for mapping in [*(h.metrics for h in history), current]:
        for name in mapping:
            seen[name] = seen.get(name, 0) + 1
    names = sorted(seen, key=lambda n: (-seen[n], n))[:MAX_METRIC_CHARTS]
    charts: list[tuple[str, Markup, str]] = []
    for name in sorted(names):
        values: list[float | None] = [
            float(h.metrics[name]) if name in h.metrics else None for h in history
        ]
        values.append(float(current[name]) if name in current else None)
        latest = next((v for v in reversed(values) if v is not None), None)
        shown = format_metric(Metric(name, latest, units.get(name, ""))) if latest is not None \
            else "–"
        charts.append((name, metric_chart(name, points, values, units.get(name, "")), shown))
    return {
        "severity_chart": severity_chart(points, counts),
        "metric_charts": charts,
        "runs": len(points),
        "table": _history_rows(run, history),
    }


def render_html(run: Run, ctx: ReportContext | None = None) -> str:
    """The HTML report of ``run``: one self-contained UTF-8 page."""
    ctx = ctx if ctx is not None else ReportContext()
    counts = count_by_severity(run.findings)
    used_rules: dict[str, RuleInfo] = {
        f.rule_id: ctx.rules[f.rule_id] for f in run.findings if f.rule_id in ctx.rules
    }
    template = _environment().get_template("report.html.j2")
    return str(template.render(
        run=run,
        ctx=ctx,
        version=version_of(run),
        started=format_time(run.started),
        finished=format_time(run.finished),
        started_iso=iso_time(run.started),
        duration=format_duration(max(0.0, (run.finished - run.started).total_seconds())),
        severities=SEVERITIES_DESC,
        colours={s.value: c for s, c in SEVERITY_COLOUR.items()},
        counts=counts,
        total=sum(counts.values()),
        drills=_drills(run),
        metric_rows=_metric_rows(run, ctx.history),
        trends=_trends(run, ctx.history),
        rules=dict(sorted(used_rules.items())),
    ))
