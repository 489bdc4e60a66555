"""The ``guard-scan`` drill: the guard's input scanners over one text or a JSONL file.

``drillhall llm guard scan TEXT`` or ``--file TEXTS.jsonl`` (one ``{"text": ...}`` object a
line; blank lines are skipped; other keys are ignored) builds it; so does a
``[drills.guard-scan]`` table with ``text`` or ``file``. The scanners and their settings are
the guard's (``[drills.guard]`` as ``guard``, or a separate file as ``guard_file``).

Each flagged text is one finding: ``location.row`` is its 0-based line in the file (0 for a
single text), its rule is that of the most severe scanner that flagged it (see
:mod:`drillhall.llm.guard.rules`), its tags name every scanner that flagged it
(``scanner:<name>``) with their OWASP ids, and its evidence is the scanners' reasons —
values masked, never in clear. Metrics: ``guard.scanned``, ``guard.flagged`` (texts),
``guard.latency_ms_p50`` and ``guard.latency_ms_p99`` (the whole input chain per text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, InputError
from drillhall.llm.guard.api import GuardResult, run_scanners
from drillhall.llm.guard.config import (
    INPUT_SCANNERS,
    GuardConfig,
    build_scanners,
    load_guard_config,
    parse_guard_config,
)
from drillhall.llm.guard.rules import RULE_BY_SCANNER, RULE_INFO, SCANNER_ERROR
from drillhall.llm.guard.scanners.base import ScanContext, Scanner, Verdict

NAME = "guard-scan"
MAX_EVIDENCE = 600
_FIELD_NAMES = {"prompt-injection": "prompt_injection", "invisible-text": "invisible_text",
                "token-limit": "token_limit"}


class GuardScanOptions(BaseModel):
    """The ``[drills.guard-scan]`` table (and what ``drillhall llm guard scan`` passes)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    file: str | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    scanners: list[str] = Field(default_factory=list)
    guard: dict[str, Any] = Field(default_factory=dict)
    guard_file: str | None = None


def select(config: GuardConfig, names: Sequence[str]) -> GuardConfig:
    """``config`` with only the input scanners ``names`` enabled (all of them turned on);
    every input scanner as configured when ``names`` is empty."""
    if not names:
        return config
    unknown = [n for n in names if n not in INPUT_SCANNERS]
    if unknown:
        raise ConfigError(f"scanner {unknown[0]!r} is not an input scanner (choose from "
                          f"{', '.join(INPUT_SCANNERS)})")
    updates: dict[str, Any] = {}
    for name in INPUT_SCANNERS:
        field = _FIELD_NAMES.get(name, name)
        settings = getattr(config.input, field)
        updates[field] = settings.model_copy(update={"enabled": name in names})
    if "banned" in names and config.input.banned.empty:
        raise ConfigError("scanner 'banned' was chosen but nothing is banned: list substrings, "
                          "regexes or topics in [drills.guard.input.banned]")
    return config.model_copy(update={"input": config.input.model_copy(update=updates)})


