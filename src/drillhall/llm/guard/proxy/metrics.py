"""The proxy's Prometheus metrics (``GET /metrics``), in a registry of its own per proxy.

==============================================  ==============================================
``drillhall_guard_requests_total``              requests by ``route``, ``outcome``, ``status``
``drillhall_guard_verdicts_total``              flagged verdicts by ``direction``,
                                                ``scanner``, ``action``
``drillhall_guard_scanner_errors_total``        scanners that raised, by ``scanner``
``drillhall_guard_denials_total``               clients turned away, by ``kind`` (``auth``,
                                                ``requests``, ``tokens``, ``cost``, ``abuse``)
``drillhall_guard_upstream_errors_total``       upstream failures by ``kind``
``drillhall_guard_request_seconds``             end-to-end latency (histogram), by ``route``
``drillhall_guard_added_seconds``               latency the guard added (histogram)
``drillhall_guard_upstream_seconds``            the upstream's latency (histogram)
``drillhall_guard_tokens_total``                tokens by ``client`` and ``kind``
``drillhall_guard_cost_total``                  spend by ``client``
``drillhall_guard_flagged_clients``             clients currently flagged for abuse
``drillhall_guard_audit_dropped_total``         audit records dropped (queue full)
==============================================  ==============================================

Needs ``prometheus-client`` (``pip install 'drillhall[guard]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drillhall.errors import DependencyMissing

if TYPE_CHECKING:
    from drillhall.llm.guard.proxy.audit import AuditRecord

__all__ = ["CONTENT_TYPE", "GuardMetrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0, 30.0, 60.0)


class GuardMetrics:
    """Counters and histograms of one proxy; :meth:`observe` takes each audit record."""

    def __init__(self) -> None:
        try:
            from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        except ImportError as exc:
            raise DependencyMissing("prometheus-client", "guard") from exc
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("drillhall_guard_requests", "Requests through the guard.",
                                ["route", "outcome", "status"], registry=r)
        self.verdicts = Counter("drillhall_guard_verdicts", "Flagged scanner verdicts.",
                                ["direction", "scanner", "action"], registry=r)
        self.scanner_errors = Counter("drillhall_guard_scanner_errors",
                                      "Scanners that raised.", ["scanner"], registry=r)
        self.denials = Counter("drillhall_guard_denials", "Clients turned away.", ["kind"],
                               registry=r)
        self.upstream_errors = Counter("drillhall_guard_upstream_errors",
                                       "Upstream failures.", ["kind"], registry=r)
        self.latency = Histogram("drillhall_guard_request_seconds",
                                 "End-to-end latency through the guard.", ["route"],
                                 buckets=_BUCKETS, registry=r)
        self.added = Histogram("drillhall_guard_added_seconds",
                               "Latency the guard added.", ["route"], buckets=_BUCKETS,
                               registry=r)
        self.upstream = Histogram("drillhall_guard_upstream_seconds",
                                  "Latency of the upstream.", ["route"], buckets=_BUCKETS,
                                  registry=r)
        self.tokens = Counter("drillhall_guard_tokens", "Tokens by client.",
                              ["client", "kind"], registry=r)
        self.cost = Counter("drillhall_guard_cost", "Spend by client.", ["client"],
                            registry=r)
        self.flagged_clients = Gauge("drillhall_guard_flagged_clients",
                                     "Clients currently flagged for abuse.", registry=r)
        self.audit_dropped = Counter("drillhall_guard_audit_dropped",
                                     "Audit records dropped because the queue was full.",
                                     registry=r)

    def observe(self, record: AuditRecord) -> None:
        """Count one request."""
        self.requests.labels(record.route, record.outcome, str(record.status)).inc()
        for applied in record.verdicts:
            if applied.error:
                self.scanner_errors.labels(applied.verdict.scanner).inc()
            elif applied.verdict.flagged:
                self.verdicts.labels(applied.direction, applied.verdict.scanner,
                                     applied.action.value).inc()
        for decision in record.decisions:
            kind, _, detail = decision.partition(":")
            if kind == "denied":
                self.denials.labels(detail).inc()
            elif kind == "upstream-error":
                self.upstream_errors.labels(detail).inc()
        self.latency.labels(record.route).observe(record.total_ms / 1000.0)
        self.added.labels(record.route).observe(record.guard_ms / 1000.0)
        if record.upstream_ms is not None:
            self.upstream.labels(record.route).observe(record.upstream_ms / 1000.0)
        if record.prompt_tokens:
            self.tokens.labels(record.client, "prompt").inc(record.prompt_tokens)
        if record.completion_tokens:
            self.tokens.labels(record.client, "completion").inc(record.completion_tokens)
        if record.cost:
            self.cost.labels(record.client).inc(record.cost)

    def exposition(self) -> bytes:
        """The text exposition format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)

    def set_flagged(self, count: int) -> None:
        self.flagged_clients.set(count)

    def dropped(self) -> None:
        self.audit_dropped.inc()

    def value(self, name: str, labels: dict[str, str] | None = None) -> Any:
        """A sample's current value (for tests and the benchmark)."""
        return self.registry.get_sample_value(name, labels or {})
