"""The ``patch-drill`` drill (``drillhall patch drill PATH``): plan upgrades, try each in a
throwaway copy of the project against its tests, report what breaks and what is ready, and with
``apply`` write the passing ones back.

Order of work: inventory → index lookups → plan (:mod:`.plan`) → baseline trial with the
current pins (a failing baseline stops the drill with an ``error`` result) → trials with
bisection (:mod:`.session`) → apply (:mod:`.apply`). The user's files are only read until
every trial has finished; a cancelled drill returns ``interrupted`` without applying anything.
With ``ctx.dry_run`` only the plan is made (``skipped``, plan in the journal).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Severity,
    Status,
    utcnow,
)
from drillhall.core.paths import resolve_input
from drillhall.core.redact import scrub
from drillhall.core.runner import BAD_INPUT
from drillhall.core.validation import parse_section
from drillhall.errors import DrillhallError, InputError
from drillhall.patch.audit import AdvisorySource
from drillhall.patch.drill import DEFAULT_INDEX
from drillhall.patch.model import Dependency, Inventory, PackageInfo
from drillhall.patch.trial import rules
from drillhall.patch.trial.apply import apply_upgrades
from drillhall.patch.trial.plan import (
    Candidate,
    Group,
    current_version,
    group_candidates,
    plan_upgrades,
)
from drillhall.patch.trial.runner import parse_command
from drillhall.patch.trial.session import Outcome, Trial, TrialRunner, drill_groups

_NOT_REQUIREMENTS = ("pyproject.toml", "uv.lock", "poetry.lock", "Pipfile.lock")


class PatchTrialOptions(BaseModel):
    """The ``[drills.patch-drill]`` table (and ``drillhall patch drill`` options)."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default_factory=lambda: ["."], min_length=1, max_length=1)
    """The project directory (one)."""
    group: Literal["single", "patch", "minor", "all"] = "single"
    min_age_days: float = Field(default=3.0, ge=0)
    """Cooldown: releases younger than this many days are not tried."""
    apply: bool = False
    test_command: str | None = None
    index_url: str | None = None
    """The index to look up releases on and to install from (default: PyPI for lookups, the
    user's pip configuration for installs)."""
    advisories: str | None = None
    """An OSV snapshot; affected dependencies get the smallest fixing version first."""
    timeout_per_trial: float = Field(default=600.0, gt=0)
    max_trials: int = Field(default=20, ge=1)


def _is_requirements(path: Path) -> bool:
    name = path.name
    return not (name in _NOT_REQUIREMENTS or name.startswith(("pylock", "Dockerfile"))
                or name.endswith(".dockerfile"))


