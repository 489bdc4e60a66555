"""Turning pydantic validation errors into one sentence naming the file and key at fault."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from drillhall.core.redact import mask
from drillhall.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def describe_error(exc: ValidationError, *, source: str, section: str = "") -> str:
    """One sentence for the first error: ``drillhall.toml: [drills.secrets] key 'x': …``."""
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    key = ".".join(loc)
    where = f"[{section}] " if section else ""
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"{source}: {where}unknown key {key!r}"
    if kind == "missing":
        return f"{source}: {where}missing required key {key!r}"
    value = err.get("input")
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if isinstance(value, str) and len(value) > 16:
        # a long value may be a credential pasted in the wrong place: never echo it
        msg = msg.replace(value, mask(value))
        shown = f" (got {mask(value)})"
    else:
        shown = "" if isinstance(value, dict | list) or repr(value) in msg else f" (got {value!r})"
    target = f"key {key!r}" if key else "value"
    return f"{source}: {where}{target}: {msg}{shown}"


def parse_section(model: type[M], data: Mapping[str, Any], *, source: str, section: str = "") -> M:
    """Validate ``data`` into ``model`` or raise :class:`ConfigError` with one clear sentence.

    ``source`` names where the data came from (a file path, or ``"command line"``) and
    ``section`` the TOML table (``"drills.secrets"``).
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=source, section=section)) from None
