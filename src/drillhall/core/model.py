"""The core value types shared by every drill, reporter and the store.

They are frozen dataclasses: a drill builds them once and nothing downstream mutates them.
Evidence held in a :class:`Finding` is always redacted already (see :mod:`drillhall.core.redact`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Severity(StrEnum):
    """How bad a finding is. Ordered: info < low < medium < high < critical."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a severity name, case-insensitively; ``ValueError`` names the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"{text!r} is not a severity (choose one of {choices})") from None


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Confidence(StrEnum):
    """How sure the drill is that a finding is real."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    """Outcome of one drill."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"
    INTERRUPTED = "interrupted"


class Verdict(StrEnum):
    """Outcome of applying the policy to a run. ``none`` when no policy applied."""

    PASSED = "passed"
    FAILED = "failed"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is. Every field is optional; ``path`` is relative to the scanned root
    and names archive members as ``outer.apk!/inner/file``; ``line``/``column`` are 1-based,
    ``row`` is 0-based (data sets)."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None
    uri: str | None = None
    symbol: str | None = None

    def as_dict(self) -> dict[str, str | int]:
        """The fields that are set, in declaration order."""
        out: dict[str, str | int] = {}
        for name in ("path", "line", "column", "row", "field", "uri", "symbol"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def __str__(self) -> str:
        text = self.path or self.uri or self.symbol or "-"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.row is not None:
            text += f" row {self.row}"
        if self.field is not None:
            text += f" [{self.field}]"
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a drill found.

    ``rule_id`` is stable across versions (``DH-SECRET-AWS-KEY``); ``tags`` carry CWE and OWASP
    ids. ``evidence`` is already redacted: never a secret or personal value in clear.
    """

    rule_id: str
    title: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    location: Location = field(default_factory=Location)
    evidence: str = ""
    remediation: str = ""
    tags: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A stable identity for de-duplication and baselines: rule, place and evidence.

        The line is left out on purpose so that a finding survives unrelated edits above it.
        """
        loc = self.location
        parts = (self.rule_id, loc.path or "", loc.field or "", str(loc.row or ""),
                 loc.uri or "", loc.symbol or "", self.evidence)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Metric:
    """A measured number, e.g. ``secrets.files_scanned`` or ``patch.libyears``."""

    name: str
    value: float
    unit: str = ""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One line of a drill's journal: what happened when."""

    at: datetime
    event: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DrillResult:
    """What one drill produced. ``reason`` explains a skip or an interruption; ``diagnostics``
    explains an error."""

    drill: str
    status: Status
    findings: tuple[Finding, ...] = ()
    metrics: tuple[Metric, ...] = ()
    journal: tuple[JournalEntry, ...] = ()
    started: datetime = field(default_factory=utcnow)
    finished: datetime = field(default_factory=utcnow)
    reason: str | None = None
    diagnostics: str | None = None

    @property
    def duration_seconds(self) -> float:
        return max(0.0, (self.finished - self.started).total_seconds())

    def metric(self, name: str) -> float | None:
        for m in self.metrics:
            if m.name == name:
                return m.value
        return None

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    """One rule of the policy that the run broke, in words."""

    rule: str
    message: str
    drill: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of one or more drills against a service, with its policy verdict."""

    id: str
    service: str
    started: datetime
    finished: datetime
    results: tuple[DrillResult, ...]
    verdict: Verdict = Verdict.NONE
    violations: tuple[PolicyViolation, ...] = ()
    drillhall_version: str = ""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings)

    def metrics(self) -> Mapping[str, float]:
        """Every metric of every result, by name (later results win on a clash)."""
        return {m.name: m.value for r in self.results for m in r.metrics}

    def result(self, drill: str) -> DrillResult | None:
        for r in self.results:
            if r.drill == drill:
                return r
        return None


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings there are of each severity (every severity present as a key)."""
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def new_run_id(started: datetime) -> str:
    """A sortable, unique run id: UTC timestamp plus random suffix (``20261126T020700Z-3f2a9c``)."""
    import secrets

    return started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A stored run in brief, for history tables and trend charts."""

    id: str
    service: str
    started: datetime
    finished: datetime
    verdict: Verdict
    severity_counts: Mapping[Severity, int]
    metrics: Mapping[str, float]
    drills: tuple[str, ...] = ()

    @property
    def findings_total(self) -> int:
        return sum(self.severity_counts.values())


@dataclass(frozen=True, slots=True)
class DayEntry:
    """One entry of a Chaos Day's live log: what was seen, thought or done, by whom.

    ``kind`` is one of :data:`DAY_ENTRY_KINDS`; ``status`` tracks an incident on the day's
    board (``open``, ``resolved-by-agents``, ``resolved-by-team``); ``run_id`` links a stored
    experiment run. ``text`` is redacted before it is built (see :mod:`drillhall.chaos.day`).
    """

    day: str
    at: datetime
    author: str
    kind: str
    text: str
    experiment: str | None = None
    owner: str | None = None
    status: str | None = None
    run_id: str | None = None
    id: int | None = None

    def as_row(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in (
            "id", "day", "at", "author", "kind", "text", "experiment", "owner", "status",
            "run_id")}

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> DayEntry:
        def opt(name: str) -> str | None:
            value = row.get(name)
            return None if value is None else str(value)

        at = row["at"]
        if not isinstance(at, datetime):
            raise TypeError(f"log entry time {at!r} is not a datetime")
        raw_id = row.get("id")
        return cls(day=str(row["day"]), at=at, author=str(row["author"]),
                   kind=str(row["kind"]), text=str(row["text"]),
                   experiment=opt("experiment"), owner=opt("owner"), status=opt("status"),
                   run_id=opt("run_id"), id=None if raw_id is None else int(str(raw_id)))


DAY_ENTRY_KINDS: tuple[str, ...] = (
    "observation", "hypothesis", "action", "decision", "incident", "learning", "improvement",
    "backlog", "run",
)
"""What a Chaos Day log entry records: ``run`` entries link an experiment run."""

DAY_STATUSES: tuple[str, ...] = ("open", "resolved-by-agents", "resolved-by-team")
"""Where an incident stands on the Chaos Day board."""
