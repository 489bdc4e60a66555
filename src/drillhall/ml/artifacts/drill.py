"""The model drill: unsafe model artifacts, found without loading them.

``[drills.model]`` in drillhall.toml (or ``drillhall ml model PATH``) names files, archives
and directories (model repositories) to scan. Each file's format is detected by content and
analyzed statically — pickles (and joblib, PyTorch) by walking their opcodes, the other
formats by reading their headers and configs. Files that cannot be fully analyzed are
findings themselves (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Severity,
    Status,
    utcnow,
)
from drillhall.core.paths import scan_roots
from drillhall.core.rules import RuleInfo
from drillhall.core.validation import parse_section
from drillhall.ml.artifacts.base import ArtifactLimits
from drillhall.ml.artifacts.rules import RULES
from drillhall.ml.artifacts.scan import Located, Scanner, ScanReport

MiB = 1 << 20
_RULES: dict[str, RuleInfo] = {r.rule_id: r for r in RULES}


class ModelOptions(BaseModel):
    """The ``[drills.model]`` table."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default_factory=lambda: ["."], min_length=1)
    strict: bool = False
    exclude: list[str] = Field(default_factory=list)
    max_member_mb: int = Field(default=512, ge=1)
    max_pickle_opcodes: int = Field(default=5_000_000, ge=1000)
    max_nesting: int = Field(default=4, ge=1, le=32)
    max_members: int = Field(default=10_000, ge=1)
    max_total_uncompressed_mb: int = Field(default=4096, ge=1)
    max_metadata_mb: int = Field(default=64, ge=1)

    def limits(self) -> ArtifactLimits:
        return ArtifactLimits(
            max_member_bytes=self.max_member_mb * MiB,
            max_pickle_opcodes=self.max_pickle_opcodes, max_nesting=self.max_nesting,
            max_members=self.max_members,
            max_total_uncompressed=self.max_total_uncompressed_mb * MiB,
            max_metadata_bytes=self.max_metadata_mb * MiB)


def to_finding(located: Located) -> Finding:
    """A scanner issue as a finding: the path names the file or member, the symbol where."""
    issue = located.issue
    rule = _RULES.get(issue.rule_id)
    title = rule.title if rule is not None else issue.rule_id
    tags = issue.tags or (rule.tags if rule is not None else ())
    remediation = rule.remediation if rule is not None else ""
    return Finding(issue.rule_id, f"{title}: {issue.message}", issue.severity,
                   issue.confidence, Location(path=located.path, symbol=issue.where or None),
                   issue.evidence, remediation, tags)


class ModelDrill:
    """Scan the configured paths for unsafe model files (see the module docstring)."""

    name = "model"

    def __init__(self, options: ModelOptions, root: Path) -> None:
        self.options = options
        self.root = root

    def _roots(self) -> list[tuple[Path, str]]:
        """``(path, display prefix)`` per scanned path (see :func:`scan_roots`)."""
        return scan_roots(self.options.paths, self.root)

    def preflight(self) -> None:
        """Check that every path exists; raises InputError naming the first that does not."""
        self._roots()

    def scan(self, ctx: DrillContext | None = None) -> ScanReport:
        """Run the scanner over every path and return its raw report."""
        scanner = Scanner(strict=self.options.strict, limits=self.options.limits())
        for path, prefix in self._roots():
            scanner.scan_path(path, prefix=prefix, exclude=self.options.exclude,
                              cancel=ctx.cancel if ctx is not None else None,
                              progress=(lambda d: ctx.progress(f"model {d}", None))
                              if ctx is not None else None)
        return scanner.report

    def run(self, ctx: DrillContext) -> DrillResult:
        """Scan and report."""
        started = utcnow()
        if ctx.dry_run:
            journal = tuple(JournalEntry(utcnow(), "would scan", str(p))
                            for p, _ in self._roots())
            return DrillResult(self.name, Status.SKIPPED, journal=journal, started=started,
                               finished=utcnow(), reason="dry run")
        report = self.scan(ctx)
        findings = tuple(to_finding(loc) for loc in report.issues)
        unsafe = report.unsafe_files()
        metrics = (
            Metric("model.files_scanned", len({d.split("!/", 1)[0]
                                               for d in report.model_files})),
            Metric("model.unsafe_files", len(unsafe)),
            Metric("model.findings", len(findings)),
            Metric("model.bytes_scanned", report.bytes_seen, "bytes"),
        )
        now = utcnow()
        journal = (
            JournalEntry(now, "scanned", f"{report.files_seen} files ({len(report.model_files)} "
                         f"model files and members) in {report.seconds:.2f} s"),
            JournalEntry(now, "reported", f"{len(findings)} findings; {len(unsafe)} unsafe "
                         "files"),
        )
        if report.cancelled:
            status, reason = Status.INTERRUPTED, "cancelled before every file was scanned"
        elif any(f.severity.at_least(Severity.LOW) for f in findings):
            status, reason = Status.FAILED, None
        else:
            status, reason = Status.PASSED, None
        return DrillResult(self.name, status, findings, metrics, journal, started, utcnow(),
                           reason=reason)


def from_config(options: Mapping[str, Any], root: Path) -> ModelDrill:
    """Build the drill from its ``[drills.model]`` table."""
    parsed = parse_section(ModelOptions, options, source="drillhall.toml",
                           section="drills.model")
    drill = ModelDrill(parsed, root)
    drill.preflight()
    return drill
