"""Inline SVG trend charts for the HTML report, drawn in Python (no chart library, no JS).

:func:`severity_chart` stacks the findings of each run by severity; :func:`metric_chart` draws
one metric over time. Both return :class:`markupsafe.Markup` in which every piece of text is
escaped, so run ids or metric names cannot inject markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from drillhall.core.model import Severity
from drillhall.reports._common import SEVERITIES_DESC, format_number

SEVERITY_COLOUR: dict[Severity, str] = {
    Severity.CRITICAL: "#9b1c31",
    Severity.HIGH: "#e0452b",
    Severity.MEDIUM: "#f0a202",
    Severity.LOW: "#3b82c4",
    Severity.INFO: "#98a2b3",
}

_AXIS = "#c9ced6"
_GRID = "#eceef2"
_TEXT = "#5b6472"
_ACCENT = "#3346d3"


@dataclass(frozen=True, slots=True)
class Point:
    """One run on a trend chart."""

    run_id: str
    started: datetime
    current: bool = False


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (``0, 5, 10, 15``)."""
    if top <= 0 or math.isnan(top) or math.isinf(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-12:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _label(point: Point) -> str:
    return point.started.strftime("%b %d")


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]


def severity_chart(
    points: Sequence[Point],
    counts: Sequence[Mapping[Severity, int]],
    width: int = 620,
    height: int = 250,
) -> Markup:
    """Stacked bars: findings by severity for each run, oldest left, the current run marked."""
    left, right, top, bottom = 40, 12, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(c.get(s, 0) for s in Severity) for c in counts]
    ticks = nice_ticks(max(totals, default=0))
    ymax = ticks[-1] or 1.0
    parts = _open(width, height, "Findings by severity per run")
    for t in ticks:
        y = top + plot_h - plot_h * t / ymax
        parts.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" '
                     f'stroke="{_GRID if t else _AXIS}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{_f(y + 4)}" text-anchor="end" font-size="11" '
                     f'fill="{_TEXT}">{format_number(t)}</text>')
    n = max(1, len(points))
    slot = plot_w / n
    bar = min(44.0, slot * 0.62)
    for i, (point, count) in enumerate(zip(points, counts, strict=True)):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for sev in reversed(SEVERITIES_DESC):
            value = count.get(sev, 0)
            if not value:
                continue
            h = plot_h * value / ymax
            y -= h
            tip = f"{point.run_id}: {value} {sev.value}"
            parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar)}" height="{_f(h)}" '
                         f'fill="{SEVERITY_COLOUR[sev]}"><title>{escape(tip)}</title></rect>')
        total = totals[i]
        weight = ' font-weight="700"' if point.current else ""
        parts.append(f'<text x="{_f(x + bar / 2)}" y="{_f(y - 5)}" text-anchor="middle" '
                     f'font-size="11" fill="#1f2937"{weight}>{total}</text>')
        cx = _f(x + bar / 2)
        colour = _ACCENT if point.current else _TEXT
        parts.append(f'<text x="{cx}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'font-size="11" fill="{colour}"{weight}>{escape(_label(point))}</text>')
        if point.current:
            parts.append(f'<text x="{cx}" y="{height - bottom + 30}" text-anchor="middle" '
                         f'font-size="10" fill="{_ACCENT}" font-weight="700">this run</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def metric_chart(
    name: str,
    points: Sequence[Point],
    values: Sequence[float | None],
    unit: str = "",
    width: int = 270,
    height: int = 130,
) -> Markup:
    """A line of one metric over the runs; gaps where a run did not measure it."""
    left, right, top, bottom = 44, 14, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for v in values if v is not None and math.isfinite(v)]
    lo = min(0.0, min(known, default=0.0))
    ticks = nice_ticks(max(known, default=0.0) - lo, 3)
    span = ticks[-1] or 1.0
    parts = _open(width, height, f"{name} per run")
    for t in ticks:
        y = top + plot_h - plot_h * t / span
        parts.append(f'<line x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}" '
                     f'stroke="{_GRID if t else _AXIS}" stroke-width="1"/>')
        label = format_number(lo + t)
        parts.append(f'<text x="{left - 6}" y="{_f(y + 4)}" text-anchor="end" font-size="10" '
                     f'fill="{_TEXT}">{escape(label)}</text>')
    n = len(points)
    step = plot_w / max(1, n - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (step * i if n > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * (v - lo) / span

    segment: list[str] = []
    paths: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            if segment:
                paths.append(segment)
            segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{_f(x)},{_f(y)}")
    if segment:
        paths.append(segment)
    for seg in paths:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{_ACCENT}" '
                         f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>')
    for i, (point, v) in enumerate(zip(points, values, strict=True)):
        if v is None or not math.isfinite(v):
            continue
        x, y = xy(i, v)
        tip = f"{point.run_id}: {format_number(v)}{(' ' + unit) if unit else ''}"
        fill = _ACCENT if point.current else "#ffffff"
        parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{4 if point.current else 3}" '
                     f'fill="{fill}" stroke="{_ACCENT}" stroke-width="2">'
                     f"<title>{escape(tip)}</title></circle>")
    if points:
        first, last = points[0], points[-1]
        parts.append(f'<text x="{left}" y="{height - 8}" font-size="10" fill="{_TEXT}">'
                     f"{escape(_label(first))}</text>")
        if n > 1:
            parts.append(f'<text x="{width - right}" y="{height - 8}" text-anchor="end" '
                         f'font-size="10" fill="{_TEXT}">{escape(_label(last))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
