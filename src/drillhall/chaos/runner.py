"""The experiment runner: steady state, method, stop conditions, guaranteed rollback.

1. **Gate** — the steady-state probes run once (and the stop conditions once); if the steady
   state does not hold the outcome is ``gate_failed`` and nothing is touched.
2. **Method** — activities run in order. A fault action's :meth:`~drillhall.chaos.faults.
   base.Fault.prepare` result (its revert) is written to the journal *before*
   :meth:`~drillhall.chaos.faults.base.Fault.inject` runs. Meanwhile a monitor thread runs
   the stop conditions and the steady-state probes every ``probe_interval`` seconds; when a
   stop condition trips or the steady state breaks, the running activity is pre-empted at
   once (its subprocess killed, its thread abandoned with its cancel event set) and the
   method ends (``stopped`` / ``deviated``). ``max_duration`` ends it the same way
   (``aborted``), and so does the caller's cancel event (``interrupted``: Ctrl-C, SIGTERM, the
   drill's timeout). An activity's own ``timeout`` pre-empts that activity only, which then
   counts as failed (as a failed activity does in Chaos Toolkit); a fault that cannot be
   injected ends the method (``error``).
3. **After** — the steady-state probes run again with the faults still in place; a failure is
   a deviation.
4. **Rollback** — always, whatever happened above, and not cut short by Ctrl-C: every
   registered revert runs (last first), then the experiment's ``rollbacks``; then the
   steady-state probes run every ``probe_interval`` until they hold (``recover`` time) or
   ``recovery_timeout`` passes.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from drillhall.chaos.experiment import Activity, Experiment, FaultAction
from drillhall.chaos.faults.base import Revert, run_revert
from drillhall.chaos.journal import Journal, SyncPolicy
from drillhall.chaos.preempt import Outcome, run_preemptible, sleep_unless
from drillhall.chaos.probes.base import Observation
from drillhall.chaos.timing import Timings, now

log = logging.getLogger(__name__)

ExperimentOutcome = Literal["passed", "deviated", "gate_failed", "stopped", "aborted",
                            "interrupted", "error"]
StopFn = Callable[[], str | None]


@dataclass(frozen=True)
class RunnerSettings:
    """How to run: where the journal goes, the caller's cancel event, default bounds."""

    journal: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    probe_timeout: float = 10.0
    """Seconds a probe may take when its activity sets no ``timeout``."""
    inject_timeout: float = 60.0
    revert_timeout: float = 120.0
    journal_sync: SyncPolicy = "every-event"
    """fsync every journal line, or only the :data:`~drillhall.chaos.journal.CRITICAL` ones."""


@dataclass(frozen=True)
class ExperimentReport:
    """What happened: the outcome, why, the timings, and what was left behind."""

    title: str
    outcome: ExperimentOutcome
    reason: str
    timings: Timings
    journal: Path
    events: tuple[dict[str, Any], ...]
    faults_registered: int = 0
    faults_injected: int = 0
    faults_left: tuple[str, ...] = ()
    failed_rollbacks: tuple[str, ...] = ()
    failed_activities: tuple[str, ...] = ()
    recovered: bool | None = None
    broken_probe: str | None = None
    stop_condition: str | None = None


@dataclass(frozen=True, slots=True)
class _Trip:
    kind: Literal["deviation", "stop"]
    reason: str
    at: float
    probe: str


@dataclass(frozen=True, slots=True)
class _Registered:
    id: str
    revert: Revert
    fault: str
    injecting: threading.Event | None = None
    """Set once an abandoned (pre-empted or timed-out) inject has returned."""


