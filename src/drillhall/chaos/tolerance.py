"""Tolerances: whether a probe's output is within the steady state, as Chaos Toolkit defines.

* ``true`` / ``false`` — the output equals it;
* an integer — the output (or its ``status``, for process and HTTP outputs) equals it;
* a string — the output equals it;
* a list — the ``status`` of a process or HTTP output is one of the values; any other
  output is within an inclusive range when the list holds two numbers, else one of them
  (as Chaos Toolkit reads lists);
* ``{"type": "range", "range": [lo, hi], "target": KEY}`` — a number within the bounds;
* ``{"type": "regex", "pattern": RE, "target": KEY}`` — the text matches;
* ``{"type": "jsonpath", "path": "$.x", "expect": V, "count": N, "target": KEY}`` — the path
  selects something (exactly ``count`` values; equal to ``expect``, a value or a list).

``target`` picks a key of a mapping output first (``"body"``, ``"stdout"``).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from drillhall.chaos.jsonpath import find

ToleranceKind = Literal["value", "status", "one-of", "range", "regex", "jsonpath"]
_UNSET = object()


@dataclass(frozen=True, slots=True)
class Tolerance:
    """One parsed tolerance (see the module docstring)."""

    kind: ToleranceKind
    value: Any = None
    target: str | None = None
    pattern: str | None = None
    path: str | None = None
    expect: Any = _UNSET
    count: int | None = None

    def describe(self) -> str:
        if self.kind == "range":
            return f"within {self.value[0]}..{self.value[1]}"
        if self.kind == "regex":
            return f"matches /{self.pattern}/"
        if self.kind == "jsonpath":
            expect = "" if self.expect is _UNSET else f" == {self.expect!r}"
            return f"{self.path}{expect}"
        if self.kind == "one-of":
            return f"one of {self.value!r}"
        return f"== {self.value!r}"

    def accepts(self, output: Any) -> bool:
        """Whether ``output`` is within this tolerance."""
        value = output
        if self.target and isinstance(value, dict):
            value = value.get(self.target, value)
        if self.kind == "value":
            return bool(value == self.value)
        if self.kind == "status":
            if isinstance(value, dict) and "status" in value:
                value = value["status"]
            return bool(value == self.value) and not isinstance(value, bool)
        if self.kind == "one-of":
            if isinstance(value, dict) and "status" in value:
                return value["status"] in self.value
            if len(self.value) == 2 and _numbers(self.value):
                return _within(value, self.value)
            return value in self.value
        if self.kind == "range":
            return _within(value, self.value)
        if self.kind == "regex":
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            return re.search(self.pattern or "", text) is not None
        return self._jsonpath(value)

    def _jsonpath(self, value: Any) -> bool:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        values = find(self.path or "$", value)
        result = len(values) > 0
        if self.count is not None:
            result = len(values) == self.count
        if self.expect is not _UNSET:
            expected = self.expect if isinstance(self.expect, list) else [self.expect]
            result = values == expected
        return result


def _numbers(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _within(value: Any, bounds: tuple[Any, ...]) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return Decimal(str(bounds[0])) <= number <= Decimal(str(bounds[1]))


def from_raw(raw: Any) -> Tolerance:
    """A tolerance from its value in an experiment file; ``ValueError`` says what is wrong."""
    if isinstance(raw, bool):
        return Tolerance("value", raw)
    if isinstance(raw, int):
        return Tolerance("status", raw)
    if isinstance(raw, float | str):
        return Tolerance("value", raw)
    if isinstance(raw, list):
        return Tolerance("one-of", tuple(raw))
    if not isinstance(raw, dict):
        raise ValueError(f"{raw!r} is not a tolerance")
    kind = raw.get("type")
    target = raw.get("target")
    if target is not None and not isinstance(target, str):
        raise ValueError("a tolerance's target must be a key name such as 'body'")
    if kind == "range":
        bounds = raw.get("range")
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int | float) and not isinstance(b, bool)
                           for b in bounds)):
            raise ValueError("a range tolerance needs 'range': [lower, upper] (two numbers)")
        return Tolerance("range", (bounds[0], bounds[1]), target=target)
    if kind == "regex":
        pattern = raw.get("pattern")
        if not isinstance(pattern, str):
            raise ValueError("a regex tolerance needs a 'pattern'")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from None
        return Tolerance("regex", target=target, pattern=pattern)
    if kind == "jsonpath":
        path = raw.get("path")
        if not isinstance(path, str):
            raise ValueError("a jsonpath tolerance needs a 'path'")
        find(path, None)  # raises ValueError when the path cannot be parsed
        count = raw.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise ValueError("a jsonpath tolerance's count must be an integer")
        return Tolerance("jsonpath", target=target, path=path,
                         expect=raw.get("expect", _UNSET), count=count)
    if kind == "probe":
        raise ValueError("probe tolerances are not supported; use a python probe whose "
                         "result is the verdict")
    raise ValueError(f"tolerance type {kind!r} is not one of range, regex, jsonpath")
