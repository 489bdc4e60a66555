"""The data drill: flipped labels, poisoning, drift and personal data in training data.

``[drills.data]`` in drillhall.toml (or ``drillhall ml data FILE --label COLUMN``) names data
sets (CSV, Parquet, JSON Lines, or directories of them). For each, the drill looks for wrong
labels (confident learning over cross-validated probabilities, or the user's own), backdoor
triggers, duplicate clusters and outliers; against a trusted ``baseline`` snapshot for label
shift and feature drift; and, with ``pii``, for personal data (``pii_only`` does only that,
and also accepts plain text files such as logs). Every finding names the file, the 0-based
data row in that file and the column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
from drillhall.core.paths import resolve_input
from drillhall.core.rules import RuleInfo
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, InputError
from drillhall.ml.data.base import DataIssue, Table
from drillhall.ml.data.deps import need
from drillhall.ml.data.load import DEFAULT_MAX_ROWS, SUFFIXES, load_table
from drillhall.ml.data.rules import RULES

_RULES: dict[str, RuleInfo] = {r.rule_id: r for r in RULES}
_POISON_TAGS = ("poison:",)



MAX_TEXT_BYTES = 64 * 1024 * 1024
"""Text files larger than this are not scanned for personal data (journaled)."""

class DataOptions(BaseModel):
    """The ``[drills.data]`` table."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(min_length=1)
    label: str | None = None
    baseline: str | None = None
    pii: bool = False
    pii_only: bool = False
    pred_probs: str | None = None
    text_columns: list[str] = Field(default_factory=list)
    folds: int = Field(default=5, ge=2, le=20)
    max_rows: int = Field(default=DEFAULT_MAX_ROWS, ge=2)
    seed: int = 0


