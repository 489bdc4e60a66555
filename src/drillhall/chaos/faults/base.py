"""The fault interface: how a chaos fault is planned, injected and — always — reverted.

A :class:`Fault` is built from its arguments in an experiment file. The runner calls
:meth:`Fault.prepare` first, which touches nothing and returns the :class:`Revert` record that
undoes the fault; the runner writes that record to the journal **before** calling
:meth:`Fault.inject`. Reverts are therefore known before anything changes, and
``drillhall chaos recover`` can rebuild them from a journal left by a runner that was killed.

A revert is plain data (a ``kind`` and JSON-able ``params``), executed by the function
registered for its kind with :func:`reverter`. Reverts are idempotent: running one twice, or
for a fault that never took effect, is harmless and succeeds.

:meth:`Fault.inject` returns promptly once the fault is in place (a sustained fault such as
CPU stress keeps running in the background until it is reverted or its own ``duration``
passes); it checks ``cancel`` if it has to wait, and raises
:class:`~drillhall.errors.FaultError` with one sentence when it cannot inject.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from threading import Event
from typing import Any, ClassVar

from drillhall.errors import FaultError

JSONValue = Any
"""A value ``json.dumps`` accepts (kept loose: revert params are built by faults, not users)."""


@dataclass(frozen=True, slots=True)
class Revert:
    """How to undo one fault: ``kind`` selects the registered reverter, ``params`` are its
    JSON-able arguments, ``description`` says in words what reverting does."""

    kind: str
    params: Mapping[str, JSONValue] = field(default_factory=dict)
    description: str = ""
    private: Mapping[str, JSONValue] = field(default_factory=dict, compare=False, repr=False)
    """Params that must not be written down (e.g. a restart command's environment values):
    given to the reverter in this process, left out of :meth:`as_dict` and so of the journal.
    A revert rebuilt by ``drillhall chaos recover`` runs without them; its reverter documents
    what it does instead (e.g. take the values from the recovering process's environment)."""

    def as_dict(self) -> dict[str, JSONValue]:
        return {"kind": self.kind, "params": dict(self.params), "description": self.description}

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Revert:
        try:
            return cls(str(data["kind"]), dict(data.get("params") or {}),
                       str(data.get("description", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise FaultError(f"revert record {data!r} is malformed: {exc}") from exc


class Fault(ABC):
    """One injectable fault. Subclasses set :attr:`kind` (the name used in experiment files,
    e.g. ``process-kill``) and :attr:`local` (``False`` for anything outside this machine,
    which needs ``--yes``)."""

    kind: ClassVar[str]
    local: ClassVar[bool] = True

    @abstractmethod
    def describe(self) -> str:
        """One line for the plan and the journal: what will be done to what."""

    @abstractmethod
    def prepare(self) -> Revert:
        """Resolve targets and record current state; change nothing. Returns the revert."""

    @abstractmethod
    def inject(self, cancel: Event) -> str:
        """Put the fault in place and return a short output text for the journal."""


Reverter = Callable[[Mapping[str, JSONValue]], str]
"""Undo a fault from its revert params; returns a short output text for the journal."""

_REVERTERS: dict[str, Reverter] = {}


def reverter(kind: str) -> Callable[[Reverter], Reverter]:
    """Register the function that executes reverts of ``kind``."""

    def register(fn: Reverter) -> Reverter:
        if kind in _REVERTERS and _REVERTERS[kind] is not fn:
            raise ValueError(f"a reverter for {kind!r} is already registered")
        _REVERTERS[kind] = fn
        return fn

    return register


def run_revert(record: Revert) -> str:
    """Execute one revert. Raises :class:`FaultError` when no reverter is registered for its
    kind or the reverter fails."""
    fn = _REVERTERS.get(record.kind)
    if fn is None:
        raise FaultError(f"no reverter is registered for revert kind {record.kind!r}")
    try:
        return fn({**record.params, **record.private})
    except FaultError:
        raise
    except Exception as exc:
        raise FaultError(f"reverting {record.description or record.kind} failed: {exc}") from exc