class GuardScanDrill:
    """Scan texts with the guard's input scanners (see the module doc)."""

    name = NAME

    def __init__(self, config: GuardConfig, root: Path, *, text: str | None = None,
                 file: Path | None = None) -> None:
        if (text is None) == (file is None):
            raise ConfigError(f"[drills.{NAME}]: give either 'text' or 'file'")
        self.config = config
        self.root = root
        self.text = text
        self.file = file
        inputs, _ = build_scanners(config)
        self.scanners: tuple[Scanner, ...] = tuple(inputs)

    def _display_path(self) -> str | None:
        if self.file is None:
            return None
        try:
            return self.file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return self.file.name

    def texts(self) -> list[tuple[int, str]]:
        """``(row, text)`` for each text to scan; a line that is not a JSON object with a
        string ``text`` raises :class:`InputError` naming it (1-based)."""
        if self.file is None:
            assert self.text is not None
            return [(0, self.text)]
        try:
            raw = self.file.read_text("utf-8")
        except OSError as exc:
            raise InputError(f"{self.file}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise InputError(f"{self.file}: not UTF-8 text") from None
        out: list[tuple[int, str]] = []
        for row, line in enumerate(raw.splitlines()):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{self.file}: line {row + 1} is not valid JSON "
                                 f"({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise InputError(f"{self.file}: line {row + 1} is not a JSON object with a "
                                 "string 'text'")
            out.append((row, item["text"]))
        return out

    def run(self, ctx: DrillContext) -> DrillResult:
        """Scan every text; a finding per flagged one."""
        started = utcnow()
        names = ", ".join(s.name for s in self.scanners) or "none"
        journal = [JournalEntry(started, "scanners", f"input scanners: {names}; fail_closed "
                                f"{'on' if self.config.fail_closed else 'off'}")]
        if ctx.dry_run:
            return DrillResult(NAME, Status.SKIPPED, journal=tuple(journal), started=started,
                               finished=utcnow(), reason="dry run")
        texts = self.texts()
        path = self._display_path()
        findings: list[Finding] = []
        latencies: list[float] = []
        interrupted = False
        for i, (row, text) in enumerate(texts):
            if ctx.cancelled():
                interrupted = True
                break
            result = run_scanners(self.scanners, text, "input", ScanContext(),
                                  fail_closed=self.config.fail_closed)
            latencies.append(result.latency_ms)
            if result.flagged:
                findings.append(_finding(result, Location(path=path, row=row)))
            if len(texts) > 1 and i % 50 == 0:
                ctx.progress(f"scanned {i + 1} of {len(texts)} texts", (i + 1) / len(texts))
        metrics = (Metric("guard.scanned", len(latencies)),
                   Metric("guard.flagged", len(findings)),
                   Metric("guard.latency_ms_p50", round(percentile(latencies, 50), 3), "ms"),
                   Metric("guard.latency_ms_p99", round(percentile(latencies, 99), 3), "ms"))
        journal.append(JournalEntry(utcnow(), "scanned",
                                    f"{len(latencies)} text(s), {len(findings)} flagged"))
        if interrupted:
            status, reason = Status.INTERRUPTED, "cancelled before every text was scanned"
        else:
            status, reason = (Status.FAILED if findings else Status.PASSED), None
        return DrillResult(NAME, status, tuple(findings), metrics, tuple(journal), started,
                           utcnow(), reason=reason)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def _rule_of(verdict: Verdict) -> str:
    return SCANNER_ERROR if "error" in verdict.kinds else RULE_BY_SCANNER[verdict.scanner]


def _finding(result: GuardResult, location: Location) -> Finding:
    """One finding for a flagged text: the most severe scanner's rule, every scanner's tag."""
    from drillhall.pii.text import redact_text

    flagged = result.flagged
    rules = [RULE_INFO[_rule_of(v)] for v in flagged]
    top = max(range(len(flagged)), key=lambda k: (rules[k].severity.rank, -k))
    rule, lead = rules[top], flagged[top]
    tags: list[str] = [f"scanner:{v.scanner}" for v in flagged]
    for info in rules:
        tags.extend(info.tags)
    evidence = redact_text("; ".join(f"{v.scanner}: {v.reason}" for v in flagged))
    if len(evidence) > MAX_EVIDENCE:
        evidence = evidence[: MAX_EVIDENCE - 1].rstrip() + "…"
    others = [v.scanner for v in flagged if v is not lead]
    title = rule.title + (f" (also flagged by {', '.join(others)})" if others else "")
    return Finding(
        rule_id=rule.rule_id, title=title, severity=rule.severity,
        confidence=Confidence.HIGH if lead.score >= 0.9 else Confidence.MEDIUM,
        location=location, evidence=evidence, remediation=rule.remediation,
        tags=tuple(dict.fromkeys(tags)))


def guard_config(options: GuardScanOptions, root: Path) -> GuardConfig:
    """The guard settings the options name (a file, the ``guard`` table, or the defaults),
    with the threshold and scanner selection applied."""
    if options.guard_file:
        if options.guard:
            raise ConfigError(f"[drills.{NAME}]: give either 'guard' or 'guard_file', not both")
        config = load_guard_config((root / options.guard_file).expanduser())
    else:
        config = parse_guard_config(options.guard, source="drillhall.toml",
                                    section=f"drills.{NAME}.guard")
    return select(config.with_threshold(options.threshold), options.scanners)


def from_config(options: Mapping[str, Any], root: Path) -> GuardScanDrill:
    """Build the drill from its ``[drills.guard-scan]`` table."""
    parsed = parse_section(GuardScanOptions, options, source="drillhall.toml",
                           section=f"drills.{NAME}")
    if (parsed.text is None) == (parsed.file is None):
        raise ConfigError(f"[drills.{NAME}]: give either 'text' or 'file'")
    file = None
    if parsed.file is not None:
        file = (root / parsed.file).expanduser()
        if not file.is_file():
            raise InputError(f"{parsed.file}: no such file")
    return GuardScanDrill(guard_config(parsed, root), root, text=parsed.text, file=file)
