"""The terminal scorecard, drawn with Rich.

One row per drill (status, findings by severity, duration, key metrics), then the findings
worst first, then the policy verdict and each violation. Every piece of text that comes from a
finding is passed as :class:`rich.text.Text`, never as markup, so it cannot restyle the output.
Colour appears only when the console has a colour system (a terminal).
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from drillhall.core.model import Run, Severity, Status, Verdict, count_by_severity
from drillhall.reports._common import (
    SEVERITIES_DESC,
    STATUS_MARK,
    format_duration,
    format_metric,
    format_time,
    key_metrics,
    one_line,
    result_note,
    sorted_findings,
    version_of,
)
from drillhall.reports._context import ReportContext

MAX_FINDINGS = 200
"""Findings listed in the terminal; the rest are counted ("… and N more")."""

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STATUS_STYLE: dict[Status, str] = {
    Status.PASSED: "bold green",
    Status.FAILED: "bold red",
    Status.SKIPPED: "dim",
    Status.ERROR: "bold magenta",
    Status.INTERRUPTED: "bold yellow",
}
SHORT_SEVERITY = {
    Severity.CRITICAL: "Crit",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Med",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}


def _header(run: Run, ctx: ReportContext) -> Text:
    text = Text()
    text.append("drillhall", style="bold")
    text.append(f" {version_of(run)}  ")
    text.append(run.service or "run", style="bold cyan")
    text.append(f"  run {run.id}\n", style="dim")
    text.append(f"{format_time(run.started)} → {format_time(run.finished)}")
    if ctx.fail_on is not None:
        text.append(f"  fail-on: {ctx.fail_on.value}")
    text.append("\n")
    return text


def _scorecard(run: Run) -> Table:
    table = Table(title="Scorecard", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, expand=False)
    table.add_column("Drill", no_wrap=True, max_width=22)
    table.add_column("Status", no_wrap=True)
    for sev in SEVERITIES_DESC:
        table.add_column(SHORT_SEVERITY[sev], justify="right", style=SEVERITY_STYLE[sev])
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Key metrics", overflow="fold", min_width=20)
    for r in run.results:
        counts = count_by_severity(r.findings)
        status = Text(f"{STATUS_MARK[r.status]} {r.status.value}", style=STATUS_STYLE[r.status])
        metrics = Text("\n".join(
            f"{m.name.split('.', 1)[-1]} {format_metric(m)}" for m in key_metrics(r)
        ))
        note = result_note(r)
        if note and not r.metrics:
            metrics = Text(one_line(note, 80), style="italic")
        table.add_row(Text(r.drill), status,
                      *(Text(str(counts[s]) if counts[s] else "·") for s in SEVERITIES_DESC),
                      format_duration(r.duration_seconds), metrics)
    return table


def _findings(run: Run) -> Table | None:
    pairs = [(r.drill, f) for r in run.results for f in r.findings]
    if not pairs:
        return None
    order = {id(f): drill for drill, f in pairs}
    findings = sorted_findings(f for _, f in pairs)
    total = len(findings)
    title = f"Findings ({total})"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  expand=True)
    table.add_column("Sev", no_wrap=True, width=8)
    table.add_column("Rule / location", ratio=1, overflow="fold")
    table.add_column("Finding / evidence", ratio=1, overflow="fold")
    for f in findings[:MAX_FINDINGS]:
        where = Text(f.rule_id, style="bold")
        where.append(f"\n{f.location}", style="")
        where.append(f"\n{order[id(f)]}", style="dim")
        what = Text(one_line(f.title, 160))
        if f.evidence:
            what.append("\n" + one_line(f.evidence, 120), style="dim")
        table.add_row(Text(f.severity.value, style=SEVERITY_STYLE[f.severity]), where, what)
    if total > MAX_FINDINGS:
        table.add_row("", Text(f"… and {total - MAX_FINDINGS} more", style="italic"), "")
    return table


def _verdict(run: Run) -> Text:
    text = Text()
    match run.verdict:
        case Verdict.PASSED:
            text.append("✔ Policy met", style="bold green")
        case Verdict.FAILED:
            text.append("✘ Policy not met", style="bold red")
        case Verdict.NONE:
            text.append("– No policy applied", style="bold")
    n = len(run.violations)
    if n:
        text.append(f": {n} violation{'s' if n != 1 else ''}")
    for v in run.violations:
        text.append("\n  • ")
        text.append(v.rule, style="bold")
        if v.drill:
            text.append(f" [{v.drill}]", style="dim")
        text.append(f": {one_line(v.message)}")
    return text


def draw_table(run: Run, console: Console, ctx: ReportContext) -> None:
    """Draw the scorecard, findings and verdict of ``run`` on ``console``."""
    parts: list[Text | Table] = [_header(run, ctx), _scorecard(run)]
    findings = _findings(run)
    if findings is not None:
        parts.append(findings)
    parts.append(_verdict(run))
    console.print(Group(*parts), soft_wrap=False)
