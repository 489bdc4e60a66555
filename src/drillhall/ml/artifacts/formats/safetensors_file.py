"""safetensors: an 8-byte little-endian header length, a JSON header, then raw tensor bytes.

The format cannot carry code, so what is checked is that the header is exactly what loaders
expect: a file that some loader reads differently from another (overlapping or out-of-range
offsets, bytes outside every tensor, odd dtypes) is where parser bugs and smuggled payloads
live. Every problem is ``DH-MODEL-SAFETENSORS-INVALID``; a header that is not a JSON object at
all is ``DH-MODEL-MALFORMED``.
"""

from __future__ import annotations

import json
import math
from typing import BinaryIO

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats._common import (
    SAFETENSORS_INVALID,
    SUPPLY_CHAIN,
    malformed,
    short,
)

_FORMAT = "safetensors"
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32,
    "I64": 64, "U64": 64, "F64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}
_MAX_ISSUES = 50
_TAGS = ("CWE-20", SUPPLY_CHAIN)
_SNIFF_MAX_HEADER = 1 << 31


def sniff(head: bytes) -> bool:
    """A plausible header length followed by ``{`` and a key, whitespace or ``}``."""
    if len(head) < 10:
        return False
    length = int.from_bytes(head[:8], "little")
    return 2 <= length < _SNIFF_MAX_HEADER and head[8:9] == b"{" and head[9:10] in b'"} \t\r\n'


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Header length, JSON shape, dtypes, shapes, offsets and ``__metadata__``."""
    prefix = stream.read(8)
    if len(prefix) < 8:
        return [malformed(_FORMAT, "file shorter than the 8-byte header length")]
    length = int.from_bytes(prefix, "little")
    cap = ctx.limits.max_metadata_bytes
    if length > size - 8 or length > cap:
        return [_invalid(f"header length {length} is larger than the "
                         f"{'file' if length > size - 8 else f'limit of {cap} bytes'}",
                         "byte 0")]
    raw = stream.read(length)
    if len(raw) < length:
        return [malformed(_FORMAT, "file ends inside the header")]
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        return [_invalid(f"header {exc}; loaders disagree on which entry wins")]
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [malformed(_FORMAT, f"header is not JSON ({short(str(exc), 80)})", "header")]
    if not isinstance(header, dict):
        return [malformed(_FORMAT, "header is not a JSON object", "header")]
    issues = _check_header(header, size - 8 - length)
    if len(issues) > _MAX_ISSUES:
        issues = [*issues[:_MAX_ISSUES], _invalid(f"{len(issues) - _MAX_ISSUES} more problems")]
    return issues


class _DuplicateKey(ValueError):
    """A JSON object repeats a key (loaders disagree on which value wins)."""


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"key {short(key, 60)!r} appears twice")
        out[key] = value
    return out


def _invalid(message: str, where: str = "header") -> Issue:
    return Issue(rule_id=SAFETENSORS_INVALID, severity=Severity.HIGH,
                 message=message, where=where, tags=_TAGS, evidence=message)


def _check_header(header: dict[str, object], data_size: int) -> list[Issue]:
    issues: list[Issue] = []
    spans: list[tuple[int, int, str]] = []
    for name, entry in header.items():
        where = f"tensor {short(name, 80)!r}"
        if name == "__metadata__":
            issues.extend(_check_metadata(entry))
            continue
        span = _check_tensor(entry, data_size, where, issues)
        if span is not None:
            spans.append((span[0], span[1], where))
    issues.extend(_check_coverage(spans, data_size))
    return issues


def _check_metadata(entry: object) -> list[Issue]:
    if not isinstance(entry, dict):
        return [_invalid("__metadata__ is not a JSON object", "__metadata__")]
    bad = [key for key, value in entry.items() if not isinstance(value, str)]
    if bad:
        return [_invalid(f"__metadata__ holds non-string values ({short(', '.join(bad), 80)})",
                         "__metadata__")]
    return []


def _check_tensor(entry: object, data_size: int, where: str,
                  issues: list[Issue]) -> tuple[int, int] | None:
    """Validate one tensor entry; return its ``(begin, end)`` when the offsets are usable."""
    if not isinstance(entry, dict):
        issues.append(_invalid("entry is not a JSON object", where))
        return None
    extra = set(entry) - {"dtype", "shape", "data_offsets"}
    if extra:
        issues.append(_invalid(f"unexpected keys {sorted(extra)}", where))
    dtype = entry.get("dtype")
    shape = entry.get("shape")
    offsets = entry.get("data_offsets")
    bits = DTYPE_BITS.get(dtype) if isinstance(dtype, str) else None
    if bits is None:
        issues.append(_invalid(f"unknown dtype {short(repr(dtype), 40)}", where))
    shape_ok = isinstance(shape, list) and all(
        isinstance(dim, int) and not isinstance(dim, bool) and dim >= 0 for dim in shape)
    if not shape_ok:
        issues.append(_invalid(f"shape {short(repr(shape), 60)} is not a list of "
                               "non-negative integers", where))
    if not (isinstance(offsets, list) and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        issues.append(_invalid(f"data_offsets {short(repr(offsets), 60)} is not [begin, end]",
                               where))
        return None
    begin, end = int(offsets[0]), int(offsets[1])
    if not 0 <= begin <= end <= data_size:
        issues.append(_invalid(f"data_offsets [{begin}, {end}] fall outside the "
                               f"{data_size}-byte data section", where))
        return None
    if bits is not None and shape_ok and isinstance(shape, list):
        elements = math.prod(shape)
        expected = (elements * bits + 7) // 8
        if expected != end - begin:
            issues.append(_invalid(f"{end - begin} bytes of data for {elements} elements of "
                                   f"{dtype} (expected {expected})", where))
    return begin, end


def _check_coverage(spans: list[tuple[int, int, str]], data_size: int) -> list[Issue]:
    """Tensors must tile the data section: no overlap, no gap, nothing after the last one."""
    issues: list[Issue] = []
    cursor = 0
    for begin, end, where in sorted(spans):
        if begin < cursor:
            issues.append(_invalid(f"data [{begin}, {end}] overlaps the previous tensor, "
                                   f"which ends at {cursor}", where))
        elif begin > cursor:
            issues.append(_invalid(f"{begin - cursor} bytes at {cursor} belong to no tensor",
                                   where))
        cursor = max(cursor, end)
    if cursor < data_size:
        issues.append(_invalid(f"{data_size - cursor} bytes after the last tensor belong to no "
                               "tensor (hidden trailing data)", f"data byte {cursor}"))
    return issues


FORMAT = FormatSpec(name="safetensors", analyze=analyze, sniff=sniff)
