"""Scanning files, archives and directories for unsafe model artifacts.

:class:`Scanner` detects each file's format by content, opens zip / tar / gzip / bzip2 / xz
wrappers in memory (never extracting to disk) within :class:`ArtifactLimits`, and hands each
model file to its analyzer: the pickle scanner (pickle, joblib, legacy PyTorch), the NumPy
and PyTorch-zip readers here, and the analyzers of :mod:`drillhall.ml.artifacts.formats`
(Keras, TensorFlow, ONNX, safetensors, GGUF). A file of no model format is ignored; an
analyzer that fails is a ``DH-MODEL-MALFORMED`` issue (fail closed).

Formats are offered content in this order: zip (a format's ``sniff_zip`` first, then the
PyTorch layout, else every member by content), tar and compressed wrappers, NumPy, pickles
with a protocol 2+ header, each format's ``sniff`` on the first 64 KiB, and last protocol 0/1
pickles. A directory that a format's ``sniff_dir`` recognises is analyzed as a whole
(``analyze(empty stream, 0, ctx)`` with ``ctx.path`` the directory) unless that format's
``sniff`` already claims a file directly inside it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, ArtifactLimits, FormatSpec, Issue
from drillhall.ml.artifacts.numpy_formats import analyze_npy
from drillhall.ml.artifacts.pickle_scan import analyze_pickle
from drillhall.ml.artifacts.rules import MALFORMED, UNSCANNABLE
from drillhall.ml.artifacts.sniff import HEAD, Kind, is_tar, sniff, weak_pickle
from drillhall.ml.artifacts.torch import torch_pickle, torch_storage, torch_zip
from drillhall.ml.secrets.containers.walk import VCS_DIRS, Excluder, iter_files

_ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, EOFError, OSError, zlib.error,
    lzma.LZMAError, ValueError, NotImplementedError, UnicodeError, KeyError, OverflowError,
    RuntimeError, IndexError,
)
_MAX_INFLATE = 128 * 1024 * 1024
_BOMB_RATIO = 1000
_CRC_CHECKED = 64 * 1024 * 1024
WEAK_SNIFF = frozenset({"onnx"})
"""Formats recognised by structure rather than a magic number: tried after pickle."""


@dataclass(frozen=True, slots=True)
class Located:
    """An issue in the file (or archive member) shown as ``path``."""

    path: str
    issue: Issue


@dataclass
class ScanReport:
    """Everything one scan found, and what it looked at."""

    issues: list[Located] = field(default_factory=list)
    model_files: dict[str, str] = field(default_factory=dict)
    files_seen: int = 0
    bytes_seen: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    def unsafe_files(self) -> set[str]:
        """Top-level files with an issue of severity high or above."""
        return {loc.path.split("!/", 1)[0] for loc in self.issues
                if loc.issue.severity.at_least(Severity.HIGH)}


def external_formats() -> tuple[FormatSpec, ...]:
    """The analyzers of :mod:`drillhall.ml.artifacts.formats`, if that package has any."""
    try:
        from drillhall.ml.artifacts import formats
    except ImportError:
        return ()
    return tuple(getattr(formats, "FORMATS", ()))


def _issue(rule: str, severity: Severity, message: str, where: str = "") -> Issue:
    return Issue(rule, severity, message, where, evidence=message)


class Scanner:
    """Scans paths and streams; one instance per scan (it accumulates a :class:`ScanReport`)."""

    def __init__(self, *, strict: bool = False, limits: ArtifactLimits | None = None,
                 formats: Sequence[FormatSpec] | None = None) -> None:
        self.strict = strict
        self.limits = limits or ArtifactLimits()
        self.formats = tuple(formats) if formats is not None else external_formats()
        self.report = ScanReport()
        self._budget = 0

    # -- entry points ------------------------------------------------------------------------

    def scan_path(self, root: Path, *, prefix: str = "", exclude: Sequence[str] = (),
                  cancel: threading.Event | None = None,
                  progress: Callable[[str], None] | None = None) -> ScanReport:
        """Scan a file or a directory tree; displays are relative to ``root`` (or its name)."""
        started = time.perf_counter()
        if root.is_dir():
            self._scan_dirs(root, prefix, exclude)
        for path in iter_files(root, exclude=exclude):
            if cancel is not None and cancel.is_set():
                self.report.cancelled = True
                break
            if root.is_dir():
                rel = path.relative_to(root).as_posix()
                display = f"{prefix}/{rel}" if prefix else rel
            else:
                display = prefix or root.name
            if progress is not None:
                progress(display)
            self.scan_file(path, display)
        self.report.seconds += time.perf_counter() - started
        return self.report

    def scan_file(self, path: Path, display: str) -> None:
        """Scan one file on disk."""
        self.report.files_seen += 1
        self._budget = self.limits.max_total_uncompressed
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                self.report.bytes_seen += size
                if size == 0:
                    return
                self.scan_stream(cast(BinaryIO, handle), size, display, 0, path)
        except OSError as exc:
            self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM,
                                      f"the file cannot be read ({exc.strerror or exc})"))

    def scan_stream(self, stream: BinaryIO, size: int, display: str, depth: int,
                    path: Path | None = None) -> None:
        """Detect the format of ``stream`` and analyze it (``display`` names it in reports)."""
        stream.seek(0)
        head = stream.read(HEAD)
        stream.seek(0)
        kind = sniff(head)
        if kind in (Kind.ZIP, Kind.TAR, Kind.GZIP, Kind.BZIP2, Kind.XZ, Kind.SEVEN_ZIP):
            if depth >= self.limits.max_nesting:
                self._add(display, _issue(MALFORMED, Severity.HIGH, "archives nested deeper "
                                          f"than {self.limits.max_nesting} levels; not opened"))
                return
            if kind is Kind.ZIP:
                self._zip(stream, size, display, depth, path)
            elif kind is Kind.TAR:
                self._tar(stream, display, depth, "r:")
            elif kind is Kind.SEVEN_ZIP:
                self._model(display, "7z")
                self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM, "7-Zip archives cannot "
                                          "be opened by drillhall; unpack it and scan the "
                                          "contents"))
            else:
                self._compressed(stream, kind, display, depth)
            return
        # Formats with a magic number or a strict header shape go before the short zlib and
        # pickle signatures: a safetensors header length can look like either of them.
        for spec in self.formats:
            if (spec.name not in WEAK_SNIFF and spec.sniff is not None
                    and _safe_sniff(spec.sniff, head)):
                self._run(spec.analyze, spec.name, stream, size, display, depth, path)
                return
        if kind is Kind.ZLIB:
            self._zlib(stream, display, depth)
            return
        if kind is Kind.NPY:
            self._run(analyze_npy, "numpy", stream, size, display, depth, path)
            return
        if kind is Kind.PICKLE:
            self._run(analyze_pickle, "pickle", stream, size, display, depth, path)
            return
        for spec in self.formats:
            if (spec.name in WEAK_SNIFF and spec.sniff is not None
                    and _safe_sniff(spec.sniff, head)):
                self._run(spec.analyze, spec.name, stream, size, display, depth, path)
                return
        if weak_pickle(head):
            self._run(analyze_pickle, "pickle", stream, size, display, depth, path)

    # -- analyzers ---------------------------------------------------------------------------

    def _add(self, display: str, issue: Issue) -> None:
        self.report.issues.append(Located(display, issue))

    def _model(self, display: str, fmt: str) -> None:
        self.report.model_files.setdefault(display, fmt)

    def _context(self, display: str, depth: int, path: Path | None) -> AnalyzeContext:
        def nested(stream: BinaryIO, size: int, name: str) -> list[Issue]:
            inner = f"{display}!/{name}"
            before = len(self.report.issues)
            self.scan_stream(stream, size, inner, depth + 1)
            found = self.report.issues[before:]
            del self.report.issues[before:]
            return [Issue(loc.issue.rule_id, loc.issue.severity, loc.issue.message,
                          " › ".join(p for p in (name, loc.issue.where) if p),
                          loc.issue.confidence, loc.issue.tags, loc.issue.evidence)
                    for loc in found]

        return AnalyzeContext(display=display, path=path, strict=self.strict,
                              limits=self.limits, depth=depth, nested=nested)

    def _run(self, analyze: Callable[[BinaryIO, int, AnalyzeContext], list[Issue]], fmt: str,
             stream: BinaryIO, size: int, display: str, depth: int, path: Path | None) -> None:
        self._model(display, fmt)
        stream.seek(0)
        try:
            issues = analyze(stream, size, self._context(display, depth, path))
        except (RecursionError, MemoryError) as exc:
            issues = [_issue(MALFORMED, Severity.HIGH, f"the {fmt} analyzer ran out of "
                             f"resources ({type(exc).__name__}); the file is treated as unsafe")]
        except Exception as exc:
            issues = [_issue(MALFORMED, Severity.HIGH, f"the {fmt} analyzer failed on this "
                             f"file ({type(exc).__name__}); the file is treated as unsafe")]
        for issue in issues:
            self._add(display, issue)

    def _scan_dirs(self, root: Path, prefix: str, exclude: Sequence[str]) -> None:
        specs = [s for s in self.formats if s.sniff_dir is not None]
        if not specs:
            return
        excluded = Excluder(exclude)
        for current, dirs, _files in os.walk(root):
            here = Path(current)
            rel = here.relative_to(root).as_posix()
            dirs[:] = sorted(d for d in dirs if d not in VCS_DIRS and not excluded(
                f"{rel}/{d}".lstrip("./") if rel != "." else d, d))
            display = rel if rel != "." else (prefix or root.name)
            for spec in specs:
                if spec.sniff_dir is not None and spec.sniff_dir(here):
                    if not _claims_a_file(spec, here):
                        self._run(spec.analyze, spec.name, io.BytesIO(b""), 0, display, 0, here)
                    break

    # -- wrappers ----------------------------------------------------------------------------

    def _member_ok(self, path: str, size: int, compressed: int) -> bool:
        limits = self.limits
        if size > limits.max_member_bytes:
            self._add(path, _issue(UNSCANNABLE, Severity.MEDIUM, f"member of {size} bytes is "
                                   f"over the {limits.max_member_bytes}-byte limit; not read"))
            return False
        if compressed >= 0 and size > 64 * 1024 * 1024 and size / max(compressed, 1) > _BOMB_RATIO:
            self._add(path, _issue(MALFORMED, Severity.HIGH, f"compression bomb: {size} bytes "
                                   f"from {compressed} compressed; not read"))
            return False
        if size > self._budget:
            self._add(path, _issue(UNSCANNABLE, Severity.MEDIUM, "the archive expands past "
                                   f"{limits.max_total_uncompressed} bytes; the rest was not "
                                   "read"))
            return False
        self._budget -= size
        return True

    def _zip(self, stream: BinaryIO, size: int, display: str, depth: int,
             path: Path | None) -> None:
        try:
            archive = zipfile.ZipFile(stream)
            infos = archive.infolist()
        except _ARCHIVE_ERRORS as exc:
            self._add(display, _issue(MALFORMED, Severity.HIGH, "malformed or truncated zip "
                                      f"archive ({type(exc).__name__})"))
            return
        names = [i.filename for i in infos]
        for spec in self.formats:
            if spec.sniff_zip is not None and spec.sniff_zip(names):
                self._run(spec.analyze, spec.name, stream, size, display, depth, path)
                return
        is_torch = torch_zip(names)
        if is_torch:
            self._model(display, "pytorch")
        if len(infos) > self.limits.max_members:
            self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM, f"{len(infos)} members, "
                                      f"over the limit of {self.limits.max_members}; only the "
                                      "first were read"))
        with archive:
            for info in infos[:self.limits.max_members]:
                member = f"{display}!/{info.filename}"
                if info.is_dir() or (is_torch and torch_storage(info.filename)):
                    continue
                if info.flag_bits & 0x1:
                    # loaders such as PyTorch's ignore the flag: read the member as they do
                    self._add(member, _issue(MALFORMED, Severity.HIGH, "member is flagged as "
                                             "encrypted, which model files never are; read "
                                             "as if it were not"))
                    info.flag_bits &= ~0x1
                if not self._member_ok(member, info.file_size, info.compress_size):
                    continue
                try:
                    with archive.open(info) as handle:
                        # read as lenient loaders do (a bad CRC is reported, not obeyed)
                        if hasattr(handle, "_expected_crc"):
                            handle._expected_crc = None
                        inner = cast(BinaryIO, handle)
                        if is_torch and torch_pickle(info.filename):
                            self._run(analyze_pickle, "pickle", inner, info.file_size, member,
                                      depth + 1, None)
                        else:
                            self.scan_stream(inner, info.file_size, member, depth + 1)
                except _ARCHIVE_ERRORS as exc:
                    self._add(member, _issue(MALFORMED, Severity.HIGH, "member cannot be read: "
                                             f"malformed or truncated ({type(exc).__name__})"))
                    continue
                if info.file_size <= _CRC_CHECKED and not _crc_ok(archive, info):
                    self._add(member, _issue(MALFORMED, Severity.HIGH, "member fails its CRC "
                                             "check (damaged or tampered with)"))

    def _tar(self, stream: BinaryIO, display: str, depth: int, mode: str) -> None:
        count = 0
        try:
            with tarfile.open(fileobj=stream, mode=mode) as archive:  # type: ignore[call-overload]
                for info in archive:
                    if not info.isreg():
                        continue
                    count += 1
                    member = f"{display}!/{info.name}"
                    if count > self.limits.max_members:
                        self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM, "more than "
                                                  f"{self.limits.max_members} members; the "
                                                  "rest were not read"))
                        return
                    if not self._member_ok(member, info.size, -1):
                        continue
                    handle = archive.extractfile(info)
                    if handle is not None:
                        self.scan_stream(cast(BinaryIO, handle), info.size, member, depth + 1)
        except _ARCHIVE_ERRORS as exc:
            self._add(display, _issue(MALFORMED, Severity.HIGH, "malformed or truncated tar "
                                      f"archive ({type(exc).__name__})"))

    def _zlib(self, stream: BinaryIO, display: str, depth: int) -> None:
        cap = min(self.limits.max_member_bytes, _MAX_INFLATE, self._budget)
        data = _inflate(stream, cap)
        if not data:
            return                      # two bytes that only looked like a zlib header
        if len(data) > cap:
            self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM, "zlib stream inflates to "
                                      f"more than {cap} bytes; not scanned"))
            return
        self._budget -= len(data)
        self.scan_stream(io.BytesIO(data), len(data), display, depth + 1)

    def _compressed(self, stream: BinaryIO, kind: Kind, display: str, depth: int) -> None:
        cap = min(self.limits.max_member_bytes, _MAX_INFLATE, self._budget)
        try:
            with _decompressor(kind, stream) as plain:
                head = plain.read(512)
                if is_tar(head):
                    stream.seek(0)
                    self._tar(stream, display, depth, "r:*")
                    return
                data = head + plain.read(cap + 1 - len(head))
        except _ARCHIVE_ERRORS as exc:
            self._add(display, _issue(MALFORMED, Severity.HIGH, f"malformed or truncated "
                                      f"{kind.value} stream ({type(exc).__name__})"))
            return
        if len(data) > cap:
            self._add(display, _issue(UNSCANNABLE, Severity.MEDIUM, f"{kind.value} stream "
                                      f"decompresses to more than {cap} bytes; not scanned"))
            return
        self._budget -= len(data)
        name = display.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "content"
        self.scan_stream(io.BytesIO(data), len(data), f"{display}!/{name}", depth + 1)


def _inflate(stream: BinaryIO, cap: int) -> bytes | None:
    """A bare zlib stream inflated up to ``cap + 1`` bytes; ``None`` if it is not zlib."""
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    got = 0
    while got <= cap:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        try:
            piece = inflater.decompress(chunk, cap + 1 - got)
        except zlib.error:
            return None if not out else b"".join(out)
        out.append(piece)
        got += len(piece)
        if inflater.eof:
            break
        while inflater.unconsumed_tail and got <= cap:
            piece = inflater.decompress(inflater.unconsumed_tail, cap + 1 - got)
            out.append(piece)
            got += len(piece)
    return b"".join(out)


def _crc_ok(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    crc = 0
    try:
        with archive.open(info) as handle:
            if hasattr(handle, "_expected_crc"):
                handle._expected_crc = None
            while chunk := handle.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
    except _ARCHIVE_ERRORS:
        return False
    return crc == info.CRC


def _decompressor(kind: Kind, raw: BinaryIO) -> BinaryIO:
    if kind is Kind.GZIP:
        return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind is Kind.BZIP2:
        return cast(BinaryIO, bz2.BZ2File(raw, mode="rb"))
    return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb"))


def _claims_a_file(spec: FormatSpec, directory: Path) -> bool:
    """Whether the format's file sniffer claims a file directly in ``directory`` (then that
    file is analyzed when the walk reaches it, and the directory is not analyzed again)."""
    if spec.sniff is None:
        return False
    for entry in sorted(directory.iterdir()):
        if entry.is_file() and not entry.is_symlink():
            with entry.open("rb") as handle:
                if _safe_sniff(spec.sniff, handle.read(HEAD)):
                    return True
    return False


def _safe_sniff(check: Callable[[bytes], bool], head: bytes) -> bool:
    try:
        return bool(check(head))
    except Exception:
        return False
