"""Turning a :class:`~drillhall.core.model.Run` into table rows and back.

:func:`run_rows` flattens a run into one list of row dictionaries per table, numbering every
tuple's members with ``ordinal``; :func:`build_run` rebuilds an equal run from rows read back
in ``ordinal`` order. Nothing here touches a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
from drillhall.errors import StoreError

Row = dict[str, Any]
_LOCATION_FIELDS = ("path", "line", "column", "row", "field", "uri", "symbol")


@dataclass
class RunRows:
    """A run as rows, one list per table (``runs`` has exactly one row)."""

    runs: list[Row] = field(default_factory=list)
    results: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    metrics: list[Row] = field(default_factory=list)
    journal_entries: list[Row] = field(default_factory=list)
    violations: list[Row] = field(default_factory=list)


def run_rows(run: Run) -> RunRows:
    """Flatten ``run`` into rows for every table."""
    rows = RunRows()
    rows.runs.append({
        "id": run.id,
        "service": run.service,
        "started": run.started,
        "finished": run.finished,
        "verdict": Verdict(run.verdict).value,
        "drillhall_version": run.drillhall_version,
    })
    for i, result in enumerate(run.results):
        rows.results.append({
            "run_id": run.id,
            "ordinal": i,
            "drill": result.drill,
            "status": Status(result.status).value,
            "reason": result.reason,
            "diagnostics": result.diagnostics,
            "started": result.started,
            "finished": result.finished,
        })
        key = {"run_id": run.id, "result": i}
        for j, finding in enumerate(result.findings):
            rows.findings.append(key | {"ordinal": j} | _finding_row(finding))
        for j, metric in enumerate(result.metrics):
            rows.metrics.append(key | {
                "ordinal": j, "name": metric.name, "value": metric.value, "unit": metric.unit,
            })
        for j, entry in enumerate(result.journal):
            rows.journal_entries.append(key | {
                "ordinal": j, "at": entry.at, "event": entry.event, "detail": entry.detail,
            })
    for i, violation in enumerate(run.violations):
        rows.violations.append({
            "run_id": run.id,
            "ordinal": i,
            "rule": violation.rule,
            "message": violation.message,
            "drill": violation.drill,
        })
    return rows


def _finding_row(finding: Finding) -> Row:
    row: Row = {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": Severity(finding.severity).value,
        "confidence": Confidence(finding.confidence).value,
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "tags": list(finding.tags),
        "fingerprint": finding.fingerprint,
    }
    for name in _LOCATION_FIELDS:
        row["loc_" + name] = getattr(finding.location, name)
    return row


def build_run(
    run: Mapping[str, Any],
    results: Iterable[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]],
    metrics: Iterable[Mapping[str, Any]],
    journal: Iterable[Mapping[str, Any]],
    violations: Iterable[Mapping[str, Any]],
) -> Run:
    """Rebuild a run from its rows; children must come sorted by ``(result, ordinal)``."""
    run_id = str(run["id"])
    by_result: dict[str, dict[int, list[Any]]] = {
        "findings": defaultdict(list), "metrics": defaultdict(list), "journal": defaultdict(list),
    }
    try:
        for row in findings:
            by_result["findings"][row["result"]].append(_finding(row))
        for row in metrics:
            by_result["metrics"][row["result"]].append(
                Metric(name=row["name"], value=row["value"], unit=row["unit"])
            )
        for row in journal:
            by_result["journal"][row["result"]].append(
                JournalEntry(at=row["at"], event=row["event"], detail=row["detail"])
            )
        built = tuple(_result(row, by_result) for row in results)
        return Run(
            id=run_id,
            service=run["service"],
            started=run["started"],
            finished=run["finished"],
            results=built,
            verdict=Verdict(run["verdict"]),
            violations=tuple(
                PolicyViolation(rule=v["rule"], message=v["message"], drill=v["drill"])
                for v in violations
            ),
            drillhall_version=run["drillhall_version"],
        )
    except ValueError as exc:
        raise StoreError(
            f"stored run {run_id!r} holds a value this drillhall does not know ({exc})"
        ) from exc


def _result(
    row: Mapping[str, Any], children: Mapping[str, Mapping[int, Sequence[Any]]]
) -> DrillResult:
    i = row["ordinal"]
    return DrillResult(
        drill=row["drill"],
        status=Status(row["status"]),
        findings=tuple(children["findings"].get(i, ())),
        metrics=tuple(children["metrics"].get(i, ())),
        journal=tuple(children["journal"].get(i, ())),
        started=row["started"],
        finished=row["finished"],
        reason=row["reason"],
        diagnostics=row["diagnostics"],
    )


def _finding(row: Mapping[str, Any]) -> Finding:
    location = Location(**{name: row["loc_" + name] for name in _LOCATION_FIELDS})
    return Finding(
        rule_id=row["rule_id"],
        title=row["title"],
        severity=Severity(row["severity"]),
        confidence=Confidence(row["confidence"]),
        location=location,
        evidence=row["evidence"],
        remediation=row["remediation"],
        tags=tuple(str(tag) for tag in row["tags"] or ()),
    )