class _Outcome:
    """What one data set produced, gathered while the drill runs."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.journal: list[JournalEntry] = []
        self.rows = 0
        self.label_issues = 0
        self.poison_rows: set[tuple[str, int]] = set()
        self.drifted = 0
        self.pii = 0

    def note(self, event: str, detail: str = "") -> None:
        self.journal.append(JournalEntry(utcnow(), event, detail))


class DataDrill:
    """Check training data sets (see the module docstring)."""

    name = "data"

    def __init__(self, options: DataOptions, root: Path) -> None:
        self.options = options
        self.root = root

    def _resolve(self, text: str) -> Path:
        return resolve_input(text, self.root)

    def _display(self, path: Path) -> str:
        """``path`` relative to the one scanned PATH (its folder, for a file), as the secrets
        and model drills do; with several paths, relative to the root."""
        bases = [self.root.resolve()]
        if len(self.options.paths) == 1:
            scanned = self._resolve(self.options.paths[0]).resolve()
            bases.insert(0, scanned if scanned.is_dir() else scanned.parent)
        for base in bases:
            try:
                return path.resolve().relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def preflight(self) -> None:
        """Check the inputs exist and the options agree; raises InputError or ConfigError."""
        for text in self.options.paths:
            if not self._resolve(text).exists():
                raise InputError(f"{text}: no such file or directory")
        for key in ("baseline", "pred_probs"):
            value = getattr(self.options, key)
            if value is not None and not self._resolve(value).is_file():
                raise InputError(f"{value}: no such file ({key})")
        if self.options.baseline is not None and self.options.label is None:
            raise ConfigError("[drills.data] a baseline is compared through the label column: "
                              "give 'label' (--label) too")
        if self.options.pred_probs is not None and self.options.label is None:
            raise ConfigError("[drills.data] pred_probs needs a label column (key 'label')")
        if self.options.pred_probs is not None and len(self.options.paths) > 1:
            raise ConfigError("[drills.data] pred_probs applies to one data set; give one path")
        if not (self.options.pii_only and all(
                self._is_text_file(self._resolve(p)) for p in self.options.paths)):
            need("pandas")

    def _text_files(self, folder: Path, out: _Outcome) -> list[Path]:
        """Text files (not data tables) under ``folder``: hidden paths, binaries and files
        over :data:`MAX_TEXT_BYTES` are skipped, and the journal says how many."""
        found, skipped = [], 0
        for path in sorted(folder.rglob("*")):
            if (not path.is_file() or path.suffix.lower() in SUFFIXES
                    or any(part.startswith(".") for part in path.relative_to(folder).parts)):
                continue
            try:
                with path.open("rb") as handle:
                    head = handle.read(8192)
                too_big = path.stat().st_size > MAX_TEXT_BYTES
            except OSError:
                too_big, head = True, b""
            if too_big or b"\0" in head:
                skipped += 1
                continue
            found.append(path)
        if skipped:
            out.note("skipped", f"{skipped} binary, unreadable or oversized file(s) under "
                     f"{self._display(folder)} not scanned for personal data")
        return found

    @staticmethod
    def _is_text_file(path: Path) -> bool:
        return path.is_file() and path.suffix.lower() not in SUFFIXES

    def run(self, ctx: DrillContext) -> DrillResult:
        """Load each data set, run the checks, and report."""
        started = utcnow()
        paths = [self._resolve(p) for p in self.options.paths]
        if ctx.dry_run:
            journal = tuple(JournalEntry(utcnow(), "would check", self._display(p))
                            for p in paths)
            return DrillResult(self.name, Status.SKIPPED, journal=journal, started=started,
                               finished=utcnow(), reason="dry run")
        out = _Outcome()
        for path in paths:
            if ctx.cancelled():
                return self._result(out, started, Status.INTERRUPTED,
                                    "cancelled before every data set was checked")
            if self.options.pii_only and self._is_text_file(path):
                self._pii_text(path, out)
                continue
            if path.is_dir() and self.options.pii:
                # pipelines leak personal data into logs, notes and notebooks beside the data
                for text_file in self._text_files(path, out):
                    self._pii_text(text_file, out)
                if not any(p.suffix.lower() in SUFFIXES for p in path.rglob("*")):
                    continue
            self._check(path, ctx, out)
        status = (Status.FAILED if any(f.severity.at_least(Severity.LOW) for f in out.findings)
                  else Status.PASSED)
        return self._result(out, started, status, None)

    def _result(self, out: _Outcome, started: Any, status: Status,
                reason: str | None) -> DrillResult:
        metrics = (
            Metric("data.rows", out.rows),
            Metric("ml.label_issue_rate",
                   round(out.label_issues / out.rows, 4) if out.rows else 0.0, "ratio"),
            Metric("ml.suspected_poison_rows", len(out.poison_rows)),
            Metric("ml.drifted_features", out.drifted),
            Metric("ml.pii_findings", out.pii),
        )
        return DrillResult(self.name, status, tuple(out.findings), metrics, tuple(out.journal),
                           started, utcnow(), reason=reason)

    def _check(self, path: Path, ctx: DrillContext, out: _Outcome) -> None:
        opts = self.options
        table = load_table(path, label=opts.label, text_columns=opts.text_columns,
                           max_rows=opts.max_rows, progress=ctx.progress, seed=opts.seed)
        out.rows += len(table.frame)
        out.note("loaded", f"{self._display(path)}: {len(table.frame)} rows, "
                 f"{table.frame.shape[1]} columns")
        for text in table.notes:
            out.note("loader", text)
        issues: list[DataIssue] = []
        if not opts.pii_only:
            issues += self._labels_and_poison(table, ctx, out)
            if opts.baseline is not None and not ctx.cancelled():
                issues += self._drift(table, out)
        if (opts.pii or opts.pii_only) and not ctx.cancelled():
            issues += self._pii_table(table, out)
        for issue in issues:
            finding = self._finding(issue, table)
            out.findings.append(finding)
            if issue.tag == "label:flip" and issue.rule_id == "DH-DATA-LABEL-ISSUE":
                out.label_issues += 1
            if issue.tag.startswith(_POISON_TAGS) and issue.row is not None:
                out.poison_rows.add((finding.location.path or "", finding.location.row or 0))

    def _labels_and_poison(self, table: Table, ctx: DrillContext,
                           out: _Outcome) -> list[DataIssue]:
        from drillhall.ml.data.labels import label_issues
        from drillhall.ml.data.poison import MAX_TOKEN_COLUMNS, poison_issues, token_columns

        opts = self.options
        issues: list[DataIssue] = []
        if table.label is None:
            out.note("skipped", "label checks: no label column given")
        else:
            ctx.progress("checking labels", None)
            probs = self._resolve(opts.pred_probs) if opts.pred_probs else None
            report = label_issues(table, folds=opts.folds, seed=opts.seed, pred_probs=probs)
            if report.skipped:
                out.note("skipped", f"label checks: {report.skipped}")
            else:
                out.note("labels", f"{len(report.issues)} label issues ({report.model})")
            issues += report.issues
        if ctx.cancelled():
            return issues
        ctx.progress("checking for poisoning", None)
        poison = poison_issues(table, seed=opts.seed)
        out.note("poisoning", f"{len(poison)} issues (triggers, duplicates, outliers)")
        left_out = token_columns(table)[1]
        if left_out:
            out.note("limited", f"triggers looked for in the first {MAX_TOKEN_COLUMNS} "
                     f"feature columns only; {left_out} more columns not searched")
        return issues + poison

    def _drift(self, table: Table, out: _Outcome) -> list[DataIssue]:
        assert self.options.baseline is not None
        compare = _optional("drillhall.ml.data.drift", "compare")
        if compare is None:
            out.note("skipped", "drift checks: the drift module is not available")
            return []
        baseline_path = self._resolve(self.options.baseline)
        baseline = load_table(baseline_path, label=self.options.label,
                              text_columns=self.options.text_columns,
                              max_rows=self.options.max_rows, seed=self.options.seed)
        result = compare(baseline, table, label=self.options.label)
        out.drifted += int(result.drifted_features)
        out.note("drift", f"against {self._display(baseline_path)}: "
                 f"{result.drifted_features} drifted features")
        return list(result.issues)

    def _pii_table(self, table: Table, out: _Outcome) -> list[DataIssue]:
        scan_table = _optional("drillhall.ml.data.pii_scan", "scan_table")
        if scan_table is None:
            out.note("skipped", "personal-data checks: the scanner is not available")
            return []
        issues = list(scan_table(table))
        out.pii += len(issues)
        return issues

    def _pii_text(self, path: Path, out: _Outcome) -> None:
        scan_text_file = _optional("drillhall.ml.data.pii_scan", "scan_text_file")
        if scan_text_file is None:
            out.note("skipped", "personal-data checks: the scanner is not available")
            return
        display = self._display(path)
        issues: Sequence[DataIssue] = scan_text_file(path, display)
        out.pii += len(issues)
        for issue in issues:
            out.findings.append(self._finding(issue, None, display))

    def _finding(self, issue: DataIssue, table: Table | None,
                 display: str | None = None) -> Finding:
        rule = _RULES.get(issue.rule_id)
        path, row = display, issue.row
        if table is not None and issue.row is not None and issue.row < len(table.sources):
            source, row = table.sources[issue.row]
            path = self._display(source)
        elif table is not None and table.sources:
            path = self._display(table.sources[0][0])
        evidence = issue.evidence
        if issue.score is not None:
            score = f"score {issue.score:g}"
            evidence = f"{evidence}; {score}" if evidence else score
        tags = tuple(dict.fromkeys((*(rule.tags if rule else ()), issue.tag)))
        return Finding(
            rule_id=issue.rule_id, title=issue.message, severity=issue.severity,
            confidence=issue.confidence,
            location=Location(path=path, row=row, field=issue.field,
                              line=getattr(issue, "line", None),
                              column=getattr(issue, "column", None)),
            evidence=evidence,
            remediation=rule.remediation if rule else "", tags=tags)


def _optional(module: str, attribute: str) -> Callable[..., Any] | None:
    """``module.attribute`` if that part of drillhall is installed, else ``None``."""
    try:
        found = getattr(__import__(module, fromlist=[attribute]), attribute)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


def from_config(options: Mapping[str, Any], root: Path) -> DataDrill:
    """Build the drill from its ``[drills.data]`` table."""
    parsed = parse_section(DataOptions, options, source="drillhall.toml",
                           section="drills.data")
    drill = DataDrill(parsed, root)
    drill.preflight()
    return drill
