"""Telling formats apart by their first bytes, never by the file name."""

from __future__ import annotations

from enum import Enum

from drillhall.ml.secrets.containers.dex import is_dex
from drillhall.ml.secrets.containers.plists import BPLIST_MAGIC
from drillhall.ml.secrets.containers.resxml import ARSC_MAGIC, AXML_MAGIC
from drillhall.ml.secrets.containers.text import detect_encoding

#: Bytes of a file looked at to decide its format.
HEAD = 8192

_TAR_BLOCK = 512


class Kind(Enum):
    """What a piece of content is."""

    ZIP = "zip"
    TAR = "tar"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    DEX = "DEX"
    AXML = "Android binary XML"
    ARSC = "Android resource table"
    BPLIST = "binary property list"
    TEXT = "text"
    BINARY = "binary"
    SEVEN_ZIP = "7-Zip"
    RAR = "RAR"
    ZSTD = "Zstandard"

    @property
    def is_archive(self) -> bool:
        """Whether the kind holds other files (or one compressed file)."""
        return self in _ARCHIVES

    @property
    def is_compressed(self) -> bool:
        """Whether the kind is one compressed stream (which may hold a tar)."""
        return self in (Kind.GZIP, Kind.BZIP2, Kind.XZ)

    @property
    def unreadable(self) -> bool:
        """Archive formats the standard library cannot read."""
        return self in (Kind.SEVEN_ZIP, Kind.RAR, Kind.ZSTD)


_ARCHIVES = frozenset({Kind.ZIP, Kind.TAR, Kind.GZIP, Kind.BZIP2, Kind.XZ})

_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"PK\x03\x04", Kind.ZIP),
    (b"PK\x05\x06", Kind.ZIP),
    (b"PK\x07\x08", Kind.ZIP),
    (b"\x1f\x8b", Kind.GZIP),
    (b"BZh", Kind.BZIP2),
    (b"\xfd7zXZ\x00", Kind.XZ),
    (BPLIST_MAGIC, Kind.BPLIST),
    (AXML_MAGIC, Kind.AXML),
    (ARSC_MAGIC, Kind.ARSC),
    (b"7z\xbc\xaf\x27\x1c", Kind.SEVEN_ZIP),
    (b"Rar!\x1a\x07", Kind.RAR),
    (b"\x28\xb5\x2f\xfd", Kind.ZSTD),
)


def is_tar(head: bytes) -> bool:
    """Whether ``head`` starts with a tar header (POSIX/GNU magic, or a valid old-style
    header checksum)."""
    if len(head) < _TAR_BLOCK:
        return False
    if head[257:262] == b"ustar":
        return True
    block = head[:_TAR_BLOCK]
    if not block[0] or block[0] == 0xFF:
        return False
    field = block[148:156].replace(b"\0", b" ").strip()
    try:
        stored = int(field, 8)
    except ValueError:
        return False
    computed = sum(block[:148]) + 8 * 0x20 + sum(block[156:])
    return stored == computed


def sniff(head: bytes) -> tuple[Kind, str | None]:
    """The kind of content starting with ``head``, and for text the codec to decode it."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind is Kind.BZIP2 and not head[3:4].isdigit():
                continue
            return kind, None
    if is_dex(head):
        return Kind.DEX, None
    if is_tar(head):
        return Kind.TAR, None
    codec = detect_encoding(head)
    if codec is None:
        return Kind.BINARY, None
    return Kind.TEXT, codec
