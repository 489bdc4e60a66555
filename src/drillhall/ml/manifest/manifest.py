"""The inventory of a directory of model and data files: what is there, byte for byte.

:func:`create_manifest` walks a directory and records every selected file with its relative
POSIX path, SHA-256 (read in 1 MiB chunks, so a 50 GB checkpoint costs 1 MiB of memory) and
size. Symbolic links are recorded as links with their target text and are never followed, so
a link cannot pull a file from outside the directory into the inventory. ``.git/`` and the
manifest file itself are always left out.

A :class:`Manifest` is plain data; :meth:`Manifest.canonical_bytes` is its one serialisation
(sorted keys, no whitespace, ASCII) and the exact bytes a signature covers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from drillhall.core.drill import ProgressCallback
from drillhall.errors import InputError

SCHEMA = "drillhall/manifest/v1"
DEFAULT_MANIFEST_NAME = "drillhall-manifest.json"
CHUNK = 1 << 20
ALWAYS_SKIPPED_DIRS = frozenset({".git"})

Progress = ProgressCallback
"""``progress(message, fraction)`` as in :mod:`drillhall.core.drill`."""


class EntryType(StrEnum):
    """What kind of directory entry a manifest line records."""

    FILE = "file"
    SYMLINK = "symlink"
    OTHER = "other"
    """A FIFO, socket or device: recorded so that a file swapped for one is noticed, never read."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One entry of a manifest. ``sha256`` and ``size`` are set for files, ``target`` (the
    link's text, never resolved) for symbolic links."""

    path: str
    type: EntryType = EntryType.FILE
    sha256: str | None = None
    size: int | None = None
    target: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of this entry (only the fields its type uses)."""
        out: dict[str, Any] = {"path": self.path, "type": self.type.value}
        if self.type is EntryType.FILE:
            out["sha256"] = self.sha256
            out["size"] = self.size
        elif self.type is EntryType.SYMLINK:
            out["target"] = self.target
        return out

    def short(self) -> str:
        """A few words for evidence: ``sha256 1a2b3c4d5e6f, 120 bytes`` or ``symlink → x``."""
        if self.type is EntryType.FILE:
            return f"sha256 {(self.sha256 or '')[:12]}, {self.size} bytes"
        if self.type is EntryType.SYMLINK:
            return f"symlink to {self.target!r}"
        return "special file"


@dataclass(frozen=True, slots=True)
class Manifest:
    """A signed-to-be inventory: schema, creation time (UTC ISO-8601), the directory's name,
    the selection globs used, and the entries sorted by path."""

    created: str
    root: str
    files: tuple[FileEntry, ...]
    include: tuple[str, ...] = ("**/*",)
    exclude: tuple[str, ...] = ()
    schema: str = SCHEMA
    by_path: Mapping[str, FileEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_path", {f.path: f for f in self.files})

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of the manifest."""
        return {
            "schema": self.schema, "created": self.created, "root": self.root,
            "include": list(self.include), "exclude": list(self.exclude),
            "files": [f.as_dict() for f in self.files],
        }

    def canonical_bytes(self) -> bytes:
        """The canonical serialisation: the bytes that get signed."""
        return canonical_json(self.as_dict())


def canonical_json(obj: Any) -> bytes:
    """``obj`` as JSON with sorted keys, no insignificant whitespace and ASCII escapes only,
    so equal objects always give equal bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


# --- selection -------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob to a regex over POSIX relative paths.

    ``*`` and ``?`` stay within one path segment, ``**`` spans segments (``a/**`` is
    everything under ``a``, ``**/x`` is ``x`` at any depth) and ``[…]`` is a character class.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def glob_match(pattern: str, path: str) -> bool:
    """Whether the relative POSIX ``path`` matches ``pattern``. A pattern without ``/``
    matches the file name at any depth (``*.tmp``); others match the whole path."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern:
        return _glob_regex(pattern).match(path.rsplit("/", 1)[-1]) is not None
    return _glob_regex(pattern).match(path) is not None


