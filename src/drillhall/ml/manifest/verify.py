"""Checking a directory against its signed manifest.

:func:`verify` answers three questions: is the signature valid, was it made by the key we
trust (fingerprint match), and which files differ from the manifest (changed, added, removed,
type changed, unreadable). A bad signature does not stop the comparison: the file list is still
compared, and the report says the manifest is not trusted.
"""

from __future__ import annotations

import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from drillhall.errors import InputError
from drillhall.ml.manifest.manifest import (
    EntryType,
    FileEntry,
    Manifest,
    Progress,
    glob_match,
    list_tree,
    read_entry,
)
from drillhall.ml.manifest.signing import (
    SignedManifest,
    load_public_key,
    load_signed,
    public_key_fingerprint,
    signature_valid,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class FileStatus(StrEnum):
    """How a file compares with its manifest entry."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    TYPE_CHANGED = "type-changed"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's status; ``old`` is its manifest entry, ``new`` what is on disk now."""

    path: str
    status: FileStatus
    old: FileEntry | None = None
    new: FileEntry | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of :func:`verify`. ``files`` holds every compared path, sorted."""

    manifest: Manifest
    signature_valid: bool
    key_matches: bool
    key_fingerprint: str
    """Fingerprint of the public key we were given (the key we trust)."""
    signed_fingerprint: str
    """Fingerprint the signed file claims it was made with."""
    files: tuple[FileChange, ...]
    cancelled: bool = False

    @property
    def trusted(self) -> bool:
        """Whether the manifest itself can be believed: valid signature by the trusted key."""
        return self.signature_valid and self.key_matches

    def with_status(self, *statuses: FileStatus) -> tuple[FileChange, ...]:
        return tuple(f for f in self.files if f.status in statuses)

    @property
    def differences(self) -> tuple[FileChange, ...]:
        return tuple(f for f in self.files if f.status is not FileStatus.UNCHANGED)

    @property
    def ok(self) -> bool:
        """Trusted, complete, and every file unchanged."""
        return self.trusted and not self.cancelled and not self.differences


def compare(old: FileEntry, new: FileEntry) -> FileStatus:
    """How ``new`` (on disk) differs from ``old`` (the manifest entry) at the same path."""
    if old.type is not new.type:
        return FileStatus.TYPE_CHANGED
    if old.type is EntryType.FILE:
        same = old.sha256 == new.sha256 and old.size == new.size
    else:
        same = old.target == new.target
    return FileStatus.UNCHANGED if same else FileStatus.CHANGED


def _relative_to(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def verify_signed(root: Path, signed: SignedManifest, key: Ed25519PublicKey, *,
                  exclude: Sequence[str] = (), ignore: Sequence[str] = (),
                  progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> VerifyReport:
    """Compare ``root`` with an already loaded signed manifest (see :func:`verify`).

    ``exclude`` leaves further globs out of the comparison on both sides; ``ignore`` lists
    relative paths never compared (the manifest file and the public key, when inside root).
    """
    manifest = signed.manifest
    fingerprint = public_key_fingerprint(key)
    valid = signature_valid(signed, key)
    ignored = set(ignore)
    listed = list_tree(root, include=manifest.include,
                       exclude=(*manifest.exclude, *exclude), ignore=ignored)
    expected = {p: e for p, e in manifest.by_path.items()
                if p not in ignored and not any(glob_match(g, p) for g in exclude)}
    total = sum(st.st_size for _, _, st in listed if stat.S_ISREG(st.st_mode)) or 1
    done = 0
    changes: list[FileChange] = []
    seen: set[str] = set()
    cancelled = False
    for rel, path, st in listed:
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        if progress is not None:
            progress(f"verifying {rel}", min(1.0, done / total))
        seen.add(rel)
        old = expected.get(rel)
        try:
            new = read_entry(rel, path, st)
        except InputError as exc:
            changes.append(FileChange(rel, FileStatus.UNREADABLE, old, None, str(exc)))
            continue
        if stat.S_ISREG(st.st_mode):
            done += st.st_size
        if old is None:
            changes.append(FileChange(rel, FileStatus.ADDED, None, new))
        else:
            changes.append(FileChange(rel, compare(old, new), old, new))
    if not cancelled:
        changes.extend(FileChange(p, FileStatus.REMOVED, e, None)
                       for p, e in expected.items() if p not in seen)
    return VerifyReport(
        manifest=manifest, signature_valid=valid, key_matches=fingerprint ==
        signed.key_fingerprint, key_fingerprint=fingerprint,
        signed_fingerprint=signed.key_fingerprint,
        files=tuple(sorted(changes, key=lambda c: c.path)), cancelled=cancelled)


def verify(root: Path, signed_path: Path, public_key_path: Path, *,
           exclude: Sequence[str] = (), progress: Progress | None = None,
           cancel: threading.Event | None = None) -> VerifyReport:
    """Verify the signed manifest at ``signed_path`` against the directory ``root`` with the
    trusted Ed25519 public key at ``public_key_path``.

    Raises :class:`InputError` / :class:`ConfigError` naming the file when the manifest or
    the key cannot be read; every other problem is in the report.
    """
    key = load_public_key(public_key_path)
    signed = load_signed(signed_path)
    ignore = [rel for rel in (_relative_to(signed_path, root),
                              _relative_to(public_key_path, root)) if rel is not None]
    return verify_signed(root, signed, key, exclude=exclude, ignore=ignore,
                         progress=progress, cancel=cancel)
