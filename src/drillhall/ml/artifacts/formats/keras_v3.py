"""Keras v3 archives (``.keras``): a zip with ``config.json``, ``metadata.json`` and weights.

Members are read in memory with a size cap, never extracted. ``config.json`` is judged like
the HDF5 ``model_config``; other members (weights, assets) go to the scanner's ``nested``
callback when there is one, so a pickle hidden among the assets is still found.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from typing import IO, BinaryIO, cast

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats._common import (
    UNSCANNABLE,
    FormatError,
    malformed,
    short,
)
from drillhall.ml.artifacts.formats.keras_config import check_config, parse_config

_FORMAT = "Keras v3"
_CONFIG = "config.json"
_METADATA = "metadata.json"
_SPOOL_BYTES = 16 * 1024 * 1024
_WEIGHTS = ("model.weights.h5", "model.weights.npz", "model.weights.json")


def sniff_zip(names: Sequence[str]) -> bool:
    """``config.json`` at the top together with ``metadata.json`` or the weights member."""
    top = set(names)
    return _CONFIG in top and (_METADATA in top or any(w in top for w in _WEIGHTS))


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Lambda layers and custom objects in ``config.json``; other members scanned nested."""
    limits = ctx.limits
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return [malformed(_FORMAT, f"not a readable zip ({exc})")]
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            return [malformed(_FORMAT, f"{len(infos)} members, over the limit of "
                                       f"{limits.max_members}")]
        issues: list[Issue] = []
        names = {info.filename for info in infos}
        if _CONFIG not in names:
            return [malformed(_FORMAT, "config.json is missing")]
        for info in infos:
            issues.extend(_member(archive, info, ctx))
    return issues


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: AnalyzeContext) -> list[Issue]:
    name = info.filename
    if info.is_dir():
        return []
    if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
        return [malformed(_FORMAT, f"member name {short(name, 80)!r} escapes the archive",
                          where=name)]
    try:
        if name in (_CONFIG, _METADATA):
            data = _read(archive, info, ctx.limits.max_metadata_bytes)
            parsed = parse_config(data, name)
            if name == _METADATA:
                return [] if isinstance(parsed, dict) else [
                    malformed(_FORMAT, "metadata.json is not a JSON object", where=name)]
            return check_config(parsed, "config")
        return _nested(archive, info, ctx)
    except FormatError as exc:
        return [malformed(_FORMAT, str(exc), where=name)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError,
            EOFError, NotImplementedError, RuntimeError) as exc:
        return [malformed(_FORMAT, f"member unreadable ({exc})", where=name)]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A member's bytes, refusing members above ``cap`` whatever their header claims."""
    if info.file_size > cap:
        raise FormatError(f"member is {info.file_size} bytes, over the limit of {cap}")
    with archive.open(info) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        raise FormatError(f"member inflates past the limit of {cap} bytes")
    return data


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: IO[bytes], cap: int) -> int:
    """Copy a member into ``out`` in chunks, refusing more than ``cap`` bytes."""
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            total += len(chunk)
            if total > cap:
                raise FormatError(f"member inflates past the limit of {cap} bytes")
            out.write(chunk)
    return total


def _nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: AnalyzeContext) -> list[Issue]:
    """Hand a weights or asset member to the scanner, within the nesting and size limits."""
    if ctx.nested is None or ctx.depth >= ctx.limits.max_nesting:
        return []
    if info.file_size > ctx.limits.max_member_bytes:
        return [Issue(
            rule_id=UNSCANNABLE, severity=Severity.LOW,
            message=(f"member of {info.file_size} bytes not scanned: over the limit of "
                     f"{ctx.limits.max_member_bytes}"),
            where=info.filename, evidence=f"{info.file_size} bytes",
        )]
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        size = _copy(archive, info, spool, ctx.limits.max_member_bytes)
        spool.seek(0)
        found = ctx.nested(cast(BinaryIO, spool), size, info.filename)
    return [issue if issue.where.startswith(info.filename)
            else replace(issue, where=" › ".join(p for p in (info.filename, issue.where) if p))
            for issue in found]


FORMAT = FormatSpec(name="keras-v3", analyze=analyze, sniff_zip=sniff_zip)

__all__ = ["FORMAT", "analyze", "sniff_zip"]
