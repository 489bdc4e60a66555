"""Property lists (``Info.plist`` and friends in iOS and macOS apps), binary or XML.

A plist is flattened to ``key.path = value`` lines so that a key's name stands next to its
value (``Config.OpenAIKey = …``), which is what context-dependent rules need. Data values
contribute their printable strings. Shared or cyclic references (possible in binary plists)
and pathological sizes are bounded.
"""

from __future__ import annotations

import plistlib
import xml.parsers.expat
from datetime import datetime
from typing import Any

from drillhall.ml.secrets.containers.model import Malformed
from drillhall.ml.secrets.containers.text import printable_strings

BPLIST_MAGIC = b"bplist00"
_MAX_DEPTH = 64


def is_xml_plist(head: bytes) -> bool:
    """Whether ``head`` (the start of a text file) looks like an XML property list."""
    start = head[:1024].lstrip()
    return start.startswith(b"<?xml") and (b"<!DOCTYPE plist" in start or b"<plist" in start)


def plist_text(data: bytes, max_chars: int) -> tuple[str, bool]:
    """``(text, complete)``: the plist as ``key = value`` lines, cut at ``max_chars``
    characters (``complete`` is false then). Raises :class:`Malformed` if it does not parse.
    """
    try:
        root = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError,
            OverflowError, RecursionError, MemoryError, xml.parsers.expat.ExpatError) as exc:
        raise Malformed(f"property list does not parse ({type(exc).__name__})") from None
    out = _Flattener(max_chars)
    out.walk("", root, 0, frozenset())
    return "\n".join(out.lines) + ("\n" if out.lines else ""), out.complete


class _Flattener:
    """Collects ``path = value`` lines until a character budget runs out."""

    def __init__(self, max_chars: int) -> None:
        self.lines: list[str] = []
        self.left = max_chars
        self.complete = True

    def emit(self, line: str) -> bool:
        if len(line) >= self.left:
            self.complete = False
            return False
        self.left -= len(line) + 1
        self.lines.append(line)
        return True

    def walk(self, path: str, value: Any, depth: int, seen: frozenset[int]) -> bool:
        """Emit ``value`` under ``path``; false once the budget is spent."""
        if not self.complete:
            return False
        if isinstance(value, dict | list):
            self.left -= 1  # visiting costs too, so shared empty containers cannot loop
            if self.left <= 0:
                self.complete = False
                return False
            if depth >= _MAX_DEPTH or id(value) in seen:
                return self.emit(f"{path} = <cycle or nesting too deep>")
            inner = seen | {id(value)}
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                sub = (f"{path}.{key}" if path else str(key)) if isinstance(value, dict) \
                    else f"{path}[{key}]"
                if not self.walk(sub, item, depth + 1, inner):
                    return False
            return True
        return self.emit(f"{path or '(root)'} = {_scalar(value)}")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray):
        found = printable_strings(bytes(value))
        return " ".join(found) if found else f"<{len(value)} bytes>"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, plistlib.UID):
        return f"UID({value.data})"
    return str(value)
