"""The Markdown summary: verdict, scorecard, capped findings, escaping."""

from __future__ import annotations

from datetime import UTC, datetime

from drillhall.core.model import DrillResult, Finding, Location, Run, Severity, Status, Verdict
from drillhall.reports import Format, ReportContext, render
from drillhall.reports.markdown import MAX_FINDINGS_PER_DRILL, escape_cell

T = datetime(2026, 1, 1, tzinfo=UTC)


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def _cells(row: str) -> list[str]:
    # Split on pipes that are not escaped with a backslash.
    cells, current, escaped = [], "", False
    for ch in row.strip()[1:-1]:
        if ch == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += ch
        escaped = ch == "\\" and not escaped
    cells.append(current)
    return cells


def test_sample_has_verdict_scorecard_violations_and_findings(run: Run) -> None:
    text = render(run, Format.MARKDOWN, ReportContext(fail_on=Severity.HIGH))
    assert "❌ **Policy not met**" in text
    assert "fail-on: high" in text
    assert "`max-severity` (secrets)" in text
    assert "| secrets | ❌ failed | 1 | 1 | 1 |" in text
    assert "<details><summary><b>secrets</b>: 3 findings</summary>" in text
    header = _table_rows(text)[0]
    for row in _table_rows(text):
        if row.startswith("| Severity"):
            header = row
        assert len(_cells(row)) == len(_cells(header)) or row.startswith("| Drill"), row


def test_pipes_backticks_and_markup_are_escaped() -> None:
    hostile = "a|b `code` <img src=x onerror=alert(1)> *bold* [link](javascript:x)"
    run = Run(id="r", service="s|v", started=T, finished=T, results=(
        DrillResult("d|1", Status.FAILED, started=T, finished=T, findings=(
            Finding("DH-X", hostile, Severity.HIGH, location=Location(path="p|q`r.py"),
                    evidence="``e|v``"),
        )),
    ))
    text = render(run, Format.MARKDOWN)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    row = next(r for r in _table_rows(text) if "DH-X" in r)
    assert len(_cells(row)) == 5
    assert "a\\|b \\`code\\`" in row
    assert "\\*bold\\*" in row and "\\[link\\]" in row
    assert "``` ``e\\|v`` ```" in row


def test_escape_cell_flattens_newlines() -> None:
    assert escape_cell("one\ntwo|three") == "one two\\|three"
    assert escape_cell("x" * 10, limit=5) == "xxxx…"


def test_findings_are_capped_per_drill() -> None:
    findings = tuple(
        Finding("DH-N", f"finding {i}", Severity.LOW, location=Location(path=f"f{i}.py"))
        for i in range(MAX_FINDINGS_PER_DRILL + 7)
    )
    run = Run(id="r", service="s", started=T, finished=T,
              results=(DrillResult("many", Status.FAILED, findings=findings, started=T,
                                   finished=T),))
    text = render(run, Format.MARKDOWN)
    assert sum(1 for r in _table_rows(text) if "DH-N" in r) == MAX_FINDINGS_PER_DRILL
    assert "… and 7 more" in text


def test_passed_and_no_policy_lines() -> None:
    passed = Run(id="r", service="s", started=T, finished=T, results=(), verdict=Verdict.PASSED)
    assert "✅ **Policy met**" in render(passed, Format.MARKDOWN)
    assert "Every policy rule is met." in render(passed, Format.MARKDOWN)
    none = Run(id="r", service="s", started=T, finished=T, results=())
    assert "No policy rule was applied" in render(none, Format.MARKDOWN)
