"""A small JSONPath evaluator for tolerances and HTTP probes (no dependency).

Supported: ``$`` (root), ``.name`` and ``['name']`` (member), ``[0]`` and ``[-1]`` (index),
``[*]`` and ``.*`` (every child), ``..name`` (recursive descent), ``[1:3]`` (slice) and
filters ``[?(@.key OP value)]`` with ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (value is a
number, a quoted string, ``true``, ``false`` or ``null``) or ``[?(@.key)]`` (key exists).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

Step = Callable[[Any], Iterator[Any]]

_NAME = re.compile(r"[A-Za-z_$][\w$-]*")
_FILTER = re.compile(r"^\?\(\s*@((?:\.[\w$-]+)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _descendants(value: Any) -> Iterator[Any]:
    yield value
    for child in _children(value):
        yield from _descendants(child)


def _member(name: str) -> Step:
    def step(value: Any) -> Iterator[Any]:
        if isinstance(value, dict) and name in value:
            yield value[name]
    return step


def _index(i: int) -> Step:
    def step(value: Any) -> Iterator[Any]:
        if isinstance(value, list) and -len(value) <= i < len(value):
            yield value[i]
    return step


def _slice(s: slice) -> Step:
    def step(value: Any) -> Iterator[Any]:
        if isinstance(value, list):
            yield from value[s]
    return step


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a JSON value") from None


def _filter(expr: str) -> Step:
    m = _FILTER.match(expr)
    if not m:
        raise ValueError(f"filter {expr!r} is not supported (write [?(@.key == value)])")
    keys = [k for k in m.group(1).split(".") if k]
    op, literal = m.group(2), m.group(3)
    expected = _literal(literal) if op else None

    def test(item: Any) -> bool:
        for key in keys:
            if not isinstance(item, dict) or key not in item:
                return False
            item = item[key]
        if op is None:
            return True
        try:
            return _OPS[op](item, expected)
        except TypeError:
            return False

    def step(value: Any) -> Iterator[Any]:
        yield from (c for c in _children(value) if test(c))
    return step


def _bracket(inner: str) -> Step:
    inner = inner.strip()
    if inner == "*":
        return _children
    if inner.startswith("?"):
        return _filter(inner)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return _member(inner[1:-1])
    if ":" in inner:
        parts = [int(p) if p.strip() else None for p in inner.split(":")]
        return _slice(slice(*parts))
    return _index(int(inner))


def compile_path(path: str) -> list[Step]:
    """Parse ``path``; ``ValueError`` names what is wrong."""
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"JSONPath {path!r} must start with '$'")
    steps: list[Step] = []
    i = 1
    try:
        while i < len(text):
            if text.startswith("..", i):
                i += 2
                m = _NAME.match(text, i)
                steps.append(_descendants)
                if m:
                    steps.append(_member(m.group()))
                    i = m.end()
                elif text.startswith("*", i):
                    steps.append(_children)
                    i += 1
            elif text[i] == ".":
                i += 1
                if text.startswith("*", i):
                    steps.append(_children)
                    i += 1
                    continue
                m = _NAME.match(text, i)
                if not m:
                    raise ValueError(f"a name is expected at position {i}")
                steps.append(_member(m.group()))
                i = m.end()
            elif text[i] == "[":
                depth, j = 0, i
                while j < len(text):
                    depth += {"[": 1, "]": -1}.get(text[j], 0)
                    if depth == 0:
                        break
                    j += 1
                if depth:
                    raise ValueError("a '[' is not closed")
                steps.append(_bracket(text[i + 1:j]))
                i = j + 1
            else:
                raise ValueError(f"unexpected {text[i]!r} at position {i}")
    except ValueError as exc:
        raise ValueError(f"JSONPath {path!r}: {exc}") from None
    return steps


def find(path: str, document: Any) -> list[Any]:
    """Every value ``path`` selects in ``document`` (in document order)."""
    values = [document]
    for step in compile_path(path):
        values = [v for value in values for v in step(value)]
    return values
