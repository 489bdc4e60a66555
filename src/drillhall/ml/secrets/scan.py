"""Scanning many files, archive members or history blobs, in parallel across processes.

Files are grouped into chunks (many small files, or one large one, per chunk) and handed to a
:class:`~concurrent.futures.ProcessPoolExecutor`; each worker compiles the ruleset once.
Cancellation is checked between files (serial) or between chunks (parallel). Small inputs are
scanned in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from threading import Event

from drillhall.core.model import Confidence, Finding, Location
from drillhall.errors import DrillhallError
from drillhall.ml.secrets.containers import Blob, Limits, Skip, expand, iter_files, iter_history
from drillhall.ml.secrets.engine import Hit, get_engine, hyperscan_enabled
from drillhall.ml.secrets.rules import SPEC_BY_ID, UNSCANNABLE

Progress = Callable[[str, float | None], None]

_FIXTURE = re.compile(
    r"(?:^|/)(?:tests?/fixtures|testdata|__fixtures__|tests?/(?:[^/]+/)*fixtures)/", re.I)
_THIRD_PARTY = frozenset({"site-packages", "dist-packages", "node_modules"})
_CHUNK_FILES = 64
_CHUNK_BYTES = 4 << 20
_SERIAL_FILES = 64
_SERIAL_BYTES = 2 << 20


def is_fixture(path: str) -> bool:
    """Whether a display path lies in a conventional test-fixture directory."""
    return bool(_FIXTURE.search("/" + path.replace("\\", "/").lstrip("/")))


def is_third_party(path: Path | str) -> bool:
    """Whether a path lies inside an installed-packages tree (site-packages, node_modules)."""
    return any(part in _THIRD_PARTY for part in PurePosixPath(str(path).replace("\\", "/")).parts)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to scan. ``use_hyperscan=None`` picks Hyperscan when available; ``workers=None``
    uses every core."""

    exclude: tuple[str, ...] = ()
    include_fixtures: bool = False
    workers: int | None = None
    history: bool = False
    limits: Limits = field(default_factory=Limits)
    use_hyperscan: bool | None = None


@dataclass(slots=True)
class ScanReport:
    """What a scan found and how much it read."""

    hits: list[Hit] = field(default_factory=list)
    files_scanned: int = 0
    blobs_scanned: int = 0
    bytes_scanned: int = 0
    skipped: int = 0
    fixture_files_skipped: int = 0
    hostile: int = 0
    engine: str = "python"
    workers: int = 1
    seconds: float = 0.0
    cancelled: bool = False

    def add(self, other: ScanReport) -> None:
        self.hits.extend(other.hits)
        self.files_scanned += other.files_scanned
        self.blobs_scanned += other.blobs_scanned
        self.bytes_scanned += other.bytes_scanned
        self.skipped += other.skipped
        self.hostile += other.hostile
        self.cancelled = self.cancelled or other.cancelled


@dataclass(frozen=True, slots=True)
class Target:
    """A file to scan: its real path and the path findings show."""

    path: str
    display: str
    size: int = 0


def unscannable(skip: Skip) -> Hit:
    """The fail-closed finding for a hostile :class:`Skip`."""
    spec = SPEC_BY_ID[UNSCANNABLE]
    finding = Finding(
        rule_id=UNSCANNABLE, title=spec.info.title, severity=spec.info.severity,
        confidence=Confidence.MEDIUM, location=Location(path=skip.path),
        evidence=f"could not be fully scanned: {skip.reason}",
        remediation=spec.info.remediation, tags=spec.info.tags)
    return Hit(finding, "")


def _scan_blob(blob: Blob, report: ScanReport, use_hs: bool, third_party: bool) -> None:
    engine = get_engine(use_hs)
    report.hits.extend(engine.scan(blob.text, path=blob.path, first_line=blob.first_line,
                                   has_lines=blob.has_lines, commit=blob.commit,
                                   third_party=third_party))
    report.blobs_scanned += 1
    report.bytes_scanned += len(blob.text)


def _note_skip(skip: Skip, report: ScanReport) -> None:
    report.skipped += 1
    if skip.hostile:
        report.hostile += 1
        report.hits.append(unscannable(skip))


