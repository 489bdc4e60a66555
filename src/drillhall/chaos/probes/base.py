"""The probe interface: how an experiment observes the system (and runs plain actions).

A :class:`Provider` is what an activity's ``provider`` table describes: Chaos Toolkit's
``python``, ``process`` and ``http`` providers, and drillhall's ``tcp``, ``process-alive`` and
``slo`` probes. :meth:`Provider.run` does the work once and returns an :class:`Observation`:
the output (shaped as Chaos Toolkit shapes it, so tolerances written for Chaos Toolkit keep
working), the provider's own verdict ``ok`` (used when the activity has no tolerance) and an
``error`` when the activity itself failed.

``run`` is called in a worker thread. It must honour ``cancel`` (set when the runner pre-empts
the activity or its timeout passes) at least between steps; a provider that starts a
subprocess kills it when ``cancel`` is set. The runner abandons a provider that does not
return promptly, so ``run`` must not hold anything that outlives it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from threading import Event
from typing import Any, ClassVar

from drillhall.errors import DrillhallError


class ProbeError(DrillhallError):
    """A provider could not do its work (the activity fails with this sentence)."""


@dataclass(frozen=True, slots=True)
class Observation:
    """What one provider run returned. ``error`` set means the activity failed."""

    output: Any = None
    ok: bool = True
    error: str | None = None
    detail: str = ""


class Provider(ABC):
    """One provider kind. Subclasses are frozen dataclasses built by the loader."""

    kind: ClassVar[str]

    @abstractmethod
    def describe(self) -> str:
        """One line for the plan and the journal."""

    @abstractmethod
    def run(self, cancel: Event, timeout: float | None) -> Observation:
        """Do the work once. ``timeout`` bounds network and subprocess waits (the runner
        pre-empts the call as well); raise :class:`ProbeError` or return an observation with
        ``error`` set when the activity fails."""

    def secret_values(self) -> tuple[str, ...]:
        """Values that must never appear in the journal (resolved secrets)."""
        return ()
