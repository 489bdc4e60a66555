"""The chaos drill: one experiment, run with guaranteed rollback, as one drill result.

``[drills.chaos]`` in drillhall.toml (or ``drillhall chaos run EXPERIMENT``) names the
experiment file; the result's status is ``passed`` (the hypothesis held), ``failed`` (the
steady state deviated, the gate failed, a stop condition tripped, or a fault was left
behind), ``error`` (a fault could not be injected, ``max_duration`` passed) or ``skipped``
(dry run, blackout window). The metrics other tools rely on: ``chaos.deviated``,
``chaos.gate_failed``, ``chaos.detect_seconds``, ``chaos.recover_seconds``,
``chaos.revert_seconds`` and ``chaos.faults_left`` (which must be 0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drillhall.chaos import rules
from drillhall.chaos.experiment import Experiment
from drillhall.chaos.loader import load_experiment
from drillhall.chaos.runner import ExperimentReport, RunnerSettings, run_experiment
from drillhall.chaos.safety import Blackout, active_blackout, parse_blackout, zone
from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Status,
    utcnow,
)
from drillhall.core.redact import scrub
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError

if TYPE_CHECKING:
    from drillhall.chaos.suite import ChaosSuite

JOURNAL_DIR = ".drillhall/journals"
_STATUS = {"passed": Status.PASSED, "deviated": Status.FAILED, "gate_failed": Status.FAILED,
           "stopped": Status.FAILED, "aborted": Status.ERROR, "error": Status.ERROR,
           "interrupted": Status.INTERRUPTED}


class ChaosOptions(BaseModel):
    """The ``[drills.chaos]`` table (and ``drillhall chaos run``'s options)."""

    model_config = ConfigDict(extra="forbid")

    experiment: str | None = Field(default=None, min_length=1)
    experiments: list[str] = Field(default_factory=list)
    """Several experiment files, run one after another as one drill (``drillhall run``)."""
    journal: str | None = None
    yes: bool = False
    blackout: list[str] = Field(default_factory=list)
    timezone: str | None = None
    probe_timeout: float = Field(default=10.0, gt=0, le=3600)
    revert_timeout: float = Field(default=120.0, gt=0, le=3600)
    journal_sync: Literal["every-event", "critical"] = "every-event"


class ChaosDrill:
    """Run one experiment (see the module docstring)."""

    name = "chaos"

    def __init__(self, options: ChaosOptions, root: Path, experiment: Experiment,
                 blackouts: tuple[Blackout, ...]) -> None:
        self.options = options
        self.root = root
        self.experiment = experiment
        self.blackouts = blackouts
        # the core runner waits this long for reverts after Ctrl-C, SIGTERM or a timeout
        self.cleanup_grace = options.revert_timeout * max(1, len(experiment.faults())) + 30.0

    def journal_path(self, started: datetime) -> Path:
        """Where the journal goes: ``journal`` if set, else a new file under
        ``.drillhall/journals/``."""
        if self.options.journal:
            path = Path(self.options.journal).expanduser()
            return path if path.is_absolute() else self.root / path
        slug = re.sub(r"[^a-z0-9]+", "-", self.experiment.title.lower()).strip("-")[:40]
        return self.root / JOURNAL_DIR / f"chaos-{slug or 'experiment'}-" \
            f"{started.strftime('%Y%m%dT%H%M%S%fZ')}.jsonl"

    def refusal(self, moment: datetime | None = None) -> str | None:
        """Why the experiment may not start now (a blackout window), or ``None``."""
        window = active_blackout(self.blackouts, moment, zone(self.options.timezone))
        if window is None:
            return None
        return f"blackout window {window.text!r} is in force; experiments may not start"

    def check_confirmation(self) -> None:
        """Faults outside this machine need ``--yes``; raises :class:`ConfigError`."""
        remote = self.experiment.remote_faults()
        if remote and not self.options.yes:
            raise ConfigError(f"{remote[0].where}: fault {remote[0].name!r} reaches outside "
                              "this machine; confirm with --yes (yes = true) to run it")

    def run(self, ctx: DrillContext) -> DrillResult:
        """Run the experiment, or with ``ctx.dry_run`` only plan it."""
        started = utcnow()
        plan = tuple(JournalEntry(started, "plan", line) for line in self.experiment.plan())
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, journal=plan, started=started,
                               finished=utcnow(), reason="dry run: planned, nothing touched")
        self.check_confirmation()
        refusal = self.refusal()
        if refusal:
            return DrillResult(self.name, Status.SKIPPED, journal=plan, started=started,
                               finished=utcnow(), reason=refusal)
        settings = RunnerSettings(journal=self.journal_path(started), cancel=ctx.cancel,
                                  probe_timeout=self.options.probe_timeout,
                                  revert_timeout=self.options.revert_timeout,
                                  journal_sync=self.options.journal_sync)
        ctx.progress(f"running {self.experiment.title}", None)
        report = run_experiment(self.experiment, settings)
        return self.result(report, started)

    def _location(self) -> Location:
        source = self.experiment.source.resolve()
        try:
            shown = str(source.relative_to(self.root.resolve()))
        except ValueError:
            shown = str(source)
        return Location(path=shown)

    def findings(self, report: ExperimentReport) -> list[Finding]:
        """The findings of one run of the experiment."""
        by_id = {r.rule_id: r for r in rules.RULES}
        secrets = self.experiment.secret_values

        def finding(rule_id: str, evidence: str) -> Finding:
            rule = by_id[rule_id]
            return Finding(rule_id, f"{rule.title}: {self.experiment.title}", rule.severity,
                           location=self._location(), evidence=scrub(evidence, secrets),
                           remediation=rule.remediation, tags=rule.tags)

        out = []
        if report.outcome == "deviated":
            out.append(finding(rules.DEVIATION, report.reason))
        elif report.outcome == "gate_failed":
            out.append(finding(rules.GATE_FAILED, report.reason))
        elif report.outcome == "stopped":
            out.append(finding(rules.STOP_CONDITION, report.reason))
        out += [finding(rules.FAULT_LEFT, f"{left} (journal {report.journal})")
                for left in report.faults_left]
        if report.recovered is False:
            out.append(finding(rules.NOT_RECOVERED, f"the steady state did not hold within "
                               f"{self.experiment.recovery_timeout:g} s of the rollback"))
        out += [finding(rules.ROLLBACK_FAILED, f"rollback {name!r} failed")
                for name in report.failed_rollbacks]
        out += [finding(rules.ACTIVITY_FAILED, text) for text in report.failed_activities]
        return out

    def result(self, report: ExperimentReport, started: datetime) -> DrillResult:
        """The drill result of a finished experiment."""
        t = report.timings
        recover = t.recover if t.recover is not None else (
            self.experiment.recovery_timeout if report.recovered is False else 0.0)
        metrics = [
            Metric("chaos.deviated", 1 if report.outcome == "deviated" else 0),
            Metric("chaos.gate_failed", 1 if report.outcome == "gate_failed" else 0),
            Metric("chaos.stopped", 1 if report.outcome == "stopped" else 0),
            Metric("chaos.detect_seconds", round(t.detect or 0.0, 4), "s"),
            Metric("chaos.recover_seconds", round(recover, 4), "s"),
            Metric("chaos.revert_seconds", round(t.revert or 0.0, 4), "s"),
            Metric("chaos.faults_injected", report.faults_injected),
            Metric("chaos.faults_left", len(report.faults_left)),
            Metric("chaos.activities_failed", len(report.failed_activities)),
            Metric("chaos.duration_seconds", round(t.total, 3), "s"),
        ]
        if t.preempt is not None:
            metrics.append(Metric("chaos.preempt_seconds", round(t.preempt, 4), "s"))
        findings = tuple(self.findings(report))
        status = _STATUS[report.outcome]
        if status is Status.PASSED and any(f.rule_id in (rules.FAULT_LEFT, rules.NOT_RECOVERED)
                                           for f in findings):
            status = Status.FAILED
        journal = (JournalEntry(started, "experiment", self._location().path or ""),
                   JournalEntry(started, "journal", str(report.journal)),
                   *_entries(report.events))
        why = scrub(report.reason, self.experiment.secret_values)
        return DrillResult(
            self.name, status, findings, tuple(metrics), journal, started, utcnow(),
            reason=why if status is not Status.ERROR else None,
            diagnostics=why if status is Status.ERROR else None)


