"""The :class:`Drill` protocol, the context a drill runs in, and the drill registry.

A drill is an object with a ``name`` and a ``run(ctx)`` method returning a
:class:`~drillhall.core.model.DrillResult`. Drills are built from their section of
``drillhall.toml`` (``[drills.NAME]``) by a :class:`DrillFactory`; built-in factories are listed
in :data:`BUILTIN_DRILLS`, and third-party packages add theirs through the entry-point group
``drillhall.drills`` (the entry point names a :class:`DrillFactory` object).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from drillhall.errors import ConfigError

ENTRY_POINT_GROUP = "drillhall.drills"

ProgressCallback = Callable[[str, float | None], None]
"""``progress(message, fraction)``: fraction in [0, 1], or ``None`` when unknown."""


def _no_progress(message: str, fraction: float | None) -> None:
    return None


@dataclass
class DrillContext:
    """What a drill gets from the runner.

    ``root`` is the directory relative to which the drill reads its inputs and writes
    ``location.path`` values (the directory of drillhall.toml, or the command's PATH).
    ``cancel`` is set when the run is interrupted or the drill's time is up: long drills check
    :meth:`cancelled` between units of work and stop early.
    """

    root: Path
    dry_run: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: ProgressCallback = _no_progress

    def cancelled(self) -> bool:
        return self.cancel.is_set()


@runtime_checkable
class Drill(Protocol):
    """A unit of work that produces findings and metrics."""

    name: str

    def run(self, ctx: DrillContext) -> Any:  # returns DrillResult; Any keeps plugins loose
        ...


@dataclass(frozen=True)
class DrillFactory:
    """How to build a drill from its ``[drills.NAME]`` table.

    ``target`` is ``"module:callable"``, imported only when the drill is used, so that a drill
    family's heavy dependencies are not imported by commands that do not need them. The
    callable takes ``(options: Mapping[str, Any], root: Path)`` and returns a :class:`Drill`;
    it raises :class:`~drillhall.errors.ConfigError` for bad options.
    """

    name: str
    family: str
    summary: str
    target: str
    order: int = 100
    rules: str | None = None
    """``module:ATTRIBUTE`` holding the drill's ``tuple[RuleInfo, ...]``, if it documents any."""

    def load(self) -> Callable[[Mapping[str, Any], Path], Drill]:
        module, _, attr = self.target.partition(":")
        obj = getattr(import_module(module), attr)
        if not callable(obj):
            raise ConfigError(f"drill {self.name!r}: {self.target} is not callable")
        return obj  # type: ignore[no-any-return]

    def build(self, options: Mapping[str, Any], root: Path) -> Drill:
        return self.load()(options, root)


BUILTIN_DRILLS: tuple[DrillFactory, ...] = (
    DrillFactory(
        name="patch",
        family="patch",
        summary="vulnerable and outdated dependencies, end-of-life runtimes",
        target="drillhall.patch.drill:from_config",
        order=5,
        rules="drillhall.patch.rules:RULES",
    ),
    DrillFactory(
        name="patch-drill",
        family="patch",
        summary="try dependency upgrades against the project's tests and keep what passes",
        target="drillhall.patch.trial.drill:from_config",
        order=6,
        rules="drillhall.patch.trial.rules:RULES",
    ),
    DrillFactory(
        name="secrets",
        family="ml",
        summary="credentials embedded in repositories, mobile apps and bundles",
        target="drillhall.ml.secrets.drill:from_config",
        order=10,
        rules="drillhall.ml.secrets.rules:RULES",
    ),
    DrillFactory(
        name="data",
        family="ml",
        summary="training data: flipped labels, poisoning and backdoor triggers, drift, "
        "personal data",
        target="drillhall.ml.data.drill:from_config",
        order=15,
        rules="drillhall.ml.data.rules:RULES",
    ),
    DrillFactory(
        name="model",
        family="ml",
        summary="unsafe model files (pickle, joblib, PyTorch, Keras, ONNX, GGUF, …)",
        target="drillhall.ml.artifacts.drill:from_config",
        order=20,
        rules="drillhall.ml.artifacts.rules:RULES",
    ),
    DrillFactory(
        name="manifest",
        family="ml",
        summary="model and data files match their signed manifest",
        target="drillhall.ml.manifest.drill:from_config",
        order=25,
        rules="drillhall.ml.manifest.rules:RULES",
    ),
    DrillFactory(
        name="endpoint",
        family="ml",
        summary="model-serving endpoints open, leaking predictions or unlimited",
        target="drillhall.ml.endpoint.drill:from_config",
        order=30,
        rules="drillhall.ml.endpoint.rules:RULES",
    ),
    DrillFactory(
        name="chaos",
        family="chaos",
        summary="chaos experiments: steady state, faults, guaranteed rollback, journal",
        target="drillhall.chaos.drill:from_config",
        order=40,
        rules="drillhall.chaos.rules:RULES",
    ),
    DrillFactory(
        name="redteam",
        family="llm",
        summary="red-team an LLM endpoint: prompt injection, jailbreaks, leaks, unsafe output, "
        "excessive agency (OWASP LLM Top 10)",
        target="drillhall.llm.redteam.drill:from_config",
        order=50,
        rules="drillhall.llm.redteam.rules:RULES",
    ),
    DrillFactory(
        name="guard-scan",
        family="llm",
        summary="scan texts with the LLM guard's input scanners (prompt injection, secrets, "
        "personal data, invisible text)",
        target="drillhall.llm.guard.scan_drill:from_config",
        order=55,
        rules="drillhall.llm.guard.rules:RULES",
    ),
    DrillFactory(
        name="eval",
        family="llm",
        summary="answer accuracy on a golden set, and drift of the guard's live signals",
        target="drillhall.llm.evals.drill:from_config",
        order=60,
        rules="drillhall.llm.evals.rules:RULES",
    ),
)


class Registry:
    """Known drills by name: built-ins first, then entry points (which may not shadow them)."""

    _plugins_loaded: ClassVar[bool] = False

    def __init__(self, factories: Mapping[str, DrillFactory]) -> None:
        self._factories = dict(factories)

    @classmethod
    def default(cls, *, plugins: bool = True) -> Registry:
        factories = {f.name: f for f in BUILTIN_DRILLS}
        if plugins:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if ep.name in factories:
                    continue
                try:
                    obj = ep.load()
                except Exception as exc:  # a broken plugin must not break drillhall
                    raise ConfigError(
                        f"drill plugin {ep.name!r} ({ep.value}) failed to load: {exc}"
                    ) from exc
                if not isinstance(obj, DrillFactory):
                    raise ConfigError(
                        f"drill plugin {ep.name!r} ({ep.value}) is not a drillhall DrillFactory"
                    )
                factories[ep.name] = obj
        return cls(factories)

    def names(self) -> list[str]:
        return sorted(self._factories, key=lambda n: (self._factories[n].order, n))

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def get(self, name: str) -> DrillFactory:
        try:
            return self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ConfigError(f"unknown drill {name!r} (known drills: {known})") from None
