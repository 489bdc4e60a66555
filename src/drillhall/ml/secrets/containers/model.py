"""What the container readers yield: :class:`Blob` (text to scan) and :class:`Skip` (what was
not scanned, and why), and the :class:`Limits` that bound the work on hostile input."""

from __future__ import annotations

from dataclasses import dataclass, fields

from drillhall.errors import ConfigError, InputError

KiB = 1 << 10
MiB = 1 << 20

#: Characters two consecutive chunks of a long text share, so that a key cut by a chunk
#: boundary is still whole in one of them (capped at a quarter of ``max_file_bytes``).
CHUNK_OVERLAP = 4 * KiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work done for one input file; every field is a positive integer.

    ``max_file_bytes`` (16 MiB)
        text longer than this is yielded as several :class:`Blob` chunks, each with its
        ``first_line`` and sharing :data:`CHUNK_OVERLAP` characters with the previous one.
    ``max_scan_bytes`` (256 MiB)
        a file, archive member or history blob larger than this is not read at all; a
        :class:`Skip` says so. Archives on disk are exempt (their members are not).
    ``max_archive_members`` (10 000)
        members visited under one top-level archive, nested archives included; past it the
        rest is skipped as hostile.
    ``max_archive_depth`` (4)
        archives (and compressed streams) opened inside one another; a deeper one is skipped
        as hostile (quines, nested bombs).
    ``max_total_uncompressed`` (512 MiB)
        bytes decompressed under one top-level archive, nested archives included.
    ``max_ratio`` (100)
        a member too large to read (over ``max_scan_bytes`` or what is left of
        ``max_total_uncompressed``) that declares, or shows, more than this many bytes out
        per compressed byte is reported as a zip bomb (hostile); it is never decompressed
        past the limits either way.
    """

    max_file_bytes: int = 16 * MiB
    max_scan_bytes: int = 256 * MiB
    max_archive_members: int = 10_000
    max_archive_depth: int = 4
    max_total_uncompressed: int = 512 * MiB
    max_ratio: int = 100

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"secrets limit {f.name} must be a positive integer, "
                                  f"not {value!r}")

    @property
    def overlap(self) -> int:
        """Characters shared by consecutive chunks of one long text."""
        return min(CHUNK_OVERLAP, self.max_file_bytes // 4)


@dataclass(frozen=True, slots=True)
class Blob:
    """Text to scan, and where it came from.

    ``path`` is relative to the scan root; archive members are written ``app.apk!/classes.dex``
    and nested members ``outer.zip!/inner.jar!/a.properties``. ``has_lines`` is false for text
    made from a binary (printable strings, DEX string tables, decoded binary XML): its line
    numbers mean nothing to a reader of the original file. ``first_line`` is the 1-based line
    of the original file on which ``text`` starts (chunks of a long text). ``commit`` is set
    for blobs read from git history: the first commit found that holds this content.
    """

    path: str
    text: str
    has_lines: bool = True
    first_line: int = 1
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Something that was not scanned (wholly or in part), with a one-sentence reason.

    ``hostile`` marks input that looks built to hurt a scanner or hide from it: zip bombs,
    nesting too deep, path-traversal member names, malformed or truncated archives and
    binary formats, too many members.
    """

    path: str
    reason: str
    hostile: bool = False


class Malformed(InputError):
    """Content that does not follow its own format; the message says what is wrong where.

    Raised by the format parsers and turned into a hostile :class:`Skip` by the readers;
    it never leaves :func:`~drillhall.ml.secrets.containers.expand`.
    """