class ExperimentRunner:
    """Runs one experiment once (see the module docstring)."""

    def __init__(self, experiment: Experiment, settings: RunnerSettings) -> None:
        self._run_tag = secrets.token_hex(4)
        self.x = experiment
        self.s = settings
        self.journal = Journal(settings.journal, experiment.secret_values,
                               settings.journal_sync)
        self._lock = threading.Lock()
        self._trip: _Trip | None = None
        self._deadline: float | None = None
        self._method_start: float | None = None
        self._first_fault: float | None = None
        self._preempt: float | None = None
        self._registered: list[_Registered] = []
        self._injected = 0
        self._failed: list[str] = []
        self._monitor_stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # -- stopping ---------------------------------------------------------------------------

    def _cancelled(self) -> str | None:
        return "interrupted" if self.s.cancel.is_set() else None

    def stop_reason(self) -> str | None:
        """Why the method must end now, or ``None``."""
        if self.s.cancel.is_set():
            return "interrupted"
        if self._trip is not None:
            return self._trip.reason
        if self._deadline is not None and now() >= self._deadline:
            return f"max_duration of {self.x.max_duration:g} s exceeded"
        return None

    def _trip_now(self, kind: Literal["deviation", "stop"], reason: str, probe: str) -> None:
        with self._lock:
            if self._trip is not None:
                return
            self._trip = trip = _Trip(kind, reason, now(), probe)
        start = self._first_fault or self._method_start or trip.at
        self.journal.event("deviation" if kind == "deviation" else "stop-condition",
                           phase="during", probe=probe, reason=reason,
                           detect_seconds=round(trip.at - start, 4))

    def _note_preempt(self) -> None:
        if self._trip is not None and self._preempt is None:
            self._preempt = now() - self._trip.at
            self.journal.event("preempted", reason=self._trip.reason,
                               latency_ms=round(self._preempt * 1000, 2))

    def _ended_by(self) -> tuple[ExperimentOutcome, str]:
        if self.s.cancel.is_set():
            return "interrupted", "interrupted (Ctrl-C, SIGTERM or the drill's time limit)"
        if self._trip is not None:
            return ("deviated" if self._trip.kind == "deviation" else "stopped"), \
                self._trip.reason
        return "aborted", self.stop_reason() or "aborted"

    # -- probes and activities --------------------------------------------------------------

    def _probe(self, probe: Activity, stop: StopFn) -> tuple[dict[str, Any], bool | None]:
        timeout = probe.timeout or self.s.probe_timeout
        out: Outcome[Observation] = run_preemptible(
            lambda c: _run_provider(probe, c, timeout), timeout=timeout, stop=stop,
            name=probe.name)
        record: dict[str, Any] = {"name": probe.name, "seconds": round(out.seconds, 4)}
        if out.ending == "preempted":
            return {**record, "status": "preempted"}, None
        if out.ending == "timeout":
            return {**record, "status": "timeout", "error": out.reason,
                    "tolerance_met": False}, False
        if out.ending == "failed":
            return {**record, "status": "failed", "error": _error_text(out.error),
                    "tolerance_met": False}, False
        obs = out.value or Observation()
        if obs.error:
            return {**record, "status": "failed", "output": obs.output, "error": obs.error,
                    "tolerance_met": False}, False
        met = probe.tolerance.accepts(obs.output) if probe.tolerance else obs.ok
        return {**record, "status": "succeeded", "output": obs.output, "detail": obs.detail,
                "tolerance_met": met}, met

    def _check(self, phase: str, probes: Sequence[Activity], stop: StopFn
               ) -> tuple[bool | None, str]:
        """Run the steady-state probes in order until one fails; journal the check."""
        results: list[dict[str, Any]] = []
        met: bool | None = True
        failing = ""
        for probe in probes:
            record, ok = self._probe(probe, stop)
            results.append(record)
            if ok is None:
                met = None
                break
            if not ok:
                met = False
                failing = f"probe {probe.name!r} " + (
                    f"failed: {record['error']}" if record.get("error")
                    else f"was outside its tolerance ({record.get('detail') or 'no detail'})")
                break
        if phase != "during" or met is False:
            self.journal.event("steady-state", phase=phase, met=met, probes=results)
        return (met if met is not True or len(results) == len(probes) else None), failing

    def _activity(self, activity: Activity, phase: str, stop: StopFn,
                  shield: bool = False) -> Outcome[Observation]:
        timeout = activity.timeout
        self.journal.event("activity-start", phase=phase, name=activity.name,
                           type=activity.type, where=activity.where)
        out: Outcome[Observation] = run_preemptible(
            lambda c: _run_provider(activity, c, timeout), timeout=timeout, stop=stop,
            name=activity.name, shield=shield)
        obs = out.value
        status, error = {"done": ("succeeded", None), "failed": ("failed", None),
                         "timeout": ("timeout", out.reason),
                         "preempted": ("preempted", out.reason)}[out.ending]
        if out.ending == "failed":
            error = _error_text(out.error)
        elif obs is not None and (obs.error or (activity.type == "action" and not obs.ok)):
            status, error = "failed", obs.error or obs.detail
        if status in ("failed", "timeout"):
            self._failed.append(f"{phase} activity {activity.name!r}: {error}")
        self.journal.event("activity", phase=phase, name=activity.name, type=activity.type,
                           status=status, output=obs.output if obs else None, error=error,
                           detail=obs.detail if obs else "", seconds=round(out.seconds, 4))
        if out.ending == "preempted":
            self._note_preempt()
        return out

    # -- the monitor ------------------------------------------------------------------------

    def _monitor_loop(self) -> None:
        stop: StopFn = lambda: ("monitor stopped" if self._monitor_stop.is_set()  # noqa: E731
                                else self._cancelled())
        while not self._monitor_stop.is_set() and self._trip is None:
            self._check_stop_conditions("during", stop)
            if self._trip is None and self.x.steady_state:
                met, failing = self._check("during", self.x.steady_state, stop)
                if met is False and not self._monitor_stop.is_set():
                    self._trip_now("deviation", "the steady state broke during the method: "
                                   + failing, failing.split("'")[1] if "'" in failing else "")
            self._monitor_stop.wait(self.x.probe_interval)

    def _check_stop_conditions(self, phase: str, stop: StopFn) -> None:
        for cond in self.x.stop_conditions:
            record, ok = self._probe(cond.probe, stop)
            if ok is None:
                return
            if (cond.abort_when == "fails") != ok:
                what = "failed" if cond.abort_when == "fails" else "held"
                self.journal.event("steady-state", phase=phase, met=None, probes=[record],
                                   stop_condition=cond.probe.name)
                self._trip_now("stop", f"stop condition {cond.probe.name!r} {what}"
                               + (f" ({phase} the method)" if phase == "before" else ""),
                               cond.probe.name)
                return

    def _start_monitor(self) -> None:
        if self.x.probe_interval <= 0 or not (self.x.steady_state or self.x.stop_conditions):
            return
        self._monitor = threading.Thread(target=self._monitor_loop, name="chaos-monitor",
                                         daemon=True)
        self._monitor.start()

    def _stop_monitor(self) -> None:
        self._monitor_stop.set()

    # -- the experiment ---------------------------------------------------------------------

    def _inject(self, activity: Activity, index: int) -> str | None:
        assert isinstance(activity.provider, FaultAction)
        fault = activity.provider.fault
        # unique per run: a journal file reused by later runs must not mark this fault done
        fid = f"{self._run_tag}-fault-{index}-{len(self._registered)}"
        try:
            revert = fault.prepare()
        except Exception as exc:
            self.journal.event("activity", phase="method", name=activity.name, type="action",
                               status="failed", error=_error_text(exc))
            return f"fault action {activity.name!r} could not be prepared: {_error_text(exc)}"
        self._registered.append(_Registered(fid, revert, fault.describe()))
        self.journal.event("revert-registered", id=fid, activity=activity.name,
                           fault=activity.provider.kind, description=fault.describe(),
                           revert=revert.as_dict(), module=type(fault).__module__)
        self.journal.event("activity-start", phase="method", name=activity.name, type="action",
                           where=activity.where, fault=activity.provider.kind, id=fid)
        out: Outcome[str] = run_preemptible(fault.inject, timeout=activity.timeout
                                            or self.s.inject_timeout, stop=self.stop_reason,
                                            name=activity.name)
        self._registered[-1] = replace(self._registered[-1], injecting=out.finished)
        status = {"done": "succeeded", "failed": "failed", "timeout": "timeout",
                  "preempted": "preempted"}[out.ending]
        error = _error_text(out.error) if out.error else (out.reason or None)
        self.journal.event("activity", phase="method", name=activity.name, type="action",
                           status=status, output=out.value, error=error, id=fid,
                           fault=activity.provider.kind, seconds=round(out.seconds, 4))
        if out.ending == "done":
            self._injected += 1
            if self._first_fault is None:
                self._first_fault = out.ended
            self.journal.event("fault-injected", id=fid, output=out.value)
            return None
        if out.ending == "preempted":
            self._note_preempt()
            return None
        return f"fault action {activity.name!r} was not injected: {error}"

    def _method(self) -> tuple[ExperimentOutcome, str] | None:
        background: list[threading.Thread] = []
        for index, activity in enumerate(self.x.method):
            if self.stop_reason() or (activity.pauses.before and
                                      sleep_unless(activity.pauses.before, self.stop_reason)):
                self._note_preempt()
                return None
            if activity.is_fault:
                problem = self._inject(activity, index)
                if problem:
                    self.journal.event("abort", reason=problem)
                    return "error", problem
            elif activity.background:
                t = threading.Thread(target=self._activity, args=(activity, "method",
                                                                  self.stop_reason),
                                     name=f"chaos-bg-{activity.name}", daemon=True)
                t.start()
                background.append(t)
            else:
                self._activity(activity, "method", self.stop_reason)
            if activity.pauses.after and sleep_unless(activity.pauses.after, self.stop_reason):
                self._note_preempt()
                return None
        while any(t.is_alive() for t in background):
            if self.stop_reason():
                self._note_preempt()
                return None
            for t in background:
                t.join(0.01)
        return None

    def _experiment(self) -> tuple[ExperimentOutcome, str]:
        if self.x.steady_state:
            met, failing = self._check("before", self.x.steady_state, self._cancelled)
            if met is None or self.s.cancel.is_set():
                return self._ended_by()
            if not met:
                return "gate_failed", f"the steady state did not hold before the method: " \
                    f"{failing}"
        self._check_stop_conditions("before", self._cancelled)
        if self._trip is not None or self.s.cancel.is_set():
            return self._ended_by()
        self._method_start = now()
        self._start_monitor()
        problem = self._method()
        if problem is not None:
            return problem
        if self.stop_reason():
            outcome, reason = self._ended_by()
            if outcome == "aborted":
                self.journal.event("abort", reason=reason)
            return outcome, reason
        self._stop_monitor()
        if self.x.steady_state:
            met, failing = self._check("after", self.x.steady_state, self._cancelled)
            if met is None:
                return self._ended_by()
            if not met:
                self._trip_after(failing)
                return "deviated", f"the steady state did not hold after the method: {failing}"
        return "passed", "the steady state held before, during and after the method"

    def _trip_after(self, failing: str) -> None:
        with self._lock:
            self._trip = _Trip("deviation", failing, now(), "")
        start = self._first_fault or self._method_start or self._trip.at
        self.journal.event("deviation", phase="after", reason=failing,
                           detect_seconds=round(self._trip.at - start, 4))

    # -- rollback ---------------------------------------------------------------------------

    def _revert_all(self) -> tuple[list[str], float | None]:
        left: list[str] = []
        if not self._registered:
            return left, None
        started = now()
        for item in reversed(self._registered):
            # a pre-empted inject still running (e.g. a container stop) would undo the revert
            # when it finishes: let it end first (it has been told to stop)
            if item.injecting is not None and not item.injecting.wait(self.s.inject_timeout):
                self.journal.note("inject-still-running", id=item.id,
                                  waited=self.s.inject_timeout)
            self.journal.note("revert-start", id=item.id, description=item.revert.description
                               or item.fault)
            out: Outcome[str] = run_preemptible(functools.partial(_revert, item.revert),
                                                timeout=self.s.revert_timeout,
                                                name=f"revert-{item.id}", shield=True)
            if out.ending == "done":
                self.journal.note("revert-end", id=item.id, status="ok", output=out.value,
                                   seconds=round(out.seconds, 4))
            else:
                error = _error_text(out.error) if out.error else out.reason
                left.append(f"{item.fault}: {error}")
                self.journal.note("revert-end", id=item.id, status="failed", error=error,
                                   seconds=round(out.seconds, 4))
        return left, now() - started

    def _rollback(self, outcome: ExperimentOutcome) -> tuple[list[str], list[str], float | None,
                                                              float | None, bool | None]:
        self._stop_monitor()
        self.journal.best_effort = True  # from here on nothing may stop the reverts
        started = now()
        left, revert_seconds = self._revert_all()
        failed_rollbacks = []
        if self._method_start is not None:
            for activity in self.x.rollbacks:
                out = self._activity(activity, "rollbacks", _never, shield=True)
                if out.ending != "done":
                    failed_rollbacks.append(activity.name)
        recover: float | None = None
        recovered: bool | None = None
        if self.x.steady_state and self._method_start is not None and \
                not self.s.cancel.is_set():
            deadline = started + self.x.recovery_timeout
            while True:
                met, _ = self._check("recovery", self.x.steady_state, self._cancelled)
                if met:
                    recover, recovered = now() - started, True
                    break
                if met is None or now() >= deadline:
                    recovered = False if met is False else None
                    break
                if sleep_unless(max(self.x.probe_interval, 0.05), self._cancelled):
                    break
            self.journal.event("recovery", recovered=recovered,
                               recover_seconds=None if recover is None else round(recover, 4))
        return left, failed_rollbacks, revert_seconds, recover, recovered

    def run(self) -> ExperimentReport:
        """Run the experiment and always roll back; the journal is closed on return."""
        t0 = now()
        if self.x.max_duration is not None:
            self._deadline = t0 + self.x.max_duration
        x = self.x
        self.journal.event("experiment-start", title=x.title, source=str(x.source),
                           hypothesis=x.hypothesis, plan=x.plan(), pid=os.getpid(),
                           expected_impact=x.notes.expected_impact,
                           expected_response=x.notes.expected_response,
                           rollback_steps=list(x.notes.rollback_steps))
        outcome: ExperimentOutcome = "error"
        reason = "the experiment did not finish"
        escaped: BaseException | None = None
        try:
            outcome, reason = self._experiment()
        except KeyboardInterrupt:  # only when run on the main thread
            self.s.cancel.set()
            outcome, reason = "interrupted", "interrupted by Ctrl-C"
        except BaseException as exc:
            self.s.cancel.set()
            log.debug("experiment %r raised", x.title, exc_info=True)
            outcome, reason = "error", f"the runner failed: {_error_text(exc)}"
            escaped = exc if not isinstance(exc, Exception) else None
        finally:
            left, failed_rollbacks, revert_s, recover_s, recovered = self._rollback(outcome)
        trip = self._trip
        detect = None
        if trip is not None:
            detect = trip.at - (self._first_fault or self._method_start or trip.at)
        timings = Timings(detect=detect, preempt=self._preempt, revert=revert_s,
                          recover=recover_s, total=now() - t0)
        self.journal.event("experiment-end", outcome=outcome, reason=reason,
                           timings=timings.as_dict(), faults_registered=len(self._registered),
                           faults_injected=self._injected, faults_left=len(left),
                           failed_reverts=left, failed_rollbacks=failed_rollbacks,
                           recovered=recovered)
        self.journal.close()
        if self.journal.write_error:
            reason += (f" (the journal {self.journal.path} could not be written completely: "
                       f"{self.journal.write_error})")
        if escaped is not None:
            raise escaped
        return ExperimentReport(
            title=x.title, outcome=outcome, reason=reason, timings=timings,
            journal=self.journal.path, events=tuple(self.journal.records),
            faults_registered=len(self._registered), faults_injected=self._injected,
            faults_left=tuple(left), failed_rollbacks=tuple(failed_rollbacks),
            failed_activities=tuple(self._failed), recovered=recovered,
            broken_probe=trip.probe if trip and trip.kind == "deviation" else None,
            stop_condition=trip.probe if trip and trip.kind == "stop" else None)


def _revert(record: Revert, cancel: threading.Event) -> str:
    return run_revert(record)


def _never() -> str | None:
    return None


def _run_provider(activity: Activity, cancel: threading.Event,
                  timeout: float | None) -> Observation:
    assert not isinstance(activity.provider, FaultAction)
    return activity.provider.run(cancel, timeout)


def _error_text(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc).strip()
    diagnostics = getattr(exc, "diagnostics", None)
    if callable(diagnostics):
        return str(diagnostics())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_experiment(experiment: Experiment, settings: RunnerSettings) -> ExperimentReport:
    """Run ``experiment`` once (see the module docstring)."""
    return ExperimentRunner(experiment, settings).run()
