"""Live signals from the guard proxy, summarised per time window for drift monitoring.

Every request the proxy answers adds an :class:`Observation` to the current
:class:`SignalWindow`; every ``window`` seconds (default five minutes) and at shutdown the
window becomes an ordinary drillhall :class:`~drillhall.core.model.Run` of the guard's
service with one :class:`~drillhall.core.model.DrillResult` named ``guard``, so the eval and
drift checks and the dashboard read it with :meth:`Store.metric_series
<drillhall.store.Store.metric_series>` like any other metric:

==============================  =============================================================
``guard.requests``              requests answered in the window
``guard.blocked_rate``          share refused by a scanner (input or output)
``guard.injection_rate``        share whose prompt a ``prompt-injection``/``jailbreak``
                                scanner flagged
``guard.leak_rate``             share whose answer a leak, secrets, personal-data or
                                exfiltration scanner flagged
``guard.refusal_rate``          share of answers the shipped refusal classifier
                                (:mod:`drillhall.llm.graders.refusal`) calls refusals
``guard.answer_chars_p50``      median answer length in characters
``guard.latency_ms_p50/p95``    end-to-end latency through the proxy
``guard.added_latency_ms_p50``  latency the guard added (total minus the upstream's)
``guard.answer_vector.0…15``    mean of the answers' :func:`answer_vector` (a 16-dimension
                                hashed bag of words, unit length): where answers sit
==============================  =============================================================

Windows with no request are not stored. Nothing of a prompt or an answer is kept beyond the
numbers above.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from drillhall.__about__ import __version__
from drillhall.core.model import DrillResult, Metric, Run, Status, Verdict, new_run_id

__all__ = [
    "INJECTION_SCANNERS",
    "LEAK_SCANNERS",
    "VECTOR_DIMENSIONS",
    "Observation",
    "SignalWindow",
    "answer_vector",
    "percentile",
]

VECTOR_DIMENSIONS = 16
INJECTION_SCANNERS = frozenset({"prompt-injection", "jailbreak"})
LEAK_SCANNERS = frozenset({"leak", "canary", "system-prompt", "secrets", "pii", "exfiltration"})
_WORD = re.compile(r"[a-z0-9']+")


def answer_vector(text: str, dimensions: int = VECTOR_DIMENSIONS) -> list[float]:
    """A small embedding of ``text``: lower-cased words hashed (BLAKE2b) into ``dimensions``
    signed buckets, scaled to unit length (all zeros for a text without words)."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        vector[h % dimensions] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class Observation:
    """One answered request as the signals see it. ``refused`` and ``vector`` are ``None``
    when there was no answer text (blocked, or tool calls only)."""

    blocked: bool
    injection: bool
    leak: bool
    latency_ms: float
    added_ms: float
    answer_chars: int | None = None
    refused: bool | None = None
    vector: tuple[float, ...] | None = None


@dataclass(slots=True)
class SignalWindow:
    """The observations of one window, and its summary as a run."""

    service: str
    started: datetime
    observations: list[Observation] = field(default_factory=list)

    def add(self, observation: Observation) -> None:
        self.observations.append(observation)

    def __len__(self) -> int:
        return len(self.observations)

    def metrics(self) -> tuple[Metric, ...]:
        """The window's metrics (see the module docstring)."""
        obs = self.observations
        n = len(obs)

        def rate(flags: Sequence[bool]) -> float:
            return sum(flags) / len(flags) if flags else math.nan

        answers = [o for o in obs if o.answer_chars is not None]
        refusals = [bool(o.refused) for o in answers if o.refused is not None]
        vectors = [o.vector for o in answers if o.vector is not None]
        mean = ([sum(v[i] for v in vectors) / len(vectors) for i in range(VECTOR_DIMENSIONS)]
                if vectors else [math.nan] * VECTOR_DIMENSIONS)
        latencies = [o.latency_ms for o in obs]
        out = [
            Metric("guard.requests", float(n)),
            Metric("guard.blocked_rate", rate([o.blocked for o in obs])),
            Metric("guard.injection_rate", rate([o.injection for o in obs])),
            Metric("guard.leak_rate", rate([o.leak for o in obs])),
            Metric("guard.refusal_rate", rate(refusals)),
            Metric("guard.answer_chars_p50",
                   percentile([float(o.answer_chars or 0) for o in answers], 50), "chars"),
            Metric("guard.latency_ms_p50", percentile(latencies, 50), "ms"),
            Metric("guard.latency_ms_p95", percentile(latencies, 95), "ms"),
            Metric("guard.added_latency_ms_p50", percentile([o.added_ms for o in obs], 50),
                   "ms"),
        ]
        out.extend(Metric(f"guard.answer_vector.{i}", value) for i, value in enumerate(mean))
        return tuple(out)

    def run(self, finished: datetime) -> Run | None:
        """The window as a run of the guard's service, or ``None`` when it saw no request."""
        if not self.observations:
            return None
        result = DrillResult("guard", Status.PASSED, metrics=self.metrics(),
                             started=self.started, finished=finished)
        return Run(new_run_id(self.started), self.service, self.started, finished, (result,),
                   Verdict.NONE, drillhall_version=__version__)
