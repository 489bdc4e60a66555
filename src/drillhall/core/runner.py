"""Runs drills one after another with a time limit each, failing closed.

* An exception inside a drill becomes an ``error`` result and the run goes on.
* A drill that outlives its timeout is asked to stop (its context's ``cancel`` event is set),
  given a short grace period, and recorded as ``error`` ("timed out after …").
* Ctrl-C or SIGTERM: what finished is kept, the running drill and the ones not yet started are
  recorded as ``interrupted``, and the run is returned normally so it can still be stored and
  reported.
* ``dry_run`` is passed to each drill, which plans without acting.
* A drill with a ``cleanup_grace`` attribute (the chaos drill, which must revert its faults)
  is given that many seconds instead of ``grace`` after its ``cancel`` is set, and a second
  Ctrl-C or SIGTERM cannot cut that wait short; its result (journal, metrics) is kept with
  the status ``interrupted``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import FrameType

from drillhall.core.drill import Drill, DrillContext, ProgressCallback
from drillhall.core.model import DrillResult, JournalEntry, Status, utcnow
from drillhall.errors import ConfigError, DrillhallError, InputError

log = logging.getLogger(__name__)

GRACE_SECONDS = 5.0
BAD_INPUT = "bad-input"
"""Journal event of a drill that ended in error because its input or options were wrong."""
_POLL_SECONDS = 0.1


class RunInterrupted(BaseException):
    """Raised in the main thread when SIGTERM arrives during a run."""


@dataclass(frozen=True)
class RunnerOptions:
    timeout: float | None = None
    dry_run: bool = False
    grace: float = GRACE_SECONDS
    on_start: Callable[[str], None] = field(default=lambda name: None)
    on_finish: Callable[[DrillResult], None] = field(default=lambda result: None)
    progress: Callable[[str], ProgressCallback] | None = None
    """Given a drill name, the progress callback that drill reports to."""


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`RunInterrupted` while the run lasts (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise RunInterrupted

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _error(name: str, started: datetime, diagnostics: str,
           journal: tuple[JournalEntry, ...] = ()) -> DrillResult:
    return DrillResult(drill=name, status=Status.ERROR, started=started, finished=utcnow(),
                       diagnostics=diagnostics, journal=journal)


def _interrupted(name: str, started: datetime, reason: str) -> DrillResult:
    return DrillResult(drill=name, status=Status.INTERRUPTED, started=started,
                       finished=utcnow(), reason=reason)


def _join(worker: threading.Thread, seconds: float, shield: bool,
          box: Sequence[DrillResult]) -> None:
    """Wait up to ``seconds`` for ``worker``; with ``shield`` a further Ctrl-C or SIGTERM does
    not end the wait (the drill is cleaning up, e.g. reverting chaos faults). The shielded
    wait watches ``box`` (filled when the drill returns), not ``is_alive()``, which a join
    interrupted by Ctrl-C can leave wrong."""
    if not shield:
        worker.join(seconds)
        return
    with _signals_ignored(worker.name):
        deadline = time.monotonic() + seconds
        while not box and time.monotonic() < deadline:
            try:
                time.sleep(_POLL_SECONDS / 10)
            except (KeyboardInterrupt, RunInterrupted):  # one that came before the handlers
                log.warning("interrupt ignored: %s is cleaning up", worker.name)


@contextmanager
def _signals_ignored(name: str) -> Iterator[None]:
    """While a drill cleans up, Ctrl-C and SIGTERM are noted, never raised (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def note(signum: int, frame: FrameType | None) -> None:
        log.warning("interrupt ignored: %s is cleaning up", name)

    saved = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _call(drill: Drill, ctx: DrillContext) -> DrillResult:
    """Run one drill, turning anything it raises into an error result."""
    name = getattr(drill, "name", type(drill).__name__)
    started = utcnow()
    try:
        result = drill.run(ctx)
    except (ConfigError, InputError) as exc:
        # the user's input is at fault, not the drill: the command exits 2 (see BAD_INPUT)
        return _error(name, started, exc.diagnostics(),
                      (JournalEntry(utcnow(), BAD_INPUT, exc.diagnostics()),))
    except DrillhallError as exc:
        return _error(name, started, exc.diagnostics())
    except (KeyboardInterrupt, SystemExit, RunInterrupted):
        return _interrupted(name, started, "interrupted")
    except Exception as exc:
        log.debug("drill %s raised", name, exc_info=True)
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return _error(name, started, f"internal error in drill {name!r}: {tb} "
                      "(run with --debug for the traceback)")
    if not isinstance(result, DrillResult):
        return _error(name, started, f"drill {name!r} returned {type(result).__name__}, "
                      "not a DrillResult")
    return result


def run_drills(drills: Sequence[Drill], root: Path,
               options: RunnerOptions | None = None) -> tuple[DrillResult, ...]:
    """Run ``drills`` in order and return one result each (same order)."""
    options = options or RunnerOptions()
    results: list[DrillResult] = []
    with _sigterm_as_interrupt():
        for index, drill in enumerate(drills):
            name = getattr(drill, "name", type(drill).__name__)
            cancel = threading.Event()
            progress = options.progress(name) if options.progress else None
            ctx = DrillContext(root=root, dry_run=options.dry_run, cancel=cancel)
            if progress is not None:
                ctx.progress = progress
            started = utcnow()
            cleanup = getattr(drill, "cleanup_grace", None)
            shield = isinstance(cleanup, int | float)
            grace = max(options.grace, cleanup) if isinstance(cleanup, int | float) \
                else options.grace
            box: list[DrillResult] = []
            worker = threading.Thread(target=lambda d=drill, c=ctx, b=box: b.append(_call(d, c)),
                                      name=f"drill-{name}", daemon=True)
            options.on_start(name)
            try:
                worker.start()
                deadline = None if options.timeout is None else options.timeout
                waited = 0.0
                while worker.is_alive():
                    worker.join(_POLL_SECONDS)
                    waited += _POLL_SECONDS
                    if deadline is not None and waited >= deadline and worker.is_alive():
                        cancel.set()
                        _join(worker, grace, shield, box)
                        break
            except (KeyboardInterrupt, RunInterrupted) as exc:
                cancel.set()
                _join(worker, grace, shield, box)
                why = "SIGTERM" if isinstance(exc, RunInterrupted) else "Ctrl-C"
                if shield and box:
                    results.append(replace(box[0], status=Status.INTERRUPTED,
                                           reason=f"interrupted by {why}"))
                else:
                    results.append(_interrupted(name, started, f"interrupted by {why}"))
                options.on_finish(results[-1])
                results.extend(_interrupted(d.name, utcnow(), f"not started: run interrupted "
                                            f"by {why}") for d in drills[index + 1:])
                return tuple(results)
            if box:
                result = box[0]
                if options.timeout is not None and cancel.is_set() and result.status in (
                        Status.PASSED, Status.FAILED, Status.SKIPPED, Status.INTERRUPTED):
                    result = replace(result, status=Status.ERROR, diagnostics=(
                        f"drill {name!r} timed out after {options.timeout:g} s; "
                        "its partial findings are kept"))
            else:
                result = _error(name, started, f"drill {name!r} timed out after "
                                f"{options.timeout:g} s and did not stop within "
                                f"{grace:g} s")
            results.append(result)
            options.on_finish(result)
    return tuple(results)
