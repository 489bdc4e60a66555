"""Helpers the fault modules share: parsing arguments at the boundary, importing optional
SDKs lazily, and waiting for a condition without ignoring cancellation."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from threading import Event
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from drillhall.chaos.faults.base import JSONValue, reverter
from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError, DependencyMissing, FaultError

M = TypeVar("M", bound=BaseModel)

CLOUD_EXTRA = "chaos-cloud"
IRREVERSIBLE = "fault.irreversible"
"""Revert kind of faults declared ``irreversible: true``: reverting reports that nothing can
be done."""


def fault_arguments(args: Mapping[str, Any]) -> dict[str, Any]:
    """The fault's own arguments: an activity's ``type: fault`` and ``kind`` are dropped."""
    return {k: v for k, v in args.items()
            if k != "kind" and not (k == "type" and v == "fault")}


def parse_args(model: type[M], args: Mapping[str, Any], *, kind: str, where: str) -> M:
    """Validate a fault's arguments or raise :class:`ConfigError` with one sentence such as
    ``experiment.yaml: method[2]: fault 'disk-fill': key 'percent': …``."""
    source = f"{where}: fault {kind!r}" if where else f"fault {kind!r}"
    try:
        return model.model_validate(fault_arguments(args))
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=source)) from None


def config_error(kind: str, where: str, text: str) -> ConfigError:
    """A :class:`ConfigError` about fault ``kind`` at ``where``."""
    source = f"{where}: fault {kind!r}" if where else f"fault {kind!r}"
    return ConfigError(f"{source}: {text}")


def import_sdk(module: str, package: str, extra: str = CLOUD_EXTRA) -> Any:
    """Import an optional SDK (``docker``, ``kubernetes``, ``boto3``) or raise
    :class:`DependencyMissing` with the install hint."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise DependencyMissing(package, extra) from None


def wait_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.1,
               cancel: Event | None = None) -> bool:
    """Call ``check`` until it returns true (``True``), ``timeout`` seconds pass or ``cancel``
    is set (``False``). ``check`` runs at least once."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline or (cancel is not None and cancel.is_set()):
            return False
        wait = min(interval, max(0.0, deadline - time.monotonic()))
        if cancel is not None:
            cancel.wait(wait)
        else:
            time.sleep(wait)


def cancelled(cancel: Event, what: str) -> FaultError:
    """The error an injection raises when it is cancelled half-way."""
    return FaultError(f"{what} was cancelled before it completed")


@reverter(IRREVERSIBLE)
def irreversible(params: Mapping[str, JSONValue]) -> str:
    """Nothing can be done: the fault was declared irreversible."""
    return f"nothing to revert: {params.get('what', 'the fault')} was declared irreversible"
