from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Status
from drillhall.core.runner import RunnerOptions, run_drills
from drillhall.errors import DrillError


@dataclass
class Fake:
    name: str
    behaviour: str = "pass"
    seconds: float = 0.0

    def run(self, ctx: DrillContext) -> DrillResult:
        if self.behaviour == "raise":
            raise ValueError("bad thing")
        if self.behaviour == "drillerror":
            raise DrillError("cannot reach the target")
        if self.behaviour == "wrongtype":
            return "nope"  # type: ignore[return-value]
        if self.behaviour == "sleep":
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline and not ctx.cancelled():
                time.sleep(0.01)
        if self.behaviour == "stubborn":
            time.sleep(self.seconds)
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, reason="dry run")
        return DrillResult(self.name, Status.PASSED)


def test_exception_becomes_error_and_run_goes_on(tmp_path: Path) -> None:
    results = run_drills([Fake("a", "raise"), Fake("b", "drillerror"), Fake("c", "wrongtype"),
                          Fake("d")], tmp_path)
    assert [r.status for r in results] == [Status.ERROR] * 3 + [Status.PASSED]
    assert "ValueError: bad thing" in (results[0].diagnostics or "")
    assert results[1].diagnostics == "cannot reach the target."
    assert "returned str" in (results[2].diagnostics or "")


def test_timeout_cancels_cooperative_drill(tmp_path: Path) -> None:
    start = time.monotonic()
    results = run_drills([Fake("slow", "sleep", 30), Fake("next")], tmp_path,
                         RunnerOptions(timeout=0.3, grace=2))
    assert time.monotonic() - start < 5
    assert results[0].status is Status.ERROR and "timed out" in (results[0].diagnostics or "")
    assert results[1].status is Status.PASSED


def test_timeout_of_stubborn_drill(tmp_path: Path) -> None:
    results = run_drills([Fake("stuck", "stubborn", 3)], tmp_path,
                         RunnerOptions(timeout=0.2, grace=0.2))
    assert results[0].status is Status.ERROR
    assert "did not stop" in (results[0].diagnostics or "")


def test_dry_run_reaches_drills(tmp_path: Path) -> None:
    (r,) = run_drills([Fake("a")], tmp_path, RunnerOptions(dry_run=True))
    assert r.status is Status.SKIPPED and r.reason == "dry run"


def test_sigterm_keeps_finished_and_marks_rest_interrupted(tmp_path: Path) -> None:
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()
    results = run_drills([Fake("done"), Fake("long", "sleep", 20), Fake("later")], tmp_path,
                         RunnerOptions(grace=2))
    assert [r.status for r in results] == [Status.PASSED, Status.INTERRUPTED,
                                           Status.INTERRUPTED]
    assert results[1].reason == "interrupted by SIGTERM"
    assert "not started" in (results[2].reason or "")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL or callable(
        signal.getsignal(signal.SIGTERM))


def test_progress_and_hooks(tmp_path: Path) -> None:
    started: list[str] = []
    finished: list[str] = []
    run_drills([Fake("a"), Fake("b")], tmp_path,
               RunnerOptions(on_start=started.append, on_finish=lambda r: finished.append(r.drill)))
    assert started == finished == ["a", "b"]
