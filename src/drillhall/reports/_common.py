"""Small helpers shared by the reporters: ordering, number, time and duration formatting."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from drillhall.__about__ import __version__
from drillhall.core.model import DrillResult, Finding, Metric, Run, Severity, Status

PROJECT_URL = "https://github.com/drillhall/drillhall"
"""Where users learn about drillhall (SARIF ``informationUri``, HTML footer text)."""

SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))
"""Severities from the worst to the mildest: the column order of every scorecard."""

STATUS_MARK: dict[Status, str] = {
    Status.PASSED: "✔",
    Status.FAILED: "✘",
    Status.SKIPPED: "–",
    Status.ERROR: "!",
    Status.INTERRUPTED: "■",
}


def version_of(run: Run) -> str:
    """The drillhall version that produced the run (this one when the run does not say)."""
    return run.drillhall_version or __version__


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings worst first, then by rule and place, so every report lists them alike."""
    return sorted(
        findings,
        key=lambda f: (-f.severity.rank, f.rule_id, str(f.location), f.title),
    )


def format_number(value: float) -> str:
    """A metric value for people: integers without a decimal point, others to 4 digits."""
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def format_metric(metric: Metric) -> str:
    """``120``, ``12.5%`` (a ratio), ``3.4 years``: the value with its unit, if any."""
    if metric.unit == "ratio":
        return f"{float(metric.value) * 100:.3g}%"
    if metric.unit == "bytes":
        return format_bytes(metric.value)
    text = format_number(metric.value)
    if not metric.unit:
        return text
    return text + metric.unit if metric.unit == "%" else f"{text} {metric.unit}"


def format_bytes(value: float) -> str:
    """``512 B``, ``48.3 KiB``, ``1.2 GiB``."""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """``0.42s``, ``12.3s``, ``2m 05s``, ``1h 02m``."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_time(moment: datetime) -> str:
    """A timestamp in UTC for people: ``2026-11-26 02:07:00 UTC``."""
    return _utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_time(moment: datetime) -> str:
    """A timestamp for machines: ISO-8601, UTC written ``Z``."""
    if moment.tzinfo is None:
        return moment.isoformat()
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def key_metrics(result: DrillResult, limit: int = 3) -> Sequence[Metric]:
    """The first few metrics of a result: what the scorecards show."""
    return result.metrics[:limit]


def one_line(text: str, limit: int = 0) -> str:
    """Text on one line (newlines and tabs become spaces), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    if limit and len(flat) > limit:
        return flat[: max(0, limit - 1)] + "…"
    return flat


def result_note(result: DrillResult) -> str:
    """Why a drill did not pass cleanly: its reason or diagnostics, if any."""
    return result.diagnostics or result.reason or ""
