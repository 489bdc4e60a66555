"""Finding the :class:`~drillhall.chaos.faults.base.Fault` behind a fault action, and the
reverters ``drillhall chaos recover`` needs.

Built-in kinds (``process-kill``, ``disk-fill``, ``proxy-toxic`` …) come from
:mod:`drillhall.chaos.faults.registry`. Two extension hooks add others:

* a kind written ``"package.module:ClassName"`` names a :class:`Fault` subclass directly;
* the entry-point group ``drillhall.chaos.faults`` maps a kind name to such a class.

The class is built with ``ClassName.from_args(arguments, where=...)`` when it defines that
classmethod, else ``ClassName(**arguments)``. Its module registers its reverters (with
:func:`drillhall.chaos.faults.base.reverter`) when imported; the journal records that module
next to each revert, and ``recover`` imports it again in a fresh process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from drillhall.chaos.faults.base import Fault
from drillhall.errors import ConfigError, DrillhallError

PLUGIN_GROUP = "drillhall.chaos.faults"
REGISTRY = "drillhall.chaos.faults.registry"


def _registry() -> Any:
    """The built-in fault registry module, or ``None`` when it is not installed."""
    try:
        return import_module(REGISTRY)
    except ModuleNotFoundError as exc:
        if exc.name != REGISTRY:
            raise
        return None


def _import_class(target: str, where: str) -> type[Fault]:
    module, _, attr = target.partition(":")
    try:
        obj = getattr(import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{where}: fault kind {target!r} cannot be imported: {exc}") from None
    if not (isinstance(obj, type) and issubclass(obj, Fault)):
        raise ConfigError(f"{where}: {target!r} is not a drillhall Fault class")
    return obj


def _plugin(kind: str) -> str | None:
    for ep in entry_points(group=PLUGIN_GROUP):
        if ep.name == kind:
            return str(ep.value)
    return None


def _construct(cls: type[Fault], args: Mapping[str, Any], where: str) -> Fault:
    try:
        from_args = getattr(cls, "from_args", None)
        fault = from_args(dict(args), where=where) if callable(from_args) else cls(**args)
    except DrillhallError as exc:
        raise ConfigError(exc.diagnostics().rstrip(".")) from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: fault {cls.__name__}: {exc}") from None
    if not isinstance(fault, Fault):
        raise ConfigError(f"{where}: {cls.__name__} did not build a Fault")
    return fault


def known_kinds() -> tuple[str, ...]:
    """The built-in fault kinds (empty when the registry is not installed)."""
    registry = _registry()
    return () if registry is None else tuple(sorted(registry.FAULT_KINDS))


def build_fault(kind: str, args: Mapping[str, Any], *, where: str) -> Fault:
    """Build the fault of one fault action; :class:`ConfigError` names ``where``."""
    if ":" in kind:
        return _construct(_import_class(kind, where), args, where)
    plugin = _plugin(kind)
    if plugin is not None:
        return _construct(_import_class(plugin, where), args, where)
    registry = _registry()
    if registry is None:
        raise ConfigError(f"{where}: unknown fault kind {kind!r} (the built-in fault "
                          "registry is not installed; name a class as 'module:Class')")
    fault = registry.build_fault(kind, args, where=where)
    if not isinstance(fault, Fault):
        raise ConfigError(f"{where}: fault kind {kind!r} did not build a Fault")
    return fault


def load_reverters(modules: Iterable[str] = ()) -> list[str]:
    """Register every reverter ``recover`` may need: the built-in ones, the plugins', and
    those of the fault modules a journal names. Returns the modules that failed to import."""
    failed = []
    registry = _registry()
    if registry is not None:
        registry.load_reverters()
    targets = {str(ep.value).partition(":")[0] for ep in entry_points(group=PLUGIN_GROUP)}
    for module in sorted(targets | set(modules)):
        try:
            import_module(module)
        except ImportError:
            failed.append(module)
    return failed
