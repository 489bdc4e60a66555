"""Helpers shared by the scanners: masking spans of a text and reading a scanner's action."""

from __future__ import annotations

from collections.abc import Iterable

from drillhall.core.redact import mask
from drillhall.llm.guard.scanners.base import Action, Scanner


def action_of(scanner: Scanner) -> Action:
    """The action configured on ``scanner`` (its ``action`` attribute). A scanner without one
    blocks: what it flags never goes on silently."""
    value = getattr(scanner, "action", Action.BLOCK)
    try:
        return Action(value)
    except ValueError:
        return Action.BLOCK


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each ``(start, end)`` span replaced by :func:`~drillhall.core.redact.mask`
    of its value (overlapping spans: the earlier one covers the overlap)."""
    out: list[str] = []
    pos = 0
    for first, end in sorted(spans):
        if end <= pos:
            continue
        start = max(first, pos)
        out.append(text[pos:start])
        out.append(mask(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def plural(n: int, word: str) -> str:
    """``1 credential`` / ``2 credentials``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
