"""Markdown, for a pull-request comment or a GitHub job summary.

A verdict line, a scorecard table, the policy violations, then the findings of each drill in
a collapsible section (at most :data:`MAX_FINDINGS_PER_DRILL` each, then "… and N more").
Text from findings is escaped so that it cannot break a table or inject markup.
"""

from __future__ import annotations

import re

from drillhall.core.model import DrillResult, Run, Status, Verdict, count_by_severity
from drillhall.reports._common import (
    SEVERITIES_DESC,
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

MAX_FINDINGS_PER_DRILL = 50

VERDICT_LINE = {
    Verdict.PASSED: "✅ **Policy met**",
    Verdict.FAILED: "❌ **Policy not met**",
    Verdict.NONE: "➖ **No policy applied**",
}

STATUS_ICON = {
    Status.PASSED: "✅ passed",
    Status.FAILED: "❌ failed",
    Status.SKIPPED: "⏭️ skipped",
    Status.ERROR: "⚠️ error",
    Status.INTERRUPTED: "⏹️ interrupted",
}

_SPECIAL = re.compile(r"([\\`*_\[\]|<>#~])")


def escape_cell(text: str, limit: int = 0) -> str:
    """Text safe inside a Markdown table cell: one line, pipes, backticks and markup escaped."""
    flat = one_line(text, limit)
    flat = flat.replace("&", "&amp;")
    return _SPECIAL.sub(lambda m: "&lt;" if m.group(1) == "<" else
                        "&gt;" if m.group(1) == ">" else "\\" + m.group(1), flat)


def _code(text: str) -> str:
    """Inline code that survives backticks in ``text`` (wrapped in a longer fence)."""
    flat = one_line(text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _scorecard(run: Run) -> list[str]:
    head = ["Drill", "Status", *(s.value.capitalize() for s in SEVERITIES_DESC), "Duration",
            "Key metrics"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join([":---", ":---", *([":---:"] * len(SEVERITIES_DESC)), "---:",
                             ":---"]) + "|"]
    for r in run.results:
        counts = count_by_severity(r.findings)
        metrics = ", ".join(f"{escape_cell(m.name)} {escape_cell(format_metric(m))}"
                            for m in key_metrics(r))
        cells = [escape_cell(r.drill), STATUS_ICON[r.status],
                 *(str(counts[s]) if counts[s] else "·" for s in SEVERITIES_DESC),
                 format_duration(r.duration_seconds), metrics]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _findings(result: DrillResult) -> list[str]:
    findings = sorted_findings(result.findings)
    shown = findings[:MAX_FINDINGS_PER_DRILL]
    noun = "finding" if len(findings) == 1 else "findings"
    lines = [f"<details><summary><b>{escape_cell(result.drill)}</b>: {len(findings)} {noun}"
             "</summary>", "",
             "| Severity | Rule | Location | Finding | Evidence |",
             "|:---|:---|:---|:---|:---|"]
    for f in shown:
        evidence = _code(f.evidence) if f.evidence else ""
        lines.append(f"| {f.severity.value} | {_code(f.rule_id)} | {_code(str(f.location))} | "
                     f"{escape_cell(f.title, 200)} | {evidence} |")
    if len(findings) > len(shown):
        lines += ["", f"… and {len(findings) - len(shown)} more"]
    lines += ["", "</details>", ""]
    return lines


def render_markdown(run: Run, ctx: ReportContext | None = None) -> str:
    """The Markdown summary of ``run``."""
    ctx = ctx if ctx is not None else ReportContext()
    counts = count_by_severity(run.findings)
    total = sum(counts.values())
    by_sev = ", ".join(f"{counts[s]} {s.value}" for s in SEVERITIES_DESC if counts[s])
    lines = [
        f"## drillhall: {escape_cell(run.service or 'run')}",
        "",
        f"{VERDICT_LINE[run.verdict]} · {total} finding{'s' if total != 1 else ''}"
        + (f" ({by_sev})" if by_sev else "")
        + (f" · fail-on: {ctx.fail_on.value}" if ctx.fail_on is not None else ""),
        "",
        f"Run {_code(run.id)} · {format_time(run.started)} → {format_time(run.finished)}"
        f" · drillhall {escape_cell(version_of(run))}",
        "",
        *_scorecard(run),
        "",
    ]
    notes = [r for r in run.results if result_note(r)]
    for r in notes:
        lines.append(f"- **{escape_cell(r.drill)}** {r.status.value}: "
                     f"{escape_cell(result_note(r), 300)}")
    if notes:
        lines.append("")
    lines.append("### Policy")
    lines.append("")
    if run.violations:
        for v in run.violations:
            where = f" ({escape_cell(v.drill)})" if v.drill else ""
            lines.append(f"- ❌ {_code(v.rule)}{where}: {escape_cell(v.message, 500)}")
    elif run.verdict is Verdict.PASSED:
        lines.append("Every policy rule is met.")
    else:
        lines.append("No policy rule was applied to this run.")
    lines.append("")
    with_findings = [r for r in run.results if r.findings]
    if with_findings:
        lines += ["### Findings", ""]
        for r in with_findings:
            lines += _findings(r)
    return "\n".join(lines).rstrip("\n") + "\n"
