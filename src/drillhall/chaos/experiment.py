"""The experiment model: what an experiment file says, parsed once into plain values.

:mod:`drillhall.chaos.loader` builds an :class:`Experiment` from a YAML or JSON file (a Chaos
Toolkit experiment, with drillhall's additions); :mod:`drillhall.chaos.runner` executes it.
Every activity keeps ``where`` — the file, line and JSON path it came from — so that errors
and the journal can point back at the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from drillhall.chaos.faults.base import Fault
from drillhall.chaos.probes.base import Provider
from drillhall.chaos.tolerance import Tolerance
from drillhall.core.redact import scrub

ActivityType = Literal["probe", "action"]
AbortWhen = Literal["fails", "holds"]


@dataclass(frozen=True, slots=True)
class Pauses:
    """Seconds to wait before and after an activity (interrupted by an abort)."""

    before: float = 0.0
    after: float = 0.0


@dataclass(frozen=True, slots=True)
class FaultAction:
    """The provider of a drillhall fault action: the built :class:`Fault` and its kind."""

    kind: str
    fault: Fault

    def describe(self) -> str:
        return self.fault.describe()


@dataclass(frozen=True, slots=True)
class Activity:
    """One probe or action. ``provider`` is a probe/plain provider or a :class:`FaultAction`;
    ``tolerance`` decides a probe's verdict in a hypothesis (``None``: the provider's own)."""

    type: ActivityType
    name: str
    provider: Provider | FaultAction
    where: str
    timeout: float | None = None
    pauses: Pauses = field(default_factory=Pauses)
    tolerance: Tolerance | None = None
    background: bool = False

    @property
    def is_fault(self) -> bool:
        return isinstance(self.provider, FaultAction)

    def describe(self) -> str:
        text = f"{self.type} {self.name!r}: {self.provider.describe()}"
        if self.tolerance is not None:
            text += f" [tolerance {self.tolerance.describe()}]"
        if self.timeout is not None:
            text += f" [timeout {self.timeout:g} s]"
        return text


@dataclass(frozen=True, slots=True)
class StopCondition:
    """A probe checked throughout the method: the experiment aborts when it ``fails`` (is
    outside its tolerance, or errors) or, with ``abort_when = "holds"``, when it holds."""

    probe: Activity
    abort_when: AbortWhen = "fails"


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """What the experiment may touch, in words and in limits the runner enforces."""

    description: str = ""
    components: tuple[str, ...] = ()
    max_faults: int | None = None
    local_only: bool = False


@dataclass(frozen=True, slots=True)
class ChaosDayNotes:
    """The Chaos Day fields: written down before the day, compared with what happened."""

    expected_impact: str = ""
    expected_response: str = ""
    rollback_steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Experiment:
    """A parsed experiment (see the module docstring)."""

    title: str
    source: Path
    description: str = ""
    hypothesis: str = ""
    steady_state_title: str = ""
    steady_state: tuple[Activity, ...] = ()
    method: tuple[Activity, ...] = ()
    rollbacks: tuple[Activity, ...] = ()
    stop_conditions: tuple[StopCondition, ...] = ()
    max_duration: float | None = None
    probe_interval: float = 1.0
    recovery_timeout: float = 30.0
    blast_radius: BlastRadius = field(default_factory=BlastRadius)
    notes: ChaosDayNotes = field(default_factory=ChaosDayNotes)
    tags: tuple[str, ...] = ()
    secret_values: tuple[str, ...] = ()

    def faults(self) -> tuple[Activity, ...]:
        """The fault actions of the method, in order."""
        return tuple(a for a in self.method if a.is_fault)

    def remote_faults(self) -> tuple[Activity, ...]:
        """Fault actions that reach outside this machine (they need ``--yes``)."""
        return tuple(a for a in self.faults()
                     if isinstance(a.provider, FaultAction) and not a.provider.fault.local)

    def plan(self) -> list[str]:
        """The experiment in words, one line each, in the order it would run."""
        lines = [f"experiment: {self.title}"]
        if self.hypothesis:
            lines.append(f"hypothesis: {self.hypothesis}")
        if self.blast_radius.description or self.blast_radius.components:
            parts = [self.blast_radius.description, ", ".join(self.blast_radius.components)]
            lines.append("blast radius: " + " — ".join(p for p in parts if p))
        for probe in self.steady_state:
            lines.append(f"steady state: {probe.describe()}")
        if self.steady_state:
            lines.append(f"steady state checked before, every {self.probe_interval:g} s during "
                         "and after the method")
        for cond in self.stop_conditions:
            lines.append(f"stop condition (abort when it {cond.abort_when}): "
                         f"{cond.probe.describe()}")
        for activity in self.method:
            lines.append(f"method: {activity.describe()}")
            if isinstance(activity.provider, FaultAction):
                lines.append("  revert registered before injection; local"
                             if activity.provider.fault.local else
                             "  revert registered before injection; NOT local (needs --yes)")
        lines.append("rollback: revert every injected fault (last first)")
        for activity in self.rollbacks:
            lines.append(f"rollback: {activity.describe()}")
        if self.max_duration is not None:
            lines.append(f"max duration: {self.max_duration:g} s")
        return [scrub(line, self.secret_values) for line in lines]
