"""The audit trail: one :class:`AuditRecord` per request, written off the request path.

The proxy hands each record to an :class:`AuditSink`, whose worker thread, in order:
counts it in the Prometheus metrics, writes one structured JSON log line (logger
``drillhall.guard.audit``), stores it in the ``guard_audit`` table in batches, and adds it to
the current signals window (:mod:`drillhall.llm.guard.signals`), which it stores as a run
every window and when the sink closes.

A record carries the prompt and the answer only as SHA-256 digests and lengths; the answer
text itself rides along in memory (``answer``, never stored or logged) so the worker can
classify refusals and embed it for the signals, then it is dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from drillhall.core.model import utcnow
from drillhall.errors import DrillhallError
from drillhall.llm.guard.proxy.engine import Applied
from drillhall.llm.guard.proxy.metrics import GuardMetrics
from drillhall.llm.guard.signals import (
    INJECTION_SCANNERS,
    LEAK_SCANNERS,
    Observation,
    SignalWindow,
    answer_vector,
)
from drillhall.store import Store
from drillhall.store import guard as guard_store

__all__ = ["AuditRecord", "AuditSink", "digest"]

log = logging.getLogger("drillhall.guard.audit")
_BATCH = 200


def digest(text: str | None) -> str | None:
    """The SHA-256 of a text (``None`` for none)."""
    if text is None:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What happened to one request (see the module docstring). ``outcome`` is one of
    ``allowed``, ``redacted``, ``flagged`` (logged verdicts only), ``blocked``,
    ``denied`` (auth, rate limit, cost cap, abuse block), ``invalid`` (bad request),
    ``error`` (scanner or upstream failure, or an upstream error passed on)."""

    at: datetime
    service: str
    request_id: str
    client: str
    route: str
    status: int
    outcome: str
    model: str | None = None
    stream: bool = False
    blocked_by: str | None = None
    decisions: tuple[str, ...] = ()
    verdicts: tuple[Applied, ...] = ()
    prompt_sha256: str | None = None
    answer_sha256: str | None = None
    prompt_chars: int = 0
    answer_chars: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    guard_ms: float = 0.0
    upstream_ms: float | None = None
    total_ms: float = 0.0
    error: str | None = None
    answer: str | None = field(default=None, repr=False, compare=False)
    """The answer text, in memory only (for the signals); never stored or logged."""

    def row(self) -> dict[str, Any]:
        """The ``guard_audit`` row."""
        return {
            "at": self.at, "service": self.service, "request_id": self.request_id,
            "client": self.client, "route": self.route, "model": self.model,
            "stream": self.stream, "status": self.status, "outcome": self.outcome,
            "blocked_by": self.blocked_by, "decisions": list(self.decisions),
            "verdicts": [a.as_dict() for a in self.verdicts],
            "prompt_sha256": self.prompt_sha256, "answer_sha256": self.answer_sha256,
            "prompt_chars": self.prompt_chars, "answer_chars": self.answer_chars,
            "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
            "cost": self.cost, "guard_ms": round(self.guard_ms, 3),
            "upstream_ms": None if self.upstream_ms is None else round(self.upstream_ms, 3),
            "total_ms": round(self.total_ms, 3), "error": self.error,
        }

    def log_fields(self) -> dict[str, Any]:
        """The structured log line's fields."""
        row = self.row()
        row["at"] = self.at.isoformat()
        row["event"] = "guard.request"
        return row

    def observation(self, refused: Callable[[str], bool]) -> Observation:
        """The record as the signals see it."""
        injection = any(a.verdict.flagged and a.direction == "input"
                        and a.verdict.scanner in INJECTION_SCANNERS for a in self.verdicts)
        leak = any(a.verdict.flagged and a.direction == "output"
                   and a.verdict.scanner in LEAK_SCANNERS for a in self.verdicts)
        answer = self.answer if self.answer and self.outcome != "blocked" else None
        return Observation(
            blocked=self.outcome == "blocked", injection=injection, leak=leak,
            latency_ms=self.total_ms, added_ms=self.guard_ms,
            answer_chars=None if answer is None else len(answer),
            refused=None if answer is None else refused(answer),
            vector=None if answer is None else tuple(answer_vector(answer)))


