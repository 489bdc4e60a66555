"""Chaos Toolkit's ``python`` provider: call ``module.func(**arguments)``.

The output is what the function returns; ``ok`` is its truth value. A function that accepts a
keyword argument named ``cancel`` receives the activity's cancel event, so that a long call can
stop when it is pre-empted (otherwise its thread is abandoned).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from threading import Event
from typing import Any

from drillhall.chaos.probes.base import Observation, ProbeError, Provider


def resolve(module: str, func: str) -> Callable[..., Any]:
    """Import ``module`` and return its callable ``func``; :class:`ProbeError` otherwise."""
    try:
        obj: Any = import_module(module)
    except ImportError as exc:
        raise ProbeError(f"cannot import module {module!r}: {exc}") from None
    for part in func.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ProbeError(f"module {module!r} has no callable {func!r}")
    if not callable(obj):
        raise ProbeError(f"{module}.{func} is not callable")
    return obj  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PythonProvider(Provider):
    """Call a Python function."""

    kind = "python"
    module: str
    func: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"call {self.module}.{self.func}({', '.join(self.arguments)})"

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        fn = resolve(self.module, self.func)
        kwargs = dict(self.arguments)
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "cancel" in params and "cancel" not in kwargs:
            kwargs["cancel"] = cancel
        try:
            value = fn(**kwargs)
        except ProbeError:
            raise
        except Exception as exc:
            raise ProbeError(f"{self.module}.{self.func} raised {type(exc).__name__}: "
                             f"{exc}") from exc
        return Observation(value, bool(value))

    def secret_values(self) -> tuple[str, ...]:
        return self.secrets
