"""Reading archives in memory, with limits: zip family, tar, and gzip/bzip2/xz streams.

Nothing is ever extracted to disk. Each member is read into memory up to a cap and handed
back to the dispatcher (``recurse``) under the display path ``archive!/member``. Declared
sizes are checked first (a zip member that claims to expand more than
:attr:`Limits.max_ratio` times is not opened), and actual decompressed bytes are counted as
they come (a member that lies about its size stops at the cap or fails its CRC check).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from drillhall.ml.secrets.containers.budget import (
    BoundedReader,
    Budget,
    CountingReader,
    OverBudget,
    Recurse,
)
from drillhall.ml.secrets.containers.model import Blob, MiB, Skip
from drillhall.ml.secrets.containers.sniff import Kind, is_tar

Item = Blob | Skip

#: Exceptions that mean "this archive is broken", from zipfile, tarfile and the codecs.
ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, EOFError, OSError, zlib.error,
    lzma.LZMAError, ValueError, struct.error, NotImplementedError, UnicodeError, IndexError,
    KeyError, OverflowError, RuntimeError,
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = b"PK\x05\x06"
_SUFFIXES = {".gz": "", ".tgz": ".tar", ".gzip": "", ".z": "", ".bz2": "", ".tbz2": ".tar",
             ".tbz": ".tar", ".xz": "", ".txz": ".tar"}


def member_display(display: str, name: str) -> str:
    """``archive!/member``, with control characters in a hostile name escaped."""
    if not name.isprintable():
        name = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
    return f"{display}!/{name}"


def escapes_root(name: str) -> bool:
    """Whether a member name is absolute or climbs out of the archive (``..``)."""
    posix = name.replace("\\", "/")
    return posix.startswith("/") or bool(_DRIVE.match(posix)) or ".." in posix.split("/")


def _traversal(path: str) -> Skip:
    return Skip(path, "member name points outside the archive (path traversal); it was read "
                      "in memory only", hostile=True)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- zip ------------------------------------------------------------------------------------


def _central_directory(stream: BinaryIO, size: int) -> tuple[int, int] | None:
    """``(entries, bytes)`` declared by the end-of-central-directory record, if found."""
    tail_len = min(size, 65536 + 22)
    stream.seek(size - tail_len)
    tail = stream.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    return entries, cd_size


def is_embedded_zip(stream: BinaryIO, size: int, max_members: int) -> bool:
    """Whether a file that does not start like a zip still is one, with data in front of it
    (Python zipapps after their ``#!`` line, self-extracting executables, "really
    executable" jars). Only a directory that opens cleanly counts, so a binary that merely
    contains the end-of-directory bytes is still read as a binary."""
    found = _central_directory(stream, size)
    stream.seek(0)
    if found is None or found[0] == 0 or found[0] > 4 * max_members:
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            ok = bool(archive.infolist())
    except ARCHIVE_ERRORS:
        ok = False
    stream.seek(0)
    return ok


def zip_members(stream: BinaryIO, size: int, display: str, budget: Budget, depth: int,
                recurse: Recurse) -> Iterator[Item]:
    """Every member of the zip archive in ``stream`` (seekable, ``size`` bytes long)."""
    limits = budget.limits
    declared = _central_directory(stream, size)
    if declared is not None:
        entries, cd_size = declared
        most = 4 * limits.max_archive_members
        if (entries != 0xFFFF and entries > most) or (cd_size != 0xFFFFFFFF
                                                      and cd_size > most * 1024):
            yield Skip(display, f"zip archive declares {entries} members in a {cd_size}-byte "
                                f"directory, far over the limit of "
                                f"{limits.max_archive_members}; not opened", hostile=True)
            return
    try:
        stream.seek(0)
        archive = zipfile.ZipFile(stream)
    except ARCHIVE_ERRORS as exc:
        yield Skip(display, f"malformed or truncated zip archive ({_describe(exc)})",
                   hostile=True)
        return
    with archive:
        yield from _zip_entries(archive, display, budget, depth, recurse)


def _zip_entries(archive: zipfile.ZipFile, display: str, budget: Budget, depth: int,
                 recurse: Recurse) -> Iterator[Item]:
    limits = budget.limits
    for info in archive.infolist():
        if info.is_dir():
            continue
        path = member_display(display, info.filename)
        if not budget.count_member():
            yield Skip(display, f"more than {limits.max_archive_members} archive members; "
                                "the rest were not read", hostile=True)
            return
        if escapes_root(info.filename):
            yield _traversal(path)
        if info.flag_bits & 0x1:
            yield Skip(path, "member is encrypted and cannot be read")
            continue
        cap = budget.member_cap()
        if info.file_size > cap:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                yield Skip(path, f"zip bomb: member declares {info.file_size} bytes from "
                                 f"{info.compress_size} compressed (ratio {ratio:.0f}, limit "
                                 f"{limits.max_ratio}); not decompressed", hostile=True)
            else:
                yield _too_big(path, info.file_size, budget)
            continue
        try:
            with archive.open(info) as member:
                data = member.read(cap + 1)
        except ARCHIVE_ERRORS as exc:
            yield Skip(path, f"member cannot be read: malformed or truncated "
                             f"({_describe(exc)})", hostile=True)
            continue
        if len(data) > cap:
            yield Skip(path, f"member decompresses to more than its declared "
                             f"{info.file_size} bytes; stopped at {cap}", hostile=True)
            continue
        budget.bytes_left -= len(data)
        yield from recurse(data, path, depth)


def _too_big(path: str, size: int, budget: Budget) -> Skip:
    limits = budget.limits
    if size > limits.max_scan_bytes:
        return Skip(path, f"member is {size / MiB:.1f} MiB, over the "
                          f"{limits.max_scan_bytes / MiB:.0f} MiB scan limit; not read")
    return Skip(path, f"member would take the archive past its "
                      f"{limits.max_total_uncompressed / MiB:.0f} MiB uncompressed limit; "
                      "not read", hostile=True)


# -- tar ------------------------------------------------------------------------------------


def tar_members(stream: BinaryIO, display: str, budget: Budget, depth: int, recurse: Recurse,
                *, size: int | None = None,
                compressed: CountingReader | None = None) -> Iterator[Item]:
    """Every regular file of the tar archive in ``stream``.

    With ``size`` the stream is a seekable, uncompressed tar (members that are not read are
    seeked over, and a missing end-of-archive marker is reported). Without it the stream is
    decompressed data read once, front to back, charged to the budget as it is read;
    ``compressed`` counts the compressed bytes behind it (to tell a bomb from a big archive).
    """
    limits = budget.limits
    try:
        archive = tarfile.open(  # noqa: SIM115 - closed in the finally below
            fileobj=stream, mode="r:" if size is not None else "r|")
    except OverBudget:
        yield Skip(display, "archive lies beyond its uncompressed limit; not read",
                   hostile=True)
        return
    except ARCHIVE_ERRORS as exc:
        yield Skip(display, f"malformed or truncated tar archive ({_describe(exc)})",
                   hostile=True)
        return
    try:
        for info in archive:
            path = member_display(display, info.name)
            if info.issym() or info.islnk():
                if escapes_root(info.linkname) or escapes_root(info.name):
                    yield Skip(path, "link points outside the archive (path traversal); "
                                     "not followed", hostile=True)
                continue
            if not info.isreg():
                continue
            if not budget.count_member():
                yield Skip(display, f"more than {limits.max_archive_members} archive members; "
                                    "the rest were not read", hostile=True)
                return
            if escapes_root(info.name):
                yield _traversal(path)
            cap = budget.member_cap()
            if info.size > cap:
                yield _too_big(path, info.size, budget)
                if size is None and info.size > budget.bytes_left:
                    # skipping it in a stream means decompressing it: stop here instead
                    yield Skip(display, "the rest of the archive lies beyond its "
                                        "uncompressed limit; not read", hostile=True)
                    return
                continue
            member = archive.extractfile(info)
            if member is None:
                continue
            data = member.read(cap + 1)
            if size is not None:
                budget.bytes_left -= len(data)
            yield from recurse(data, path, depth)
        if size is not None and size - archive.offset < tarfile.BLOCKSIZE:
            yield Skip(display, "tar archive ends without its end-of-archive marker "
                                "(truncated?)", hostile=True)
    except OverBudget:
        used = limits.max_total_uncompressed
        ratio = used / max(compressed.count, 1) if compressed is not None else 0.0
        bomb = ratio > limits.max_ratio
        what = f"compression bomb (ratio over {ratio:.0f}): " if bomb else ""
        yield Skip(display, f"{what}archive expands beyond its {used / MiB:.0f} MiB "
                            "uncompressed limit; the rest was not read", hostile=bomb)
    except ARCHIVE_ERRORS as exc:
        yield Skip(display, f"malformed or truncated tar archive ({_describe(exc)})",
                   hostile=True)
    finally:
        archive.close()


# -- gzip, bzip2, xz ------------------------------------------------------------------------


def _decompressor(kind: Kind, raw: BinaryIO) -> BinaryIO:
    if kind is Kind.GZIP:
        return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind is Kind.BZIP2:
        return cast(BinaryIO, bz2.BZ2File(raw, mode="rb"))
    return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb"))


def inner_name(display: str) -> str:
    """The name of the file inside ``name.gz``: ``name`` (``x.tgz`` → ``x.tar``)."""
    base = PurePosixPath(display.rsplit("!/", 1)[-1]).name or "content"
    stem, dot, ext = base.rpartition(".")
    suffix = f".{ext.lower()}"
    if dot and stem and suffix in _SUFFIXES:
        return stem + _SUFFIXES[suffix]
    return base


def _gzip_declared_size(stream: BinaryIO) -> tuple[int, int] | None:
    """``(uncompressed, compressed)`` sizes of a gzip file from its trailer (ISIZE).

    Only a hint: it is the size modulo 4 GiB of the last member, and garbage in a truncated
    file. Reads stop at the cap whatever it says."""
    size = stream.seek(0, 2)
    if size < 18:
        return None
    stream.seek(size - 4)
    (isize,) = struct.unpack("<I", stream.read(4))
    stream.seek(0)
    return isize, size


def compressed_members(stream: BinaryIO, kind: Kind, display: str, budget: Budget,
                       depth: int, recurse: Recurse) -> Iterator[Item]:
    """The content of one gzip/bzip2/xz stream: a tar's members, or the single file."""
    limits = budget.limits
    try:
        stream.seek(0)
        with _decompressor(kind, stream) as peek:
            head = peek.read(tarfile.BLOCKSIZE)
        stream.seek(0)
    except ARCHIVE_ERRORS as exc:
        yield Skip(display, f"malformed or truncated {kind.value} stream ({_describe(exc)})",
                   hostile=True)
        return
    counted = CountingReader(stream)
    with _decompressor(kind, cast(BinaryIO, counted)) as plain:
        bounded = cast(BinaryIO, BoundedReader(plain, budget))
        if is_tar(head):
            yield from tar_members(bounded, display, budget, depth, recurse,
                                   compressed=counted)
            return
        path = member_display(display, inner_name(display))
        cap = budget.member_cap()
        declared = _gzip_declared_size(stream) if kind is Kind.GZIP else None
        if declared is not None and declared[0] > cap:
            # The trailer says it will not fit: do not decompress it to find out.
            ratio = declared[0] / declared[1]
            bomb = ratio > limits.max_ratio
            what = f"compression bomb (ratio {ratio:.0f}): " if bomb else ""
            yield Skip(path, f"{what}gzip stream declares {declared[0]} bytes, more than "
                             f"the {cap} that may be read; not decompressed", hostile=bomb)
            return
        try:
            data = plain.read(cap + 1)
        except ARCHIVE_ERRORS as exc:
            yield Skip(display, f"malformed or truncated {kind.value} stream "
                                f"({_describe(exc)})", hostile=True)
            return
        if len(data) > cap:
            # Nothing past the cap was read. The ratio seen so far understates (the
            # decompressor reads ahead); a gzip stream that gets here declared a size that
            # fits, so it lied about it.
            ratio = len(data) / max(counted.count, 1)
            bomb = ratio > limits.max_ratio or kind is Kind.GZIP  # its trailer lied
            what = f"compression bomb (ratio over {ratio:.0f}): " if bomb else ""
            yield Skip(path, f"{what}decompresses to more than {cap} bytes; not scanned",
                       hostile=bomb)
            return
        budget.bytes_left -= len(data)
        yield from recurse(data, path, depth)
