"""The manifest drill: are the model and data files still the ones that were signed?

``[drills.manifest]`` in drillhall.toml (or ``drillhall ml manifest verify PATH``) names a
directory, its signed manifest (relative to the directory) and the trusted public key. The
drill verifies the signature and the key, compares every file, and reports each difference.
Paths are relative to the directory, so a copy of the directory verifies the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Status,
    utcnow,
)
from drillhall.core.paths import resolve_input
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, InputError
from drillhall.ml.manifest import rules
from drillhall.ml.manifest.manifest import DEFAULT_MANIFEST_NAME, EntryType
from drillhall.ml.manifest.signing import load_public_key, load_signed, public_key_fingerprint
from drillhall.ml.manifest.verify import FileChange, FileStatus, VerifyReport, verify_signed

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

UNTRUSTED_TAG = "manifest:untrusted"


class ManifestOptions(BaseModel):
    """The ``[drills.manifest]`` table."""

    model_config = ConfigDict(extra="forbid")

    path: str = "."
    """The directory the manifest covers (relative to the configuration's root)."""
    manifest: str = DEFAULT_MANIFEST_NAME
    """The signed manifest, relative to ``path``."""
    public_key: str = Field(min_length=1)
    """The trusted Ed25519 public key (PEM), relative to the configuration's root."""
    exclude: list[str] = Field(default_factory=list)
    """Globs left out of the comparison (on disk and in the manifest)."""


class ManifestDrill:
    """Verify a directory against its signed manifest (see the module docstring)."""

    name = "manifest"

    def __init__(self, options: ManifestOptions, root: Path) -> None:
        self.options = options
        self.root = root

    def _resolve(self, text: str, base: Path) -> Path:
        return resolve_input(text, base)

    @property
    def directory(self) -> Path:
        return self._resolve(self.options.path, self.root)

    @property
    def manifest_path(self) -> Path:
        return self._resolve(self.options.manifest, self.directory)

    @property
    def public_key_path(self) -> Path:
        return self._resolve(self.options.public_key, self.root)

    def _inside(self, path: Path) -> str | None:
        """``path`` relative to the directory, or ``None`` if it lies outside."""
        try:
            return path.resolve().relative_to(self.directory.resolve()).as_posix()
        except (ValueError, OSError):
            return None

    def _display(self, path: Path) -> str:
        return self._inside(path) or path.as_posix()

    def preflight(self) -> Ed25519PublicKey:
        """Check the inputs before any drill starts: the directory exists and the public key
        reads as an Ed25519 key. Raises InputError or ConfigError naming the path."""
        if not self.directory.is_dir():
            raise InputError(f"{self.options.path}: no such directory")
        if not self.public_key_path.is_file():
            raise InputError(f"{self.options.public_key}: no such public key file")
        return load_public_key(self.public_key_path)

    def run(self, ctx: DrillContext) -> DrillResult:
        """Verify and report (see the module docstring)."""
        started = utcnow()
        key = self.preflight()
        shown = self._display(self.manifest_path)
        journal = [JournalEntry(utcnow(), "trusted key",
                                f"ed25519 {public_key_fingerprint(key)[:16]}")]
        if not self.manifest_path.is_file():
            finding = _finding(rules.MISSING, shown, f"no signed manifest at {shown}")
            return self._result(started, [finding], _metrics(None), journal)
        try:
            signed = load_signed(self.manifest_path)
        except (ConfigError, InputError) as exc:
            finding = _finding(rules.BAD_SIGNATURE, shown,
                               f"the signed manifest cannot be read: {exc.diagnostics()}")
            return self._result(started, [finding], _metrics(None), journal)
        if ctx.dry_run:
            journal.append(JournalEntry(utcnow(), "would verify",
                                        f"{len(signed.manifest.files)} entries of {shown}"))
            return DrillResult(self.name, Status.SKIPPED, journal=tuple(journal),
                               started=started, finished=utcnow(), reason="dry run")
        ctx.progress("verifying the signed manifest", None)
        ignore = [p for p in (self._inside(self.manifest_path),
                              self._inside(self.public_key_path)) if p is not None]
        report = verify_signed(self.directory, signed, key, exclude=self.options.exclude,
                               ignore=ignore, progress=ctx.progress, cancel=ctx.cancel)
        journal.append(JournalEntry(utcnow(), "verified", _summary(report)))
        findings = report_findings(report, shown)
        if report.cancelled:
            return DrillResult(self.name, Status.INTERRUPTED, tuple(findings),
                               _metrics(report), tuple(journal), started, utcnow(),
                               reason="cancelled before every file was verified")
        return self._result(started, findings, _metrics(report), journal)

    def _result(self, started: datetime, findings: list[Finding],
                metrics: tuple[Metric, ...], journal: list[JournalEntry]) -> DrillResult:
        status = Status.FAILED if findings else Status.PASSED
        return DrillResult(self.name, status, tuple(findings), metrics, tuple(journal),
                           started, utcnow())


def _finding(rule_id: str, path: str, evidence: str, *,
             trusted: bool = True) -> Finding:
    info = rules.RULE_BY_ID[rule_id]
    tags = info.tags if trusted else (*info.tags, UNTRUSTED_TAG)
    if not trusted:
        evidence += " (the manifest's signature is not trusted)"
    return Finding(rule_id, info.title, info.severity,
                   Confidence.HIGH if trusted else Confidence.MEDIUM,
                   Location(path=path), evidence, info.remediation, tags)


def _change_evidence(change: FileChange) -> str:
    old, new = change.old, change.new
    if change.status is FileStatus.UNREADABLE:
        return f"cannot be read to check it: {change.detail}"
    if change.status is FileStatus.ADDED and new is not None:
        return f"not in the manifest: {new.short()}"
    if change.status is FileStatus.REMOVED and old is not None:
        return f"signed as {old.short()}; now missing"
    if old is None or new is None:
        return change.status.value
    if change.status is FileStatus.TYPE_CHANGED:
        return f"signed as {old.type.value}, now {new.type.value}: {new.short()}"
    if old.type is EntryType.FILE:
        return (f"sha256 {(old.sha256 or '')[:12]} → {(new.sha256 or '')[:12]}, "
                f"size {old.size} → {new.size} bytes")
    return f"symlink target {old.target!r} → {new.target!r}"


_RULE_OF_STATUS = {
    FileStatus.CHANGED: rules.FILE_CHANGED, FileStatus.TYPE_CHANGED: rules.FILE_CHANGED,
    FileStatus.UNREADABLE: rules.FILE_CHANGED, FileStatus.ADDED: rules.FILE_ADDED,
    FileStatus.REMOVED: rules.FILE_REMOVED,
}


def report_findings(report: VerifyReport, manifest_display: str) -> list[Finding]:
    """The findings of a verification: the signature's first, then one per different file."""
    findings = []
    if not report.key_matches:
        findings.append(_finding(
            rules.WRONG_KEY, manifest_display,
            f"signed by key {report.signed_fingerprint[:16]}, trusted key is "
            f"{report.key_fingerprint[:16]}"))
    elif not report.signature_valid:
        findings.append(_finding(rules.BAD_SIGNATURE, manifest_display,
                                 "the signature does not verify with the trusted key"))
    for change in report.differences:
        findings.append(_finding(_RULE_OF_STATUS[change.status], change.path,
                                 _change_evidence(change), trusted=report.trusted))
    return findings


def _count(report: VerifyReport, *statuses: FileStatus) -> int:
    return len(report.with_status(*statuses))


def _metrics(report: VerifyReport | None) -> tuple[Metric, ...]:
    if report is None:
        return (Metric("manifest.files", 0), Metric("manifest.changed", 0),
                Metric("manifest.added", 0), Metric("manifest.removed", 0),
                Metric("manifest.signature_valid", 0))
    return (
        Metric("manifest.files", len(report.manifest.files)),
        Metric("manifest.changed", _count(report, FileStatus.CHANGED, FileStatus.TYPE_CHANGED,
                                          FileStatus.UNREADABLE)),
        Metric("manifest.added", _count(report, FileStatus.ADDED)),
        Metric("manifest.removed", _count(report, FileStatus.REMOVED)),
        Metric("manifest.signature_valid", 1 if report.trusted else 0),
    )


def _summary(report: VerifyReport) -> str:
    trust = "valid signature" if report.trusted else "signature NOT trusted"
    return (f"{len(report.files)} files compared, {len(report.differences)} differ; {trust}")


def from_config(options: Mapping[str, Any], root: Path) -> ManifestDrill:
    """Build the drill from its ``[drills.manifest]`` table."""
    parsed = parse_section(ManifestOptions, options, source="drillhall.toml",
                           section="drills.manifest")
    drill = ManifestDrill(parsed, root)
    drill.preflight()
    return drill