def _entries(events: tuple[dict[str, Any], ...]) -> list[JournalEntry]:
    """The journal's events in brief, for the drill result (the file has everything)."""
    out = []
    for e in events:
        kind = e.get("event", "")
        try:
            at = datetime.fromisoformat(str(e.get("ts")))
        except ValueError:
            at = utcnow()
        if kind == "steady-state":
            detail = f"{e.get('phase')}: " + {True: "held", False: "did not hold",
                                              None: "interrupted"}[e.get("met")]
        elif kind == "activity":
            detail = f"{e.get('phase')} {e.get('name')!r}: {e.get('status')}" + (
                f" ({e['error']})" if e.get("error") else "")
        elif kind in ("revert-registered", "revert-start"):
            detail = str(e.get("description") or e.get("id"))
        elif kind == "revert-end":
            detail = f"{e.get('id')}: {e.get('status')}" + (
                f" ({e['error']})" if e.get("error") else "")
        elif kind in ("deviation", "stop-condition", "abort", "preempted"):
            detail = str(e.get("reason", ""))
        elif kind == "recovery":
            detail = "recovered" if e.get("recovered") else "not recovered"
        elif kind == "experiment-end":
            detail = f"{e.get('outcome')}: {e.get('reason')}"
        else:
            continue
        out.append(JournalEntry(at, kind, detail))
    return out


def from_config(options: Mapping[str, Any], root: Path) -> ChaosDrill | ChaosSuite:
    """Build the drill from its ``[drills.chaos]`` table: the experiments are loaded and
    checked, their faults built (nothing touched)."""
    parsed = parse_section(ChaosOptions, options, source="drillhall.toml",
                           section="drills.chaos")
    if (parsed.experiment is None) == (not parsed.experiments):
        raise ConfigError("drillhall.toml: [drills.chaos] give either 'experiment' (one file) "
                          "or 'experiments' (a list of files)")
    if parsed.experiments and parsed.journal:
        raise ConfigError("drillhall.toml: [drills.chaos] 'journal' names one file; with "
                          "'experiments' each experiment writes its own journal")
    blackouts = []
    for entry in parsed.blackout:
        try:
            blackouts.append(parse_blackout(entry))
        except ValueError as exc:
            raise ConfigError(f"drillhall.toml: [drills.chaos] key 'blackout': {exc}") from None
    try:
        zone(parsed.timezone)
    except ValueError as exc:
        raise ConfigError(f"drillhall.toml: [drills.chaos] key 'timezone': {exc}") from None
    drills = []
    for name in parsed.experiments or [parsed.experiment or ""]:
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = root / path
        one = parsed.model_copy(update={"experiment": str(path), "experiments": []})
        drills.append(ChaosDrill(one, root, load_experiment(path), tuple(blackouts)))
    if parsed.experiment is not None:
        return drills[0]
    from drillhall.chaos.suite import ChaosSuite

    return ChaosSuite(tuple(drills))
