"""Telling model formats and their wrappers apart by content, never by file name."""

from __future__ import annotations

from enum import Enum

from drillhall.ml.artifacts.numpy_formats import sniff_npy
from drillhall.ml.artifacts.pickle_scan import probe

#: Bytes of a file given to sniffers.
HEAD = 64 * 1024


class Kind(Enum):
    """What a file is, as far as the scanner's own readers go."""

    ZIP = "zip"
    TAR = "tar"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    SEVEN_ZIP = "7-Zip"
    ZLIB = "zlib"
    NPY = "numpy .npy"
    PICKLE = "pickle"
    OTHER = "other"


_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"PK\x03\x04", Kind.ZIP), (b"PK\x05\x06", Kind.ZIP), (b"\x1f\x8b", Kind.GZIP),
    (b"BZh", Kind.BZIP2), (b"\xfd7zXZ\x00", Kind.XZ), (b"7z\xbc\xaf\x27\x1c", Kind.SEVEN_ZIP),
)

#: zlib stream headers (joblib's compress= default writes a bare zlib stream).
_ZLIB = frozenset({b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"})


def is_tar(head: bytes) -> bool:
    """Whether a block looks like a tar header (POSIX ``ustar`` or a valid old-style one)."""
    if len(head) < 512:
        return False
    if head[257:262] == b"ustar":
        return True
    chk = head[148:156].strip(b" \x00")
    if not chk or not chk.isdigit() or head[0] == 0:
        return False
    total = sum(head[:148]) + 8 * 32 + sum(head[156:512])
    return int(chk, 8) == total


def sniff(head: bytes) -> Kind:
    """The kind of content that starts with ``head``; :attr:`Kind.OTHER` if none of ours."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if sniff_npy(head):
        return Kind.NPY
    if is_tar(head[:512]):
        return Kind.TAR
    if head[:2] in _ZLIB:
        return Kind.ZLIB
    if head[:1] == b"\x80" and probe(head):
        return Kind.PICKLE
    return Kind.OTHER


def weak_pickle(head: bytes) -> bool:
    """Whether content none of the strong sniffers claimed reads as a protocol 0/1 pickle."""
    return probe(head)
