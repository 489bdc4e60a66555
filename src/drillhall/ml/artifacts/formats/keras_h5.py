"""Keras HDF5 models (``.h5``): the ``model_config`` attribute, read with h5py, never Keras.

h5py is an optional dependency (``drillhall[ml]``); without it the file is reported as not
scanned rather than clean.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import BinaryIO, cast

from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats._common import FormatError, malformed, unscannable
from drillhall.ml.artifacts.formats.keras_config import check_config, parse_config

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_FORMAT = "Keras HDF5"
_CONFIG_ATTRS = ("model_config", "training_config")
_SPOOL_BYTES = 16 * 1024 * 1024


def sniff(head: bytes) -> bool:
    """HDF5 signature at byte 0, 512, 1024, 2048, … (a user block may precede it)."""
    offset = 0
    while offset + len(HDF5_MAGIC) <= len(head):
        if head[offset:offset + len(HDF5_MAGIC)] == HDF5_MAGIC:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Lambda layers and custom objects in the model and training configurations.

    An HDF5 file without ``model_config`` (a weights-only file or plain data) has no config
    that could name code, so it yields no issue.
    """
    try:
        import h5py  # type: ignore[import-untyped]
    except ImportError:
        return [unscannable(_FORMAT, "h5py")]
    try:
        with _random_access(stream, ctx.limits.max_member_bytes) as source:
            texts = _read_configs(h5py, source, ctx.limits.max_metadata_bytes)
    except FormatError as exc:
        return [malformed(_FORMAT, str(exc))]
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, OverflowError) as exc:
        return [malformed(_FORMAT, f"HDF5 structure unreadable ({type(exc).__name__}: {exc})")]
    issues: list[Issue] = []
    for name, raw in texts:
        try:
            issues.extend(check_config(parse_config(raw, f"attribute {name}"), name))
        except FormatError as exc:
            issues.append(malformed(_FORMAT, str(exc), where=name))
    return issues


@contextmanager
def _random_access(stream: BinaryIO, cap: int) -> Iterator[BinaryIO]:
    """``stream`` itself when seeking it is cheap (a file or bytes in memory), else a bounded
    copy: HDF5 reads jump around, and seeking back in a compressed archive member restarts
    its decompression each time."""
    if isinstance(stream, io.BytesIO | io.BufferedReader | io.FileIO):
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        total = 0
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > cap:
                raise FormatError(f"file is larger than the limit of {cap} bytes")
            spool.write(chunk)
        spool.seek(0)
        yield cast(BinaryIO, spool)


def _read_configs(h5py: ModuleType, stream: BinaryIO, cap: int) -> list[tuple[str, bytes]]:
    """The raw JSON of each configuration attribute present, refusing oversized ones."""
    out: list[tuple[str, bytes]] = []
    with h5py.File(stream, "r") as handle:
        attrs = handle.attrs
        for name in _CONFIG_ATTRS:
            if name not in attrs:
                continue
            stored = attrs.get_id(name).get_storage_size()
            if stored > cap:
                raise FormatError(f"attribute {name} is {stored} bytes, over the limit of {cap}")
            raw = _as_bytes(attrs[name], name)
            if len(raw) > cap:  # variable-length strings report only their descriptor size
                raise FormatError(f"attribute {name} is {len(raw)} bytes, over the limit of {cap}")
            out.append((name, raw))
    return out


def _as_bytes(value: object, name: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    item = getattr(value, "item", None)  # numpy scalar or one-element array
    if callable(item):
        try:
            inner = item()
        except ValueError:
            inner = None
        if isinstance(inner, bytes | str):
            return _as_bytes(inner, name)
    raise FormatError(f"attribute {name} is not text but {type(value).__name__}")


FORMAT = FormatSpec(name="keras-h5", analyze=analyze, sniff=sniff)