class PatchTrialDrill:
    """Try dependency upgrades against the project's tests."""

    name = "patch-drill"

    def __init__(self, options: PatchTrialOptions, root: Path) -> None:
        self.options = options
        self.root = root
        self.command = parse_command(options.test_command) if options.test_command else None
        url = options.index_url or ""
        password = urlsplit(url).password if url else None
        self._secrets = [password] if password else []

    @property
    def project(self) -> Path:
        return resolve_input(self.options.paths[0], self.root).resolve()

    def preflight(self) -> None:
        if not self.project.is_dir():
            raise InputError(f"{self.options.paths[0]}: not a project directory")
        if self.options.advisories is not None and not resolve_input(
                self.options.advisories, self.root).exists():
            raise InputError(f"{self.options.advisories}: no such OSV snapshot (advisories)")

    # -- pieces -------------------------------------------------------------------------------

    def _inventory(self) -> Inventory:
        from drillhall.patch import sources

        return sources.collect(self.project)

    def _advisories(self) -> AdvisorySource | None:
        if self.options.advisories is None:
            return None
        from drillhall.patch.advisories import OfflineDB

        return OfflineDB(resolve_input(self.options.advisories, self.root))

    def _infos(self, inventory: Inventory, journal: list[JournalEntry]) -> dict[str, PackageInfo]:
        from drillhall.patch.index import IndexClient

        names = sorted({d.name for d in inventory.dependencies if current_version(d)})
        with IndexClient(self.options.index_url or DEFAULT_INDEX) as client:
            found = client.lookups(names)
        infos: dict[str, PackageInfo] = {}
        for name, lookup in found.items():
            if lookup.error:
                journal.append(JournalEntry(utcnow(), "index error",
                                            self._clean(f"{name}: {lookup.error}")))
            else:
                infos[name] = lookup.info
        return infos

    def _requirements(self, inventory: Inventory) -> list[Path]:
        files = [p for p in inventory.sources if _is_requirements(p)]
        top = [p for p in files if p.resolve().parent == self.project]
        return top or files

    def _clean(self, text: str) -> str:
        return scrub(text, self._secrets) if self._secrets else text

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project).as_posix()
        except ValueError:
            return path.as_posix()

    # -- run ----------------------------------------------------------------------------------

    def run(self, ctx: DrillContext) -> DrillResult:
        started, clock = utcnow(), time.monotonic()
        journal: list[JournalEntry] = []

        def result(status: Status, findings: list[Finding] | None = None,
                   metrics: list[Metric] | None = None, *, reason: str | None = None,
                   diagnostics: str | None = None) -> DrillResult:
            return DrillResult(self.name, status, tuple(findings or ()), tuple(metrics or ()),
                               tuple(journal), started, utcnow(), reason, diagnostics)

        ctx.progress("planning upgrades", None)
        inventory = self._inventory()
        infos = self._infos(inventory, journal)
        planned = plan_upgrades(inventory, infos, self._advisories(),
                                group=self.options.group,
                                min_age=timedelta(days=self.options.min_age_days))
        journal += [JournalEntry(utcnow(), "plan", c.label + (" (security fix: "
                                 + ", ".join(c.advisories) + ")" if c.security else ""))
                    for c in planned]
        if ctx.dry_run:
            return result(Status.SKIPPED, reason=f"dry run: {len(planned)} upgrades planned, "
                                                 "none tried")
        if not planned:
            journal.append(JournalEntry(utcnow(), "done", "nothing to upgrade"))
            return result(Status.PASSED, metrics=_metrics(Outcome(), None))
        trial = TrialRunner(self.project, requirements=self._requirements(inventory),
                            command=self.command, index_url=self.options.index_url,
                            timeout=self.options.timeout_per_trial, cancel=ctx.cancel,
                            uv=shutil.which("uv"), current={c.name: c.current for c in planned})
        ctx.progress("baseline: the tests with the current pins", 0.0)
        baseline = trial(())
        journal.append(self._trial_entry(baseline))
        if baseline.cancelled or ctx.cancelled():
            return result(Status.INTERRUPTED, reason="interrupted during the baseline; "
                                                     "nothing was changed")
        if not baseline.passed:
            # the project, not an upgrade, is at fault: the command exits 2 (see BAD_INPUT)
            problem = _baseline_failure(baseline)
            journal.append(JournalEntry(utcnow(), BAD_INPUT, problem))
            return result(Status.ERROR, diagnostics=problem)

        def counted(group: tuple[Candidate, ...] | list[Candidate]) -> Trial:
            ctx.progress(f"trying {', '.join(c.label for c in group)}", None)
            done = trial(group)
            journal.append(self._trial_entry(done))
            return done

        outcome = drill_groups(group_candidates(planned, self.options.group),
                               lambda g: counted(list(g)),
                               max_trials=self.options.max_trials, cancel=ctx.cancel)
        if ctx.cancelled():
            return result(Status.INTERRUPTED, metrics=_metrics(outcome, None),
                          reason="interrupted; no file was changed")
        for c in outcome.untried:
            journal.append(JournalEntry(utcnow(), "untried", f"{c.label}: trial budget "
                                        f"({self.options.max_trials}) or time ran out"))
        ready_at = outcome.first_green
        applied = False
        if self.options.apply and outcome.passed:
            try:
                report = apply_upgrades(self.project, outcome.passed, uv=shutil.which("uv"))
            except DrillhallError as exc:
                return result(Status.ERROR, metrics=_metrics(outcome, None),
                              diagnostics=f"applying the passing upgrades failed: "
                                          f"{exc.diagnostics()}")
            applied = True
            ready_at = time.monotonic()
            journal += [JournalEntry(utcnow(), "applied", self._display(p))
                        for p in report.files]
            journal += [JournalEntry(utcnow(), "note", n) for n in report.notes]
        findings = [self._breaks(c, t) for c, t in outcome.failed]
        if not applied:
            findings += [self._ready(c) for c in outcome.passed]
        elapsed = None if ready_at is None else ready_at - clock
        status = Status.FAILED if outcome.failed else Status.PASSED
        return result(status, findings, _metrics(outcome, elapsed))

    def _trial_entry(self, trial: Trial) -> JournalEntry:
        verdict = "passed" if trial.passed else f"failed at {trial.stage}"
        detail = f"{trial.label}: {verdict} in {trial.duration:.2f}s"
        if trial.failed_tests:
            detail += " (" + ", ".join(trial.failed_tests) + ")"
        elif trial.detail and not trial.passed:
            detail += ": " + trial.detail[-500:]
        return JournalEntry(utcnow(), "trial", self._clean(detail))

    def _location(self, c: Candidate) -> Location:
        dep: Dependency = c.dependencies[0]
        return Location(path=self._display(dep.source), line=dep.line,
                        symbol=f"{c.name}=={c.target}")

    def _breaks(self, c: Candidate, trial: Trial) -> Finding:
        if trial.failed_tests:
            evidence = "failing tests: " + ", ".join(trial.failed_tests)
        elif trial.stage == "tests":
            evidence = f"the tests failed ({trial.detail or 'no test names reported'})"
        else:
            evidence = f"the {trial.stage} step failed"
        return Finding(rules.UPGRADE_BREAKS, f"Upgrading {c.label} breaks the tests",
                       Severity.MEDIUM, Confidence.HIGH, self._location(c), evidence,
                       f"Fix the code for {c.name} {c.target} or keep {c.current} pinned "
                       "for now", ("CWE-1104", *c.advisories))

    def _ready(self, c: Candidate) -> Finding:
        severity = Severity.LOW if c.security else Severity.INFO
        evidence = f"tests pass with {c.name}=={c.target}"
        if c.security:
            evidence += "; fixes " + ", ".join(c.advisories)
        return Finding(rules.UPGRADE_READY, f"Upgrade {c.label} passes the tests", severity,
                       Confidence.HIGH, self._location(c), evidence,
                       "Apply it: drillhall patch drill --apply", ("CWE-1104", *c.advisories))


