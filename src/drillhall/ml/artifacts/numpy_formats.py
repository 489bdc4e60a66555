"""NumPy ``.npy`` files: the header is checked, and an object array's pickle is scanned.

An ``.npz`` file is a zip of ``.npy`` members; the scanner opens the zip and reaches this
analyzer for each member by its content. The header is a Python dict literal, read with
:func:`ast.literal_eval` (literals only, never code) after a length check.
"""

from __future__ import annotations

import ast
from typing import Any, BinaryIO, cast

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, Issue
from drillhall.ml.artifacts.pickle_scan import Window, analyze_pickle
from drillhall.ml.artifacts.rules import MALFORMED, NUMPY_OBJECT_ARRAY

NPY_MAGIC = b"\x93NUMPY"
_MAX_HEADER = 1 << 20


def sniff_npy(head: bytes) -> bool:
    """Whether the bytes start like an ``.npy`` file."""
    return head.startswith(NPY_MAGIC)


def _has_objects(descr: Any, depth: int = 0) -> bool:
    if depth > 16:
        return True
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list):
        for field in descr:
            if isinstance(field, tuple) and len(field) >= 2 and _has_objects(field[1], depth + 1):
                return True
    return False


def _bad(message: str, where: str = "header") -> list[Issue]:
    return [Issue(MALFORMED, Severity.HIGH, message, where, evidence=message)]


def analyze_npy(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Check the header; scan the payload as a pickle when the dtype holds objects."""
    head = stream.read(12)
    if len(head) < 10 or not head.startswith(NPY_MAGIC):
        return _bad("the .npy header is truncated")
    major = head[6]
    if major == 1:
        length, start = int.from_bytes(head[8:10], "little"), 10
    elif major in (2, 3):
        if len(head) < 12:
            return _bad("the .npy header is truncated")
        length, start = int.from_bytes(head[8:12], "little"), 12
    else:
        return _bad(f"unknown .npy format version {major}")
    if length > _MAX_HEADER or (size >= 0 and start + length > size):
        return _bad(f"the .npy header claims {length} bytes, more than the file holds or "
                    "the limit allows")
    stream.seek(start)
    raw = stream.read(length)
    try:
        header = ast.literal_eval(raw.decode("latin-1" if major < 3 else "utf-8").strip())
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
        return _bad("the .npy header is not a Python dict literal")
    if not isinstance(header, dict) or not {"descr", "shape"} <= header.keys():
        return _bad("the .npy header lacks 'descr' or 'shape'")
    if not _has_objects(header["descr"]):
        return []
    begin = start + length
    payload_size = size - begin if size >= 0 else -1
    window = Window(stream, begin, payload_size if payload_size >= 0 else
                    ctx.limits.max_member_bytes)
    issues = analyze_pickle(cast(BinaryIO, window), payload_size, ctx)
    shifted = [Issue(i.rule_id, i.severity, i.message, f"object array › {i.where}",
                     i.confidence, i.tags, i.evidence) for i in issues]
    if not any(i.severity.at_least(Severity.MEDIUM) for i in shifted):
        shifted.append(Issue(
            NUMPY_OBJECT_ARRAY, Severity.INFO,
            "object array stored as a pickle (benign imports only); it loads only with "
            "allow_pickle=True", "object array", evidence=str(header["descr"])))
    return shifted
