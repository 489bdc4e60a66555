"""The terminal scorecard (Rich)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from drillhall.core.model import (
    DrillResult,
    Finding,
    Location,
    PolicyViolation,
    Run,
    Severity,
    Status,
    Verdict,
)
from drillhall.reports import Format, ReportContext, render, render_table, render_table_text
from drillhall.reports.table import MAX_FINDINGS

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_plain_text_fits_100_columns_without_colour(run: Run) -> None:
    text = render(run, Format.TABLE, ReportContext(fail_on=Severity.HIGH))
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 100
    for needle in ("secrets", "✘ failed", "✔ passed", "! error", "– skipped", "fail-on: high",
                   "✘ Policy not met: 2 violations", "max-severity [secrets]",
                   "AKIA************MPLE (sha256:1a5d44a2)", "12.5%"):
        assert needle in text, needle


def test_terminal_console_gets_colour(run: Run) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system="standard",
                      _environ={})
    render_table(run, console, ReportContext())
    assert "\x1b[" in buffer.getvalue()


def test_markup_in_findings_is_not_interpreted() -> None:
    run = Run(id="r", service="[bold]svc[/bold]", started=T, finished=T, results=(
        DrillResult("[red]d[/red]", Status.FAILED, started=T, finished=T, findings=(
            Finding("DH-X", "[link=file:///etc/passwd]click[/link] [/]", Severity.HIGH,
                    location=Location(path="[b]x[/b].py"), evidence="[i]e[/i]"),
        )),
    ), verdict=Verdict.FAILED, violations=(PolicyViolation("[u]r[/u]", "[blink]m[/blink]"),))
    text = render_table_text(run)
    for literal in ("[bold]svc[/bold]", "[red]d[/red]", "[link=file:///etc/passwd]click",
                    "[b]x[/b].py", "[i]e[/i]", "[u]r[/u]", "[blink]m[/blink]"):
        assert literal in text, literal


def test_long_lists_are_capped_and_narrow_widths_work() -> None:
    findings = tuple(Finding("DH-N", f"n{i}", Severity.LOW) for i in range(MAX_FINDINGS + 3))
    run = Run(id="r", service="s", started=T, finished=T,
              results=(DrillResult("d", Status.FAILED, findings=findings, started=T, finished=T),))
    text = render_table_text(run)
    assert "… and 3 more" in text
    narrow = render_table_text(run, width=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60


def test_empty_run_renders() -> None:
    text = render_table_text(Run(id="r", service="", started=T, finished=T, results=()))
    assert "No policy applied" in text
    assert "Findings" not in text
