"""The JSON report: schema v1, validation against the shipped JSON Schema, round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drillhall.core.model import (
    DrillResult,
    Finding,
    Location,
    Metric,
    Run,
    Severity,
    Status,
    Verdict,
)
from drillhall.errors import ReportError
from drillhall.reports import Format, ReportContext, load_json_report, render
from drillhall.reports.json_report import SCHEMA_RESOURCE

GOLDEN_JSON = Path(__file__).resolve().parent.parent / "golden" / "reports" / "report.json"


def _schema() -> dict[str, Any]:
    text = resources.files("drillhall.reports").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def _validate(doc: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def _edge_run() -> Run:
    t = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    other_tz = timezone(timedelta(hours=2))
    return Run(
        id="r-1",
        service="",
        started=t,
        finished=t.astimezone(other_tz) + timedelta(seconds=3),
        results=(
            DrillResult("a", Status.INTERRUPTED, started=t, finished=t, reason="Ctrl-C"),
            DrillResult(
                "b",
                Status.FAILED,
                findings=(
                    Finding("DH-X", "ünïcødé \"quoted\" \\ back", Severity.INFO,
                            location=Location(row=0, field="email")),
                    Finding("DH-Y", "no location", Severity.CRITICAL, tags=("A", "B")),
                ),
                metrics=(Metric("x.ratio", 0.1, "ratio"), Metric("x.count", 3),
                         Metric("x.big", 1e20), Metric("x.neg", -2.5, "s")),
                started=t,
                finished=t + timedelta(milliseconds=1),
            ),
            DrillResult("c", Status.ERROR, started=t, finished=t, diagnostics="boom."),
        ),
        verdict=Verdict.NONE,
        drillhall_version="9.9.9",
    )


def test_golden_json_validates_against_the_shipped_schema() -> None:
    _validate(json.loads(GOLDEN_JSON.read_text("utf-8")))


@pytest.mark.parametrize("which", ["sample", "edge"])
def test_generated_json_validates(which: str, run: Run) -> None:
    subject = run if which == "sample" else _edge_run()
    for fail_on in (None, Severity.LOW):
        _validate(json.loads(render(subject, Format.JSON, ReportContext(fail_on=fail_on))))


def test_schema_rejects_a_broken_document(run: Run) -> None:
    doc = json.loads(render(run, Format.JSON))
    doc["results"][0]["findings"][0]["severity"] = "severe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, _schema(), cls=jsonschema.Draft202012Validator)


def test_top_level_key_order_is_the_documented_one(run: Run) -> None:
    doc = json.loads(render(run, Format.JSON))
    assert list(doc) == ["schema", "drillhall_version", "run_id", "service", "started",
                         "finished", "verdict", "fail_on", "violations", "results"]
    assert list(doc["results"][0]) == [
        "drill", "status", "reason", "diagnostics", "started", "finished", "duration_seconds",
        "metrics", "metric_units", "findings", "journal"]
    assert list(doc["results"][0]["findings"][0]) == [
        "rule_id", "title", "severity", "confidence", "location", "evidence", "remediation",
        "tags", "fingerprint"]
    assert doc["results"][0]["metrics"]["secrets.files_scanned"] == 120
    assert doc["results"][0]["findings"][0]["location"] == {
        "path": "app/config.py", "line": 12, "column": 17}


@pytest.mark.parametrize("which", ["sample", "edge"])
def test_round_trip_gives_the_same_run(which: str, run: Run) -> None:
    subject = run if which == "sample" else _edge_run()
    text = render(subject, Format.JSON)
    loaded = load_json_report(text)
    assert loaded == subject
    assert render(loaded, Format.JSON) == text
    assert [f.fingerprint for f in loaded.findings] == [f.fingerprint for f in subject.findings]


def test_loaded_timestamps_are_aware_utc(run: Run) -> None:
    loaded = load_json_report(render(run, Format.JSON))
    assert loaded.started.tzinfo is UTC
    assert loaded.results[0].journal[0].at.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[]", "not a JSON object"),
        ('{"schema": "other/v9"}', "is not a drillhall/report/v1 report"),
        ('{"schema": "drillhall/report/v1", "started": "2026-01-01T00:00:00Z"}', "run_id"),
    ],
)
def test_loader_errors_are_one_sentence(text: str, expected: str) -> None:
    with pytest.raises(ReportError) as info:
        load_json_report(text, source="saved.json")
    message = info.value.diagnostics()
    assert "saved.json" in message
    assert expected in message
    assert "\n" not in message


def test_loader_rejects_bad_severity(run: Run) -> None:
    doc = json.loads(render(run, Format.JSON))
    doc["results"][0]["findings"][0]["severity"] = "severe"
    with pytest.raises(ReportError, match=r"results\.0\.findings\.0\.severity"):
        load_json_report(json.dumps(doc))


def test_schema_file_is_draft_2020_12() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
