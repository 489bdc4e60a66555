"""From one file (or one in-memory blob) to the text to scan: the format dispatcher.

The format is decided by content (:func:`~drillhall.ml.secrets.containers.sniff.sniff`),
then: text is decoded (chunked when long), archives are opened in memory with limits and
their members dispatched again, Android and Apple binary formats are decoded to text, and
any other binary gives its printable strings. Whatever cannot be read becomes a
:class:`Skip`; a malformed structured file is also scanned for printable strings, so that a
broken (or deliberately broken) file is never reported clean without a look.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from drillhall.ml.secrets.containers.archives import (
    compressed_members,
    is_embedded_zip,
    tar_members,
    zip_members,
)
from drillhall.ml.secrets.containers.budget import Budget
from drillhall.ml.secrets.containers.dex import dex_strings
from drillhall.ml.secrets.containers.model import Blob, Limits, Malformed, MiB, Skip
from drillhall.ml.secrets.containers.plists import is_xml_plist, plist_text
from drillhall.ml.secrets.containers.resxml import arsc_strings, axml_text
from drillhall.ml.secrets.containers.sniff import HEAD, Kind, sniff
from drillhall.ml.secrets.containers.text import (
    chunk_text,
    decode,
    printable_strings,
    read_text,
    stream_strings,
)

Item = Blob | Skip

# Non-blocking, so that a FIFO swapped in for a file cannot hang the scan before fstat.
_O_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def expand(path: Path, display: str, limits: Limits = Limits()) -> Iterator[Item]:  # noqa: B008
    """The text to scan in the file at ``path``, shown as ``display``, and what was skipped.

    The format is detected from the content. Never raises for bad content: unreadable,
    oversized, malformed or hostile input becomes a :class:`Skip`. Work and memory are
    bounded by ``limits`` (see :class:`Limits`).
    """
    try:
        fd = os.open(path, _O_FLAGS)
    except OSError as exc:
        yield Skip(display, _unreadable(path, exc))
        return
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        yield Skip(display, _unreadable(path, None) if stat.S_ISDIR(info.st_mode)
                   else "not a regular file; not read")
        return
    with os.fdopen(fd, "rb") as stream:
        try:
            yield from _expand_open(stream, info.st_size, display, Budget(limits))
        except OSError as exc:
            yield Skip(display, f"read failed: {exc.strerror or exc}")


def _unreadable(path: Path, exc: OSError | None) -> str:
    if path.is_dir():
        try:
            next(path.iterdir(), None)
        except OSError as inner:
            return f"directory cannot be listed: {inner.strerror or inner}"
        return "is a directory; not read"
    return f"cannot be opened: {exc.strerror or exc}" if exc else "cannot be opened"


def _expand_open(stream: BinaryIO, size: int, display: str, budget: Budget) -> Iterator[Item]:
    """A file on disk: small ones are read once and dispatched; large ones are streamed."""
    limits = budget.limits
    if size <= limits.max_file_bytes:
        yield from expand_bytes(stream.read(limits.max_file_bytes + 1), display, budget, 0)
        return
    head = stream.read(HEAD)
    stream.seek(0)
    kind, codec = sniff(head)
    if kind is Kind.BINARY and is_embedded_zip(stream, size, limits.max_archive_members):
        kind = Kind.ZIP
    if kind is Kind.ZIP:
        yield from _archive(display, budget, 0, lambda d: zip_members(
            stream, size, display, budget, d, _recurse(budget)))
        return
    if kind is Kind.TAR:
        yield from _archive(display, budget, 0, lambda d: tar_members(
            stream, display, budget, d, _recurse(budget), size=size))
        return
    if kind.is_compressed:
        yield from _archive(display, budget, 0, lambda d: compressed_members(
            stream, kind, display, budget, d, _recurse(budget)))
        return
    if kind.unreadable:
        yield Skip(display, f"{kind.value} archives are not supported; not scanned")
        return
    if size > limits.max_scan_bytes:
        yield Skip(display, f"file is {size / MiB:.1f} MiB, over the "
                            f"{limits.max_scan_bytes / MiB:.0f} MiB scan limit; not scanned")
        return
    if kind is Kind.TEXT and codec is not None and not is_xml_plist(head):
        yield from chunk_text(read_text(stream, codec, limits), display, limits)
    elif kind is Kind.BINARY:
        yield from chunk_text(stream_strings(stream, limits), display, limits, has_lines=False)
    else:
        yield from expand_bytes(stream.read(limits.max_scan_bytes + 1), display, budget, 0)


def _recurse(budget: Budget) -> Callable[[bytes, str, int], Iterator[Item]]:
    def recurse(data: bytes, display: str, depth: int) -> Iterator[Item]:
        return expand_bytes(data, display, budget, depth)
    return recurse


def _archive(display: str, budget: Budget, depth: int,
             members: Callable[[int], Iterator[Item]]) -> Iterator[Item]:
    """Open an archive at ``depth`` unless that is deeper than the limit allows."""
    limit = budget.limits.max_archive_depth
    if depth >= limit:
        yield Skip(display, f"archive nested more than {limit} levels deep; not opened",
                   hostile=True)
        return
    yield from members(depth + 1)


def expand_bytes(data: bytes, display: str, budget: Budget, depth: int) -> Iterator[Item]:
    """The text to scan in ``data`` (a small file, an archive member, a git blob)."""
    if not data:
        return
    limits = budget.limits
    if len(data) > limits.max_scan_bytes:
        yield Skip(display, f"content is over the {limits.max_scan_bytes / MiB:.0f} MiB scan "
                            "limit; not scanned")
        return
    kind, codec = sniff(data[:HEAD])
    if kind is Kind.TEXT and codec is not None:
        yield from _text_or_plist(data, codec, display, limits)
        return
    stream = io.BytesIO(data)
    if kind is Kind.BINARY and is_embedded_zip(stream, len(data), limits.max_archive_members):
        kind = Kind.ZIP
    if kind.is_archive:
        recurse = _recurse(budget)
        if kind is Kind.ZIP:
            def members(d: int) -> Iterator[Item]:
                return zip_members(stream, len(data), display, budget, d, recurse)
        elif kind is Kind.TAR:
            def members(d: int) -> Iterator[Item]:
                return tar_members(stream, display, budget, d, recurse, size=len(data))
        else:
            def members(d: int) -> Iterator[Item]:
                return compressed_members(stream, kind, display, budget, d, recurse)
        yield from _archive(display, budget, depth, members)
        return
    if kind.unreadable:
        yield Skip(display, f"{kind.value} archives are not supported; not scanned")
        return
    yield from _structured(data, kind, display, limits)


def _text_or_plist(data: bytes, codec: str, display: str, limits: Limits) -> Iterator[Item]:
    """Text as is, except an XML property list, which is flattened like a binary one."""
    if is_xml_plist(data[:HEAD]):
        try:
            text, complete = plist_text(data, limits.max_file_bytes)
        except Malformed:
            pass  # not a valid plist after all: scan it as the text it is
        else:
            if not complete:
                yield Skip(display, "property list expands beyond the size limit; the rest "
                                    "was not scanned", hostile=True)
            yield from _text(text, display, limits, has_lines=False)
            return
    if len(data) > limits.max_file_bytes:  # decode piece by piece: bounded extra memory
        yield from chunk_text(read_text(io.BytesIO(data), codec, limits), display, limits)
        return
    yield from _text(decode(data, codec), display, limits)


def _text(text: str, display: str, limits: Limits, *, has_lines: bool = True) -> Iterator[Blob]:
    if len(text) <= limits.max_file_bytes:
        if text:
            yield Blob(display, text, has_lines)
        return
    yield from chunk_text((text,), display, limits, has_lines=has_lines)


def _structured(data: bytes, kind: Kind, display: str, limits: Limits) -> Iterator[Item]:
    """Binary formats decoded to text; anything else (or anything malformed) as strings."""
    try:
        if kind is Kind.DEX:
            text = "\n".join(dex_strings(data))
        elif kind is Kind.AXML:
            text = axml_text(data)
        elif kind is Kind.ARSC:
            text = "\n".join(arsc_strings(data))
        elif kind is Kind.BPLIST:
            text, complete = plist_text(data, limits.max_file_bytes)
            if not complete:
                yield Skip(display, "property list expands beyond the size limit; the rest "
                                    "was not scanned", hostile=True)
        else:
            yield from _strings(data, display, limits)
            return
    except Malformed as exc:
        yield Skip(display, f"malformed {kind.value} file ({exc}); scanned its printable "
                            "strings instead", hostile=True)
        yield from _strings(data, display, limits)
        return
    yield from _text(text, display, limits, has_lines=False)


def _strings(data: bytes, display: str, limits: Limits) -> Iterator[Blob]:
    """Printable strings of a binary; a long one is read in windows (bounded extra memory)."""
    if len(data) <= limits.max_file_bytes:
        yield from _text("\n".join(printable_strings(data)), display, limits, has_lines=False)
    else:
        pieces = stream_strings(io.BytesIO(data), limits)
        yield from chunk_text(pieces, display, limits, has_lines=False)