def selected(path: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether ``path`` is matched by an include glob and by no exclude glob."""
    return (any(glob_match(p, path) for p in include)
            and not any(glob_match(p, path) for p in exclude))


# --- reading ---------------------------------------------------------------------------------

def hash_file(path: Path) -> tuple[str, int]:
    """``(sha256 hex, size)`` of a regular file, read in :data:`CHUNK`-byte pieces.

    The file is opened without following a symbolic link in its last component, so a file
    swapped for a link between listing and reading is refused, not followed.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    digest = hashlib.sha256()
    size = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise InputError(f"{path}: is not a regular file")
        while True:
            n = fh.readinto(buf)
            if not n:
                break
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def _walk(root: Path, ignore: Collection[str]) -> Iterator[tuple[str, Path, os.stat_result]]:
    """``(relative POSIX path, path, lstat)`` of every non-directory entry under ``root``,
    without descending into links or ``.git``; ``ignore`` holds relative paths left out."""
    def fail(exc: OSError) -> None:
        raise InputError(f"{exc.filename}: cannot be listed ({exc.strerror or exc})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=fail, followlinks=False):
        base = Path(dirpath)
        rel_dir = base.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        keep = []
        for name in sorted(dirnames):
            if name in ALWAYS_SKIPPED_DIRS:
                continue
            st = (base / name).lstat()
            if stat.S_ISLNK(st.st_mode):
                filenames.append(name)  # a link to a directory is recorded, never descended
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = prefix + name
            if rel in ignore:
                continue
            p = base / name
            try:
                st = p.lstat()
            except OSError as exc:
                raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
            yield rel, p, st


def read_entry(rel: str, path: Path, st: os.stat_result) -> FileEntry:
    """The manifest entry of one listed directory entry (hashing a regular file)."""
    if stat.S_ISLNK(st.st_mode):
        return FileEntry(rel, EntryType.SYMLINK, target=os.readlink(path))  # noqa: PTH115 (text kept as is)
    if stat.S_ISREG(st.st_mode):
        digest, size = hash_file(path)
        return FileEntry(rel, EntryType.FILE, sha256=digest, size=size)
    return FileEntry(rel, EntryType.OTHER)


def list_tree(root: Path, *, include: Sequence[str], exclude: Sequence[str],
              ignore: Collection[str] = ()) -> list[tuple[str, Path, os.stat_result]]:
    """``(relative POSIX path, path, lstat)`` of every selected entry under ``root``."""
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    return [(rel, p, st) for rel, p, st in _walk(root, ignore)
            if selected(rel, include, exclude)]


def scan_tree(root: Path, *, include: Sequence[str], exclude: Sequence[str],
              ignore: Collection[str] = (), progress: Progress | None = None,
              cancel: threading.Event | None = None) -> tuple[FileEntry, ...]:
    """The entries of every selected file under ``root``, sorted by path. Returns what was
    read so far when ``cancel`` is set."""
    listed = list_tree(root, include=include, exclude=exclude, ignore=ignore)
    total = sum(st.st_size for _, _, st in listed if stat.S_ISREG(st.st_mode)) or 1
    done = 0
    entries = []
    for rel, p, st in listed:
        if cancel is not None and cancel.is_set():
            break
        if progress is not None:
            progress(f"hashing {rel}", min(1.0, done / total))
        entries.append(read_entry(rel, p, st))
        if stat.S_ISREG(st.st_mode):
            done += st.st_size
    return tuple(sorted(entries, key=lambda e: e.path))


def create_manifest(root: Path, *, include: Sequence[str] = ("**/*",),
                    exclude: Sequence[str] = (), progress: Progress | None = None,
                    ignore: Collection[str] = (DEFAULT_MANIFEST_NAME,),
                    created: datetime | None = None) -> Manifest:
    """Inventory every file under ``root`` matched by ``include`` and not by ``exclude``.

    ``ignore`` lists relative paths always left out (the manifest file itself by default);
    ``.git/`` is always left out. Raises :class:`InputError` naming a file that cannot be read.
    """
    when = (created or datetime.now(UTC)).astimezone(UTC)
    files = scan_tree(root, include=include, exclude=exclude, ignore=ignore, progress=progress)
    return Manifest(
        created=when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        root=root.resolve().name, files=files, include=tuple(include), exclude=tuple(exclude))
