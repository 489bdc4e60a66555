"""Live drift: do the guard's recent summaries differ from its baseline?

The guard proxy stores a summary run per window of traffic (see
:mod:`drillhall.llm.evals.history`). The newest ``recent`` summaries are compared with the
``baseline`` summaries before them, signal by signal:

**Rates** (``refusal_rate``, ``blocked_rate``, ``injection_rate``, ``leak_rate``): each window's
rate times its ``guard.requests`` gives a count; counts and requests are pooled per side and
compared with a two-sided two-proportion z-test. A rate has **shifted** when the p-value is
below ``alpha`` (default 0.01) *and* the rate moved by at least ``min_rate_change`` (default
0.01, one percentage point) in a direction that matters: up for blocked, injection and leak
rates (more attacks or more leaks), either way for the refusal rate (over-refusal or a model
that stopped refusing).

**Levels** (``answer_chars_p50``, ``latency_ms_p50``, ``latency_ms_p95``,
``added_latency_ms_p50``): a z-score of the recent windows' mean against the baseline windows'
mean and standard deviation, ``z = (mean_recent - mean_base) / (sd / sqrt(recent))``, with the
standard deviation floored at 5% of the baseline mean (so a perfectly flat baseline does not
make every wobble infinite). Shifted when ``|z| >= z_threshold`` (default 3) *and* the relative
change is at least ``min_relative_change`` (default 0.2); latencies count only upwards, answer
length both ways.

**Answers** (``answer_vector``): the mean 16-dimension answer vector of each side (windows
weighted by their requests) and the cosine distance ``1 - cos`` between them. Shifted when the
distance is at least ``vector_threshold`` (default 0.1) *and* larger than the baseline's own
noise (the largest distance of a single baseline window from the baseline mean).

Each signal gives the metric ``eval.drift.<signal>``: the z statistic for rates and levels, the
cosine distance for answers. A signal with no data on either side is left out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from drillhall.llm.evals.history import GuardWindow

__all__ = ["LEVEL_SIGNALS", "MIN_BASELINE", "RATE_SIGNALS", "VECTOR_DIMENSIONS",
           "DriftSettings", "SignalDrift", "check_drift", "split_windows"]

Direction = Literal["up", "both"]

RATE_SIGNALS: tuple[tuple[str, Direction], ...] = (
    ("refusal_rate", "both"), ("blocked_rate", "up"), ("injection_rate", "up"),
    ("leak_rate", "up"),
)
LEVEL_SIGNALS: tuple[tuple[str, Direction], ...] = (
    ("answer_chars_p50", "both"), ("latency_ms_p50", "up"), ("latency_ms_p95", "up"),
    ("added_latency_ms_p50", "up"),
)
VECTOR_SIGNAL = "answer_vector"
VECTOR_DIMENSIONS = 16
MIN_BASELINE = 3
"""Fewest baseline windows drift is judged on."""
SD_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class DriftSettings:
    """Thresholds of the drift check (see the module docstring)."""

    baseline: int = 10
    recent: int = 3
    alpha: float = 0.01
    min_rate_change: float = 0.01
    z_threshold: float = 3.0
    min_relative_change: float = 0.2
    vector_threshold: float = 0.1


@dataclass(frozen=True, slots=True)
class SignalDrift:
    """One signal compared. ``statistic`` is the z value (rates, levels) or the cosine
    distance (answers); ``p_value`` only for rates."""

    signal: str
    kind: Literal["rate", "level", "vector"]
    baseline: float
    recent: float
    statistic: float
    shifted: bool
    p_value: float | None = None

    def describe(self) -> str:
        """One sentence with the figures."""
        if self.kind == "rate":
            return (f"{self.signal} went from {self.baseline:.2%} to {self.recent:.2%} "
                    f"(z = {self.statistic:.2f}, two-sided p = {self.p_value or 0:.4f})")
        if self.kind == "level":
            change = (self.recent - self.baseline) / self.baseline if self.baseline else 0.0
            return (f"{self.signal} went from {self.baseline:.1f} to {self.recent:.1f} "
                    f"({change:+.0%}, z = {self.statistic:.2f})")
        return (f"the mean answer vector moved by cosine distance {self.statistic:.3f} "
                f"(baseline noise {self.baseline:.3f})")


def split_windows(windows: Sequence[GuardWindow], settings: DriftSettings
                  ) -> tuple[list[GuardWindow], list[GuardWindow]]:
    """``(baseline, recent)`` from windows ordered oldest first: the newest
    ``settings.recent`` are recent, up to ``settings.baseline`` before them the baseline."""
    recent = list(windows[-settings.recent:]) if settings.recent else []
    rest = list(windows[: len(windows) - len(recent)])
    return rest[-settings.baseline:], recent


def _requests(w: GuardWindow) -> float:
    return max(0.0, w.get("guard.requests") or 0.0)


def _rate(signal: str, direction: Direction, base: Sequence[GuardWindow],
          recent: Sequence[GuardWindow], s: DriftSettings) -> SignalDrift | None:
    name = f"guard.{signal}"

    def pooled(side: Sequence[GuardWindow]) -> tuple[float, float]:
        hits = n = 0.0
        for w in side:
            rate, req = w.get(name), _requests(w)
            if rate is None or req <= 0:
                continue
            hits += min(max(rate, 0.0), 1.0) * req
            n += req
        return hits, n

    (x0, n0), (x1, n1) = pooled(base), pooled(recent)
    if n0 <= 0 or n1 <= 0:
        return None
    p0, p1 = x0 / n0, x1 / n1
    pooled_p = (x0 + x1) / (n0 + n1)
    variance = pooled_p * (1 - pooled_p) * (1 / n0 + 1 / n1)
    if variance <= 0:
        z, p = 0.0, 1.0
    else:
        z = (p1 - p0) / math.sqrt(variance)
        p = math.erfc(abs(z) / math.sqrt(2))
    moved = p1 - p0 if direction == "up" else abs(p1 - p0)
    shifted = p < s.alpha and moved >= s.min_rate_change - 1e-12
    return SignalDrift(signal, "rate", round(p0, 6), round(p1, 6), round(z, 4), shifted,
                       round(p, 6))


def _level(signal: str, direction: Direction, base: Sequence[GuardWindow],
           recent: Sequence[GuardWindow], s: DriftSettings) -> SignalDrift | None:
    name = f"guard.{signal}"
    b = [v for w in base if (v := w.get(name)) is not None and math.isfinite(v)]
    r = [v for w in recent if (v := w.get(name)) is not None and math.isfinite(v)]
    if len(b) < MIN_BASELINE or not r:
        return None
    mean_b, mean_r = statistics.fmean(b), statistics.fmean(r)
    sd = max(statistics.stdev(b), SD_FLOOR * abs(mean_b), 1e-9)
    z = (mean_r - mean_b) / (sd / math.sqrt(len(r)))
    if mean_b:
        relative = (mean_r - mean_b) / abs(mean_b)
    else:
        relative = 0.0 if mean_r == mean_b else math.copysign(math.inf, mean_r - mean_b)
    if direction == "up":
        shifted = z >= s.z_threshold and relative >= s.min_relative_change
    else:
        shifted = abs(z) >= s.z_threshold and abs(relative) >= s.min_relative_change
    return SignalDrift(signal, "level", round(mean_b, 4), round(mean_r, 4), round(z, 4),
                       shifted)


def _vector(w: GuardWindow) -> list[float] | None:
    values = [w.get(f"guard.answer_vector.{i}") for i in range(VECTOR_DIMENSIONS)]
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return [float(v) for v in values if v is not None]


def _mean_vector(side: Sequence[GuardWindow]) -> list[float] | None:
    total = [0.0] * VECTOR_DIMENSIONS
    weight = 0.0
    for w in side:
        vec = _vector(w)
        req = _requests(w)
        if vec is None or req <= 0:
            continue
        total = [t + v * req for t, v in zip(total, vec, strict=True)]
        weight += req
    return [t / weight for t in total] if weight else None


def _cosine_distance(a: Sequence[float], b: Sequence[float]) -> float | None:
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(x * x for x in b))
    if na == 0 or nb == 0:
        return None
    return 1.0 - sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)


def _answers(base: Sequence[GuardWindow], recent: Sequence[GuardWindow],
             s: DriftSettings) -> SignalDrift | None:
    mb, mr = _mean_vector(base), _mean_vector(recent)
    if mb is None or mr is None:
        return None
    distance = _cosine_distance(mb, mr)
    if distance is None:
        return None
    noise = max((d for w in base if (v := _vector(w)) is not None
                 if (d := _cosine_distance(v, mb)) is not None), default=0.0)
    shifted = distance >= s.vector_threshold and distance > noise
    return SignalDrift(VECTOR_SIGNAL, "vector", round(noise, 6), round(distance, 6),
                       round(distance, 6), shifted)


def check_drift(base: Sequence[GuardWindow], recent: Sequence[GuardWindow],
                settings: DriftSettings) -> list[SignalDrift]:
    """Every signal with data on both sides, compared (see the module docstring)."""
    out: list[SignalDrift] = []
    for signal, direction in RATE_SIGNALS:
        if (found := _rate(signal, direction, base, recent, settings)) is not None:
            out.append(found)
    for signal, direction in LEVEL_SIGNALS:
        if (found := _level(signal, direction, base, recent, settings)) is not None:
            out.append(found)
    if (found := _answers(base, recent, settings)) is not None:
        out.append(found)
    return out
