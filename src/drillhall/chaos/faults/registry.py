"""The built-in fault kinds: building a fault from an experiment's arguments, listing the
kinds for ``--help`` and the docs, and loading every reverter for ``drillhall chaos recover``.

:data:`FAULT_KINDS` maps each kind (``process-kill``, ``disk-fill``, ``docker-stop`` …) to its
:class:`~drillhall.chaos.faults.base.Fault` class. It is filled on first use, which imports
the fault modules (cheap: the Docker, Kubernetes and AWS SDKs are imported only when such a
fault runs) and — when it is installed — :mod:`drillhall.chaos.faults.proxy`.

Each built-in class has ``from_args(args, *, where)``, which validates the arguments with its
pydantic ``Args`` model, and a ``kind``/``local`` pair; :func:`build_fault` turns an unknown
kind or a bad argument into one :class:`~drillhall.errors.ConfigError` sentence naming
``where``, the kind and the argument.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from drillhall.chaos.faults.base import Fault
from drillhall.chaos.faults.support import fault_arguments
from drillhall.errors import ConfigError, DrillhallError

__all__ = [
    "BUILTIN_MODULES",
    "FAULT_KINDS",
    "ArgumentInfo",
    "FaultKindInfo",
    "build_fault",
    "describe_kinds",
    "load_reverters",
]

BUILTIN_MODULES = (
    "drillhall.chaos.faults.process",
    "drillhall.chaos.faults.disk",
    "drillhall.chaos.faults.stress",
    "drillhall.chaos.faults.docker",
    "drillhall.chaos.faults.kubernetes",
    "drillhall.chaos.faults.aws",
)
"""The modules of this package's own faults (each registers its reverters on import)."""

PROXY_MODULE = "drillhall.chaos.faults.proxy"
"""The network faults of the chaos proxy, added when that module is installed."""


def _optional(module: str) -> Any:
    """``module``, or ``None`` when it does not exist (an error inside it still raises)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def _proxy_faults() -> dict[str, type[Fault]]:
    proxy = _optional(PROXY_MODULE)
    faults = getattr(proxy, "FAULTS", None) if proxy is not None else None
    if isinstance(faults, Mapping):
        items = list(faults.items())
    elif faults is not None:
        items = [(getattr(cls, "kind", ""), cls) for cls in faults]
    else:
        items = []
    return {str(kind): cls for kind, cls in items
            if isinstance(cls, type) and issubclass(cls, Fault)}


@functools.cache
def _kinds() -> dict[str, type[Fault]]:
    found: dict[str, type[Fault]] = {}
    for name in BUILTIN_MODULES:
        module = importlib.import_module(name)
        for cls in getattr(module, "FAULTS", ()):
            found[cls.kind] = cls
    for kind, cls in _proxy_faults().items():
        found.setdefault(kind, cls)
    return dict(sorted(found.items()))


class _FaultKinds(Mapping[str, type[Fault]]):
    """A read-only mapping filled on first use (so importing this module imports nothing
    else, and a proxy module installed later in development is still picked up)."""

    def __getitem__(self, kind: str) -> type[Fault]:
        return _kinds()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(_kinds())

    def __len__(self) -> int:
        return len(_kinds())

    def __repr__(self) -> str:
        return f"FAULT_KINDS({', '.join(_kinds())})"


FAULT_KINDS: Mapping[str, type[Fault]] = _FaultKinds()
"""Every built-in fault kind and its class (proxy faults included when installed)."""


def build_fault(kind: str, args: Mapping[str, Any], *, where: str = "") -> Fault:
    """Build the fault of ``kind`` from an experiment's arguments (``type``/``kind`` keys
    are ignored). Raises :class:`ConfigError` with one sentence naming ``where`` (e.g.
    ``"experiment.yaml: method[2]"``), the kind and the bad argument."""
    cls = FAULT_KINDS.get(kind)
    prefix = f"{where}: " if where else ""
    if cls is None:
        close = difflib.get_close_matches(kind, list(FAULT_KINDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{prefix}unknown fault kind {kind!r}{hint} (known kinds: "
                          f"{', '.join(FAULT_KINDS)})")
    from_args = getattr(cls, "from_args", None)
    own = cls.__module__ in BUILTIN_MODULES
    # our classes name the kind themselves; others are told where they are, kind included
    context = where if own else f"{prefix}fault {kind!r}"
    try:
        if callable(from_args):
            fault = from_args(dict(args), where=context)
        else:
            fault = cls(**fault_arguments(args))
    except ConfigError:
        raise
    except DrillhallError as exc:
        raise ConfigError(f"{prefix}fault {kind!r}: {exc.diagnostics().rstrip('.')}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{prefix}fault {kind!r}: {exc}") from None
    if not isinstance(fault, Fault):
        raise ConfigError(f"{prefix}fault kind {kind!r} did not build a fault")
    return fault


def load_reverters() -> tuple[str, ...]:
    """Import every fault module so that all reverters are registered (what ``drillhall
    chaos recover`` needs in a fresh process). Returns the modules imported."""
    loaded = [importlib.import_module(name).__name__ for name in BUILTIN_MODULES]
    if _optional(PROXY_MODULE) is not None:
        loaded.append(PROXY_MODULE)
    return tuple(loaded)


# ---- description for --help and the docs --------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArgumentInfo:
    """One argument of a fault kind; nested arguments are dotted (``health.tcp_port``)."""

    name: str
    type: str
    required: bool
    default: str
    description: str


@dataclass(frozen=True, slots=True)
class FaultKindInfo:
    """What a fault kind does, whether it stays on this machine, and its arguments."""

    kind: str
    local: bool
    summary: str
    arguments: tuple[ArgumentInfo, ...]
    module: str

    def line(self) -> str:
        """One line for ``--help``: kind, where it acts, summary."""
        return f"{self.kind:<22} {'local ' if self.local else 'remote'}  {self.summary}"


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__name__
    return str(annotation).replace("typing.", "").replace("NoneType", "None")


def _arguments(model: type[BaseModel], prefix: str = "") -> list[ArgumentInfo]:
    out: list[ArgumentInfo] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_arguments(ann, f"{prefix}{name}."))
            continue
        required = info.is_required()
        factory: Any = info.default_factory
        default = "" if required else repr(factory() if factory is not None else info.default)
        out.append(ArgumentInfo(prefix + name, _type_name(ann), required, default,
                                info.description or ""))
    return out


def describe_kinds() -> tuple[FaultKindInfo, ...]:
    """Every fault kind with its summary and arguments, sorted by kind."""
    infos = []
    for kind, cls in FAULT_KINDS.items():
        doc = inspect.getdoc(cls) or ""
        summary = " ".join(doc.split("\n\n")[0].split())
        model = getattr(cls, "Args", None)
        args = (tuple(_arguments(model)) if isinstance(model, type)
                and issubclass(model, BaseModel) else ())
        infos.append(FaultKindInfo(kind, bool(cls.local), summary, args, cls.__module__))
    return tuple(infos)
