"""Running trials: one throwaway environment per trial, the baseline first, and bisection of
failing groups.

A *trial* installs the project with some candidate pins substituted and runs its tests; a
constraints file holds every planned package at its current version except the group's, at
their targets, so that a range (``>=``) cannot let the installer pick another version. The
drill runs the baseline (no substitution) first; then each group of candidates. A failing
group of more than one candidate is split in halves and each half is tried again, recursively,
until the culprits (single candidates that fail alone) are found; the number of trials is
bounded by ``max_trials``, and candidates left untried when the budget or the time runs out are
reported as such, never as passing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drillhall.patch.trial.env import CommandResult, ThrowawayEnv, TrialEnvError
from drillhall.patch.trial.pins import PinError
from drillhall.patch.trial.plan import Candidate
from drillhall.patch.trial.runner import TestRun, detect_command, run_tests


@dataclass(frozen=True, slots=True)
class Trial:
    """One trial: the candidates substituted (none for the baseline), whether the install and
    the tests passed, and why not. ``stage`` is ``pin``, ``venv``, ``install`` or ``tests``:
    where it stopped."""

    candidates: tuple[Candidate, ...]
    passed: bool
    stage: str
    duration: float
    test: TestRun | None = None
    detail: str = ""
    cancelled: bool = False

    @property
    def failed_tests(self) -> tuple[str, ...]:
        return self.test.failed_tests if self.test else ()

    @property
    def label(self) -> str:
        return ", ".join(c.label for c in self.candidates) or "baseline"


@dataclass
class Outcome:
    """What the trials found: passing candidates, culprits with the trial that showed it,
    candidates not tried, and every trial in order."""

    passed: list[Candidate] = field(default_factory=list)
    failed: list[tuple[Candidate, Trial]] = field(default_factory=list)
    untried: list[Candidate] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)
    first_green: float | None = None
    """Monotonic time at which the first passing candidate trial finished."""


TrialFn = Callable[[Sequence[Candidate]], Trial]


class TrialRunner:
    """Runs trials of project ``root``: ``requirements`` are the files to install,
    ``command`` the test command (detected when ``None``)."""

    def __init__(self, root: Path, *, requirements: Sequence[Path], command: tuple[str, ...]
                 | None, index_url: str | None, timeout: float, cancel: threading.Event,
                 uv: str | None = None, current: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.requirements = list(requirements)
        self.command = command or detect_command(root)
        self.index_url = index_url
        self.timeout = timeout
        self.cancel = cancel
        self.uv = uv
        self.current = dict(current or {})

    def __call__(self, candidates: Sequence[Candidate]) -> Trial:
        started = time.monotonic()
        group = tuple(candidates)

        def done(passed: bool, stage: str, detail: str = "", test: TestRun | None = None,
                 cancelled: bool = False) -> Trial:
            return Trial(group, passed, stage, time.monotonic() - started, test, detail,
                         cancelled)

        if self.command is None:
            return done(False, "tests", "no test command found: set test_command "
                                        "(--test-command) for this project")
        with ThrowawayEnv(self.root, requirements=self.requirements, index_url=self.index_url,
                          timeout=self.timeout, cancel=self.cancel, uv=self.uv) as env:
            try:
                env.pin((dep, c.target) for c in group for dep in c.dependencies)
            except PinError as exc:
                return done(False, "pin", exc.diagnostics())
            pins = dict(self.current) | {c.name: c.target for c in group}
            steps: tuple[tuple[str, Callable[[], CommandResult]], ...] = (
                ("venv", env.create), ("install", lambda: env.install(pins)))
            for stage, step in steps:
                try:
                    result = step()
                except TrialEnvError as exc:
                    return done(False, stage, exc.diagnostics())
                if not result.ok:
                    why = ("timed out" if result.timed_out else "cancelled" if result.cancelled
                           else f"exit status {result.returncode}")
                    return done(False, stage, f"{stage} {why}: {result.output[-2000:]}",
                                cancelled=result.cancelled)
            remaining = max(1.0, self.timeout - (time.monotonic() - started))
            test = run_tests(env, self.command, timeout=remaining, cancel=self.cancel)
            detail = ("timed out" if test.timed_out else "cancelled" if test.cancelled
                      else "" if test.passed else f"exit status {test.returncode}")
            return done(test.passed, "tests", detail, test, test.cancelled)


def drill_groups(groups: Sequence[Sequence[Candidate]], trial: TrialFn, *, max_trials: int,
                 cancel: threading.Event) -> Outcome:
    """Try every group, bisecting failures (see the module docstring)."""
    outcome = Outcome()
    pending: list[tuple[Candidate, ...]] = [tuple(g) for g in groups if g]
    while pending:
        group = pending.pop(0)
        if cancel.is_set() or len(outcome.trials) >= max_trials:
            outcome.untried.extend(group)
            continue
        result = trial(group)
        outcome.trials.append(result)
        if result.cancelled or cancel.is_set():
            outcome.untried.extend(group)
            continue
        if result.passed:
            outcome.passed.extend(group)
            if outcome.first_green is None:
                outcome.first_green = time.monotonic()
        elif len(group) == 1:
            outcome.failed.append((group[0], result))
        else:
            half = len(group) // 2
            pending[:0] = [group[:half], group[half:]]
    return outcome
