"""The JSON report, schema ``drillhall/report/v1``, and its loader.

The document is described by ``schema/report-v1.schema.json`` (shipped in the package). Keys
come out in a fixed order and metric values that are whole numbers are written as integers,
so two renderings of the same run are byte-identical. :func:`load_json_report` reads a saved
report back into a :class:`~drillhall.core.model.Run` (``drillhall report`` re-renders it).

Beyond the keys named in the design, the document carries ``service``, ``fail_on`` (the
threshold in force, or null), each result's ``metric_units`` (so a round trip keeps units)
and each finding's ``fingerprint`` (ignored on load: it is derived from the finding).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    PolicyViolation,
    Run,
    Severity,
    Status,
    Verdict,
)
from drillhall.errors import ReportError
from drillhall.reports._common import iso_time, version_of
from drillhall.reports._context import ReportContext

SCHEMA_ID = "drillhall/report/v1"
SCHEMA_RESOURCE = "schema/report-v1.schema.json"
"""Path of the JSON Schema of this document inside the ``drillhall.reports`` package."""


def _number(value: float) -> int | float | None:
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def finding_document(finding: Finding) -> dict[str, Any]:
    """One finding as the report writes it."""
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "location": finding.location.as_dict(),
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "tags": list(finding.tags),
        "fingerprint": finding.fingerprint,
    }


def result_document(result: DrillResult) -> dict[str, Any]:
    """One drill result as the report writes it."""
    return {
        "drill": result.drill,
        "status": result.status.value,
        "reason": result.reason,
        "diagnostics": result.diagnostics,
        "started": iso_time(result.started),
        "finished": iso_time(result.finished),
        "duration_seconds": round(result.duration_seconds, 6),
        "metrics": {m.name: _number(m.value) for m in result.metrics},
        "metric_units": {m.name: m.unit for m in result.metrics if m.unit},
        "findings": [finding_document(f) for f in result.findings],
        "journal": [
            {"at": iso_time(e.at), "event": e.event, "detail": e.detail} for e in result.journal
        ],
    }


def report_document(run: Run, ctx: ReportContext | None = None) -> dict[str, Any]:
    """The whole report as a JSON-ready dictionary, keys in their documented order."""
    fail_on = ctx.fail_on if ctx is not None else None
    return {
        "schema": SCHEMA_ID,
        "drillhall_version": version_of(run),
        "run_id": run.id,
        "service": run.service,
        "started": iso_time(run.started),
        "finished": iso_time(run.finished),
        "verdict": run.verdict.value,
        "fail_on": fail_on.value if fail_on is not None else None,
        "violations": [
            {"rule": v.rule, "message": v.message, "drill": v.drill} for v in run.violations
        ],
        "results": [result_document(r) for r in run.results],
    }


def render_json(run: Run, ctx: ReportContext | None = None) -> str:
    """The JSON report: indented by two spaces, non-ASCII kept, newline at the end."""
    return json.dumps(report_document(run, ctx), indent=2, ensure_ascii=False) + "\n"


# --- loading -------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Location(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None
    uri: str | None = None
    symbol: str | None = None


class _Finding(_Model):
    rule_id: str
    title: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    location: _Location = _Location()
    evidence: str = ""
    remediation: str = ""
    tags: list[str] = []


class _Journal(_Model):
    at: datetime
    event: str
    detail: str = ""


class _Result(_Model):
    drill: str
    status: Status
    reason: str | None = None
    diagnostics: str | None = None
    started: datetime
    finished: datetime
    metrics: dict[str, float | None] = {}
    metric_units: dict[str, str] = {}
    findings: list[_Finding] = []
    journal: list[_Journal] = []


class _Violation(_Model):
    rule: str
    message: str
    drill: str | None = None


class _Report(_Model):
    schema_: Literal["drillhall/report/v1"]
    drillhall_version: str = ""
    run_id: str
    service: str = ""
    started: datetime
    finished: datetime
    verdict: Verdict = Verdict.NONE
    violations: list[_Violation] = []
    results: list[_Result] = []


def _utc(moment: datetime) -> datetime:
    """Give UTC timestamps the standard ``UTC`` tzinfo (pydantic uses its own class)."""
    if moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        return moment.replace(tzinfo=UTC)
    return moment


def _to_finding(f: _Finding) -> Finding:
    return Finding(
        rule_id=f.rule_id,
        title=f.title,
        severity=f.severity,
        confidence=f.confidence,
        location=Location(**f.location.model_dump()),
        evidence=f.evidence,
        remediation=f.remediation,
        tags=tuple(f.tags),
    )


def _to_result(r: _Result) -> DrillResult:
    return DrillResult(
        drill=r.drill,
        status=r.status,
        findings=tuple(_to_finding(f) for f in r.findings),
        metrics=tuple(
            Metric(name, math.nan if value is None else float(value), r.metric_units.get(name, ""))
            for name, value in r.metrics.items()
        ),
        journal=tuple(
            JournalEntry(at=_utc(e.at), event=e.event, detail=e.detail) for e in r.journal
        ),
        started=_utc(r.started),
        finished=_utc(r.finished),
        reason=r.reason,
        diagnostics=r.diagnostics,
    )


def _where(err: Any) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return loc.replace("schema_", "schema") or "the top level"


def load_json_report(text: str, source: str = "the JSON report") -> Run:
    """Read a report written by :func:`render_json` back into a :class:`Run`.

    ``source`` names the file in error messages. Raises :class:`ReportError` with one sentence
    when the text is not JSON or not a ``drillhall/report/v1`` document.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise ReportError(f"{source} is not a drillhall report: it is not a JSON object")
    if data.get("schema") != SCHEMA_ID:
        raise ReportError(
            f"{source} is not a {SCHEMA_ID} report (its schema is {data.get('schema')!r})"
        )
    data = dict(data)
    data["schema_"] = data.pop("schema")
    try:
        report = _Report.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ReportError(
            f"{source}: {_where(err)}: {err.get('msg', 'invalid value')}"
        ) from None
    return Run(
        id=report.run_id,
        service=report.service,
        started=_utc(report.started),
        finished=_utc(report.finished),
        results=tuple(_to_result(r) for r in report.results),
        verdict=report.verdict,
        violations=tuple(
            PolicyViolation(rule=v.rule, message=v.message, drill=v.drill)
            for v in report.violations
        ),
        drillhall_version=report.drillhall_version,
    )