def _baseline_failure(trial: Trial) -> str:
    if trial.test is not None and "No module named" in trial.test.output:
        missing = trial.test.output.split("No module named", 1)[1].strip().split()[0].strip("'\"")
        return (f"the test command {' '.join(trial.test.command)!r} needs {missing!r}, which is "
                "not installed in the trial environment: add it to the project's requirements "
                "or give --test-command")
    if trial.stage == "tests" and trial.test is not None:
        names = ", ".join(trial.failed_tests) or trial.detail or "no test names reported"
        return f"the project's tests fail before any upgrade ({names}); fix them first"
    return (f"the project cannot be tested before any upgrade: the {trial.stage} step failed "
            f"({trial.detail[:300]})")


def _metrics(outcome: Outcome, time_to_patch: float | None) -> list[Metric]:
    tried = len(outcome.passed) + len(outcome.failed)
    out = [Metric("patch.upgrades_tried", tried), Metric("patch.upgrades_passed",
                                                         len(outcome.passed)),
           Metric("patch.upgrades_failed", len(outcome.failed)),
           Metric("patch.trials", len(outcome.trials))]
    if time_to_patch is not None:
        out.append(Metric("patch.time_to_patch_seconds", round(time_to_patch, 3), "s"))
    return out


def from_config(options: Mapping[str, Any], root: Path) -> PatchTrialDrill:
    """Build the drill from its ``[drills.patch-drill]`` table (or the command line)."""
    parsed = parse_section(PatchTrialOptions, options, source="drillhall.toml",
                           section="drills.patch-drill")
    drill = PatchTrialDrill(parsed, root)
    drill.preflight()
    return drill


__all__ = ["Group", "PatchTrialDrill", "PatchTrialOptions", "from_config"]