def scan_files(targets: Sequence[Target], limits: Limits, use_hs: bool,
               cancel: Event | None = None) -> ScanReport:
    """Scan files in this process (the worker body, also used for small inputs)."""
    report = ScanReport()
    for target in targets:
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        third_party = is_third_party(target.path)
        try:
            for item in expand(Path(target.path), target.display, limits):
                if isinstance(item, Skip):
                    _note_skip(item, report)
                else:
                    _scan_blob(item, report, use_hs, third_party)
        except (OSError, DrillhallError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            _note_skip(Skip(target.display, f"could not be read: {reason}"), report)
        report.files_scanned += 1
    return report


def scan_blobs(blobs: Sequence[Blob], use_hs: bool) -> ScanReport:
    """Scan ready blobs (from git history) in this process."""
    report = ScanReport()
    for blob in blobs:
        _scan_blob(blob, report, use_hs, is_third_party(blob.path))
    return report


def _init_worker(use_hs: bool) -> None:
    # Ctrl-C goes to the whole process group; the parent cancels the scan and shuts the
    # pool down, so a worker must not die mid-task with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    get_engine(use_hs)


def _chunks(targets: Iterable[Target]) -> Iterator[list[Target]]:
    chunk: list[Target] = []
    size = 0
    for t in targets:
        chunk.append(t)
        size += t.size
        if len(chunk) >= _CHUNK_FILES or size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _blob_chunks(blobs: Iterable[Blob | Skip], report: ScanReport,
                 fixtures: bool) -> Iterator[list[Blob]]:
    chunk: list[Blob] = []
    size = 0
    for item in blobs:
        if isinstance(item, Skip):
            _note_skip(item, report)
            continue
        if not fixtures and is_fixture(item.path):
            report.fixture_files_skipped += 1
            continue
        chunk.append(item)
        size += len(item.text)
        if len(chunk) >= _CHUNK_FILES or size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def collect_targets(roots: Sequence[tuple[Path, str]], options: ScanOptions,
                    report: ScanReport) -> list[Target]:
    """Walk the roots (``(path, display prefix)``), leaving out fixtures unless asked."""
    targets: list[Target] = []
    for root, prefix in roots:
        for path in iter_files(root, exclude=options.exclude):
            if path == root:
                display = prefix or path.name
            else:
                rel = path.relative_to(root).as_posix()
                display = f"{prefix}/{rel}" if prefix else rel
            if not options.include_fixtures and is_fixture(display):
                report.fixture_files_skipped += 1
                continue
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            targets.append(Target(str(path), display, size))
    return targets


def _run_pool(jobs: Iterable[tuple[Callable[..., ScanReport], tuple[object, ...], int]],
              total: int, workers: int, use_hs: bool, report: ScanReport, cancel: Event,
              progress: Progress) -> None:
    done = 0
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(use_hs,)) as pool:
        pending: dict[Future[ScanReport], int] = {}
        it = iter(jobs)
        exhausted = False
        while True:
            while not exhausted and len(pending) < workers * 3 and not cancel.is_set():
                try:
                    fn, args, count = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending[pool.submit(fn, *args)] = count
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                count = pending.pop(fut)
                report.add(fut.result())
                done += count
                progress(f"scanned {done} of {total or '?'}", done / total if total else None)
            if cancel.is_set():
                for fut in pending:
                    fut.cancel()
                report.cancelled = True
                break


def scan(roots: Sequence[tuple[Path, str]], options: ScanOptions, *,
         cancel: Event | None = None, progress: Progress | None = None) -> ScanReport:
    """Scan every file under ``roots`` (or, with ``options.history``, every blob of their
    git history) and return the hits, de-duplicated and sorted by place."""
    cancel = cancel or Event()
    progress = progress or (lambda message, fraction: None)
    started = time.perf_counter()
    use_hs = hyperscan_enabled() if options.use_hyperscan is None else options.use_hyperscan
    report = ScanReport(engine=get_engine(use_hs).name)
    workers = max(1, options.workers or os.cpu_count() or 1)
    if options.history:
        blobs = (item for root, _ in roots for item in iter_history(root, options.limits))
        chunks = _blob_chunks(blobs, report, options.include_fixtures)
        if workers == 1:
            for chunk in chunks:
                if cancel.is_set():
                    report.cancelled = True
                    break
                report.add(scan_blobs(chunk, use_hs))
                progress(f"scanned {report.blobs_scanned} history blobs", None)
        else:
            report.workers = workers
            _run_pool(((scan_blobs, (c, use_hs), len(c)) for c in chunks), 0, workers, use_hs,
                      report, cancel, progress)
    else:
        targets = collect_targets(roots, options, report)
        small = (len(targets) <= _SERIAL_FILES
                 and sum(t.size for t in targets) <= _SERIAL_BYTES)
        if workers == 1 or (options.workers is None and small):
            report.add(_serial(targets, options.limits, use_hs, cancel, progress))
        else:
            report.workers = workers
            jobs = ((scan_files, (c, options.limits, use_hs), len(c)) for c in _chunks(targets))
            _run_pool(jobs, len(targets), workers, use_hs, report, cancel, progress)
    report.hits = _unique(report.hits)
    report.seconds = time.perf_counter() - started
    return report


def _serial(targets: Sequence[Target], limits: Limits, use_hs: bool, cancel: Event,
            progress: Progress) -> ScanReport:
    report = ScanReport()
    for i, target in enumerate(targets, 1):
        part = scan_files([target], limits, use_hs, cancel)
        report.add(part)
        if part.cancelled:
            report.cancelled = True
            break
        progress(f"scanned {i} of {len(targets)} files", i / len(targets))
    return report


def _unique(hits: Iterable[Hit]) -> list[Hit]:
    """Drop repeats (chunks of one long text overlap) and sort by place."""
    seen: set[tuple[object, ...]] = set()
    out: list[Hit] = []
    for h in hits:
        f = h.finding
        loc = f.location
        key = (f.rule_id, loc.path, loc.line, loc.column, loc.symbol, h.value_sha256,
               f.evidence if not h.value_sha256 else "")
        if key in seen:
            continue
        seen.add(key)
        out.append(h)
    out.sort(key=lambda h: (h.finding.location.path or "", h.finding.location.symbol or "",
                            h.finding.location.line or 0, h.finding.location.column or 0,
                            h.finding.rule_id))
    return out