class AuditSink:
    """The worker that turns records into metrics, logs, audit rows and signal runs.
    ``store`` may be ``None`` (no audit rows, no signal runs); ``audit`` off keeps the
    signals but stores no rows."""

    def __init__(self, metrics: GuardMetrics, store: Store | None, service: str, *,
                 audit: bool = True, window_seconds: float = 300.0,
                 refused: Callable[[str], bool] | None = None,
                 clock: Callable[[], datetime] = utcnow, max_queue: int = 50_000) -> None:
        self.metrics = metrics
        self.store = store
        self.service = service
        self.audit = audit
        self.window = timedelta(seconds=window_seconds)
        self._refused = refused or _shipped_refusal
        self._clock = clock
        self._queue: queue.Queue[AuditRecord | None] = queue.Queue(max_queue)
        self._signals = SignalWindow(service, clock())
        self._thread = threading.Thread(target=self._work, name="drillhall-guard-audit",
                                        daemon=True)
        self.runs_saved: list[str] = []
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, record: AuditRecord) -> None:
        """Queue a record (never blocks; a full queue drops it and counts the drop)."""
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.metrics.dropped()
            log.error(json.dumps({"event": "guard.audit_dropped",
                                  "request_id": record.request_id}))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is handled (for tests); ``False`` on time-out."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def close(self, timeout: float = 10.0) -> None:
        """Handle what is queued, store the last signals window, and stop the worker."""
        if self._started:
            self._queue.put(None)
            self._thread.join(timeout)
            self._started = False
        else:
            self._drain_now()
        self._save_window(self._clock())

    def _drain_now(self) -> None:
        batch: list[AuditRecord] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            self._queue.task_done()
            if item is not None:
                batch.append(item)
        self._handle(batch)

    def _work(self) -> None:
        stop = False
        while not stop:
            batch: list[AuditRecord] = []
            try:
                item = self._queue.get(timeout=0.5)
                taken = 1
                while item is not None and len(batch) < _BATCH:
                    batch.append(item)
                    try:
                        item = self._queue.get_nowait()
                        taken += 1
                    except queue.Empty:
                        break
                stop = item is None
            except queue.Empty:
                taken = 0
            try:
                self._handle(batch)
                now = self._clock()
                if now - self._signals.started >= self.window:
                    self._save_window(now)
            finally:
                for _ in range(taken):
                    self._queue.task_done()

    def _handle(self, batch: list[AuditRecord]) -> None:
        if not batch:
            return
        for record in batch:
            try:
                self.metrics.observe(record)
                log.info(json.dumps(record.log_fields(), default=str))
                if record.outcome not in ("denied", "invalid"):
                    self._signals.add(record.observation(self._refused))
            except Exception:  # a bad record must not stop the audit trail
                log.exception("cannot account for guard request %s", record.request_id)
        if self.store is not None and self.audit:
            try:
                guard_store.add_audit(self.store, [r.row() for r in batch])
            except DrillhallError as exc:
                log.error(json.dumps({"event": "guard.audit_store_failed",
                                      "error": exc.diagnostics(), "records": len(batch)}))

    def _save_window(self, now: datetime) -> None:
        window, self._signals = self._signals, SignalWindow(self.service, now)
        run = window.run(now)
        if run is None or self.store is None:
            return
        try:
            self.store.save(run)
            self.runs_saved.append(run.id)
        except DrillhallError as exc:
            log.error(json.dumps({"event": "guard.signals_store_failed",
                                  "error": exc.diagnostics()}))


def _shipped_refusal(text: str) -> bool:
    from drillhall.llm.graders.refusal import shipped_model

    model = shipped_model()
    return model.probability(text) >= model.threshold
