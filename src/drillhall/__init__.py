"""drillhall: security and resilience drills for ML and LLM services."""

from drillhall.__about__ import __version__
from drillhall.core.drill import Drill, DrillContext, DrillFactory, Registry
from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    PolicyViolation,
    Run,
    RunSummary,
    Severity,
    Status,
    Verdict,
)
from drillhall.core.redact import mask, scrub
from drillhall.core.rules import RuleInfo
from drillhall.errors import DrillhallError

__all__ = [
    "Confidence",
    "Drill",
    "DrillContext",
    "DrillFactory",
    "DrillResult",
    "DrillhallError",
    "Finding",
    "JournalEntry",
    "Location",
    "Metric",
    "PolicyViolation",
    "Registry",
    "RuleInfo",
    "Run",
    "RunSummary",
    "Severity",
    "Status",
    "Verdict",
    "__version__",
    "mask",
    "scrub",
]
