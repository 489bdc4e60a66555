"""The ``slo`` probe: a latency percentile and an error rate over a window of requests.

Each check sends ``requests`` requests (``concurrency`` at a time) and computes the error rate
(transport errors and statuses outside ``expected_status``, by default 400 and above) and the
``percentile`` latency of all answers. ``ok`` when both are within their bounds. Output:
``{"requests", "errors", "error_rate", "latency_ms": {"p50", "pNN", "max"}}``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Event

import httpx

from drillhall.chaos.probes.base import Observation, Provider
from drillhall.chaos.probes.http import bounded_request, request_kwargs


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class SloProvider(Provider):
    """Judge a window of requests against a latency and an error-rate objective."""

    kind = "slo"
    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: object = None
    requests: int = 20
    concurrency: int = 1
    percentile: float = 95.0
    max_latency_ms: float | None = None
    max_error_rate: float = 0.0
    expected_status: tuple[int, ...] = ()
    timeout: float = 5.0
    secrets: tuple[str, ...] = ()

    def describe(self) -> str:
        goal = [f"error rate <= {self.max_error_rate:g}"]
        if self.max_latency_ms is not None:
            goal.append(f"p{self.percentile:g} <= {self.max_latency_ms:g} ms")
        return f"SLO over {self.requests} x {self.method} {self.url} ({', '.join(goal)})"

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        limit = min(self.timeout, timeout) if timeout else self.timeout
        latencies: list[float] = []
        errors = 0
        with httpx.Client(timeout=limit) as client:

            def one(_: int) -> tuple[float, bool]:
                if cancel.is_set():
                    return 0.0, False
                started = time.monotonic()
                try:
                    status, _headers, _body = bounded_request(
                        client, self.method, self.url, self.headers,
                        request_kwargs(self.method, self.body), seconds=limit, cancel=cancel)
                except httpx.HTTPError:
                    return (time.monotonic() - started) * 1000, False
                good = (status in self.expected_status if self.expected_status
                        else status < 400)
                return (time.monotonic() - started) * 1000, good

            with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
                for latency, good in pool.map(one, range(self.requests)):
                    latencies.append(latency)
                    errors += 0 if good else 1
        rate = errors / max(1, len(latencies))
        pct = percentile(latencies, self.percentile)
        output = {"requests": len(latencies), "errors": errors, "error_rate": round(rate, 4),
                  "latency_ms": {"p50": round(percentile(latencies, 50), 2),
                                 f"p{self.percentile:g}": round(pct, 2),
                                 "max": round(max(latencies, default=0.0), 2)}}
        problems = []
        if rate > self.max_error_rate:
            problems.append(f"error rate {rate:.1%} > {self.max_error_rate:.1%}")
        if self.max_latency_ms is not None and pct > self.max_latency_ms:
            problems.append(f"p{self.percentile:g} {pct:.0f} ms > {self.max_latency_ms:g} ms")
        detail = "; ".join(problems) or f"p{self.percentile:g} {pct:.0f} ms, {rate:.1%} errors"
        return Observation(output, not problems, detail=detail)

    def secret_values(self) -> tuple[str, ...]:
        return self.secrets
