"""Running one piece of work so that it can be abandoned at once.

:func:`run_preemptible` runs ``work(cancel)`` in a daemon thread and waits for the first of:
the work finishing, ``stop()`` returning a reason (a stop condition, a deviation, Ctrl-C, the
experiment's ``max_duration``), or the timeout. On a stop or a timeout it sets the work's
``cancel`` event (providers kill their subprocesses on it) and returns without waiting: the
thread is abandoned. The wait polls every :data:`POLL_SECONDS`, which bounds how long a
pre-emption takes once the reason is known.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.005
Ending = Literal["done", "failed", "timeout", "preempted"]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """How the work ended: ``done`` with ``value``, ``failed`` with ``error`` (what it raised),
    ``timeout``, or ``preempted`` with the stop ``reason``. Times are monotonic seconds."""

    ending: Ending
    value: T | None = None
    error: BaseException | None = None
    reason: str = ""
    started: float = 0.0
    ended: float = 0.0
    finished: threading.Event | None = None
    """Set when the work's thread has returned: for a ``timeout`` or ``preempted`` ending the
    abandoned work may still be running (its cancel event is set)."""

    @property
    def seconds(self) -> float:
        return max(0.0, self.ended - self.started)


def _never() -> str | None:
    return None


def run_preemptible(work: Callable[[threading.Event], T], *, timeout: float | None,
                    stop: Callable[[], str | None] = _never, name: str = "activity",
                    shield: bool = False) -> Outcome[T]:
    """Run ``work`` (see the module docstring). With ``shield``, Ctrl-C in the calling thread
    does not cut the wait short (used for reverts)."""
    cancel = threading.Event()
    done = threading.Event()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    thread = threading.Thread(target=target, name=f"chaos-{name}", daemon=True)
    thread.start()
    while True:
        try:
            if done.wait(POLL_SECONDS):
                break
        except KeyboardInterrupt:
            if not shield:
                cancel.set()
                raise
            continue
        reason = stop()
        if reason:
            cancel.set()
            return Outcome("preempted", reason=reason, started=started, ended=time.monotonic(),
                           finished=done)
        if deadline is not None and time.monotonic() >= deadline:
            cancel.set()
            return Outcome("timeout", reason=f"timed out after {timeout:g} s",
                           started=started, ended=time.monotonic(), finished=done)
    ended = time.monotonic()
    if "error" in box:
        error = box["error"]
        assert isinstance(error, BaseException)
        return Outcome("failed", error=error, started=started, ended=ended)
    return Outcome("done", value=box.get("value"), started=started,  # type: ignore[arg-type]
                   ended=ended)


def sleep_unless(seconds: float, stop: Callable[[], str | None]) -> str | None:
    """Wait ``seconds`` unless ``stop()`` gives a reason first (returned)."""
    deadline = time.monotonic() + seconds
    while True:
        reason = stop()
        if reason:
            return reason
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(POLL_SECONDS * 2, left))
