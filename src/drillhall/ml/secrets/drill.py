"""The secrets drill: credentials embedded in repositories, mobile apps and bundles.

``[drills.secrets]`` in drillhall.toml (or ``drillhall secrets PATH``) names what to scan; the
drill walks directories, opens archives and app bundles, optionally reads every blob of the
git history, and reports each credential once, masked. Allowlist entries, a baseline and
``drillhall:allow`` comments silence reviewed findings; input that cannot be fully scanned is
itself a finding (fail closed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, JournalEntry, Metric, Severity, Status, utcnow
from drillhall.core.paths import resolve_input, scan_roots
from drillhall.core.validation import parse_section
from drillhall.ml.secrets.allowlist import Allowlist, load_allowlist
from drillhall.ml.secrets.baseline import load_baseline
from drillhall.ml.secrets.containers import Limits
from drillhall.ml.secrets.scan import ScanOptions, ScanReport, collect_targets, scan

MiB = 1 << 20
_DRY_RUN_LISTED = 20


class SecretsOptions(BaseModel):
    """The ``[drills.secrets]`` table."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default_factory=lambda: ["."], min_length=1)
    history: bool = False
    exclude: list[str] = Field(default_factory=list)
    allowlist: str | None = None
    baseline: str | None = None
    include_fixtures: bool = False
    workers: int | None = Field(default=None, ge=1, le=512)
    engine: Literal["auto", "hyperscan", "python"] = "auto"
    max_file_mb: int = Field(default=16, ge=1)
    max_scan_mb: int = Field(default=256, ge=1)
    max_archive_members: int = Field(default=10_000, ge=1)
    max_archive_depth: int = Field(default=4, ge=1)
    max_total_uncompressed_mb: int = Field(default=512, ge=1)
    max_ratio: int = Field(default=100, ge=1)

    def limits(self) -> Limits:
        return Limits(
            max_file_bytes=self.max_file_mb * MiB, max_scan_bytes=self.max_scan_mb * MiB,
            max_archive_members=self.max_archive_members,
            max_archive_depth=self.max_archive_depth,
            max_total_uncompressed=self.max_total_uncompressed_mb * MiB,
            max_ratio=self.max_ratio)


class SecretsDrill:
    """Find credentials in the configured paths (see the module docstring)."""

    name = "secrets"

    def __init__(self, options: SecretsOptions, root: Path) -> None:
        self.options = options
        self.root = root

    def _resolve(self, text: str) -> Path:
        return resolve_input(text, self.root)

    def _roots(self) -> list[tuple[Path, str]]:
        """``(path, display prefix)`` per scanned path (see :func:`scan_roots`)."""
        return scan_roots(self.options.paths, self.root)

    def _scan_options(self) -> ScanOptions:
        engine = self.options.engine
        return ScanOptions(
            exclude=tuple(self.options.exclude), include_fixtures=self.options.include_fixtures,
            workers=self.options.workers, history=self.options.history,
            limits=self.options.limits(),
            use_hyperscan=None if engine == "auto" else engine == "hyperscan")

    def preflight(self) -> None:
        """Check the inputs before any drill starts: paths exist, allowlist and baseline
        parse. Raises InputError or ConfigError naming the file."""
        self._roots()
        if self.options.allowlist:
            load_allowlist(self._resolve(self.options.allowlist))
        if self.options.baseline:
            load_baseline(self._resolve(self.options.baseline))

    def run(self, ctx: DrillContext) -> DrillResult:
        """Scan, filter by allowlist and baseline, and report."""
        started = utcnow()
        roots = self._roots()
        allow = (load_allowlist(self._resolve(self.options.allowlist))
                 if self.options.allowlist else Allowlist())
        baseline = (load_baseline(self._resolve(self.options.baseline))
                    if self.options.baseline else set())
        options = self._scan_options()
        if ctx.dry_run:
            return self._dry_run(roots, options, started)
        ctx.progress("scanning for secrets", None)
        report = scan(roots, options, cancel=ctx.cancel, progress=ctx.progress)
        findings = []
        allowed = baselined = 0
        for hit in report.hits:
            if allow.allowing(hit) is not None:
                allowed += 1
            elif hit.finding.fingerprint in baseline:
                baselined += 1
            else:
                findings.append(hit.finding)
        metrics = _metrics(report, len(findings), allowed, baselined)
        journal = _journal(report, len(findings), allowed, baselined)
        if report.cancelled:
            status, reason = Status.INTERRUPTED, "cancelled before every file was scanned"
        elif any(f.severity.at_least(Severity.LOW) for f in findings):
            status, reason = Status.FAILED, None
        else:
            status, reason = Status.PASSED, None
        return DrillResult(self.name, status, tuple(findings), metrics, journal, started,
                           utcnow(), reason=reason)

    def _dry_run(self, roots: list[tuple[Path, str]], options: ScanOptions,
                 started: Any) -> DrillResult:
        journal = []
        if options.history:
            for root, _ in roots:
                journal.append(JournalEntry(utcnow(), "would scan git history", str(root)))
        else:
            report = ScanReport()
            targets = collect_targets(roots, options, report)
            journal.append(JournalEntry(utcnow(), "would scan",
                                        f"{len(targets)} files; {report.fixture_files_skipped} "
                                        "fixture files left out"))
            for t in targets[:_DRY_RUN_LISTED]:
                journal.append(JournalEntry(utcnow(), "would scan file", t.display))
            if len(targets) > _DRY_RUN_LISTED:
                journal.append(JournalEntry(utcnow(), "would scan file",
                                            f"… and {len(targets) - _DRY_RUN_LISTED} more"))
        return DrillResult(self.name, Status.SKIPPED, journal=tuple(journal), started=started,
                           finished=utcnow(), reason="dry run")


def _metrics(report: ScanReport, findings: int, allowed: int,
             baselined: int) -> tuple[Metric, ...]:
    mb_s = report.bytes_scanned / MiB / report.seconds if report.seconds > 0 else 0.0
    return (
        Metric("secrets.findings", findings),
        Metric("secrets.files_scanned", report.files_scanned or report.blobs_scanned),
        Metric("secrets.bytes_scanned", report.bytes_scanned, "bytes"),
        Metric("secrets.skipped", report.skipped),
        Metric("secrets.fixture_files_skipped", report.fixture_files_skipped),
        Metric("secrets.allowlisted", allowed),
        Metric("secrets.baselined", baselined),
        Metric("secrets.throughput_mb_s", round(mb_s, 2), "MB/s"),
    )


def _journal(report: ScanReport, findings: int, allowed: int,
             baselined: int) -> tuple[JournalEntry, ...]:
    now = utcnow()
    return (
        JournalEntry(now, "engine", f"{report.engine} keyword pass, {report.workers} "
                     f"worker process(es) of {os.cpu_count() or 1} cores"),
        JournalEntry(now, "scanned", f"{report.files_scanned} files, {report.blobs_scanned} "
                     f"texts, {report.bytes_scanned} bytes in {report.seconds:.2f} s"),
        JournalEntry(now, "skipped", f"{report.skipped} skipped ({report.hostile} hostile), "
                     f"{report.fixture_files_skipped} fixture files left out"),
        JournalEntry(now, "reported", f"{findings} findings; {allowed} allowlisted, "
                     f"{baselined} in the baseline"),
    )


def from_config(options: Mapping[str, Any], root: Path) -> SecretsDrill:
    """Build the drill from its ``[drills.secrets]`` table."""
    parsed = parse_section(SecretsOptions, options, source="drillhall.toml",
                           section="drills.secrets")
    drill = SecretsDrill(parsed, root)
    drill.preflight()
    return drill
