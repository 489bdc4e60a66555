"""Governance as a result in the run: its checks as findings, journal lines and metrics.

:func:`governance_result` is what :func:`drillhall.core.execute.execute` appends to every run
of a service whose drillhall.toml has a ``[governance]`` table, so the governance verdict is
part of the run's verdict and of every report; ``drillhall governance check`` builds the same
result from the stored evidence alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from drillhall.core.model import (
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    PolicyViolation,
    Status,
    utcnow,
)
from drillhall.governance.checks import (
    Check,
    EvidenceItem,
    Outcome,
    collect_evidence,
    evaluate_governance,
    not_met,
)
from drillhall.governance.decisions import GovernanceSection
from drillhall.governance.rules import RULES

DRILL = "governance"
_REMEDIATION = {r.rule_id: r.remediation for r in RULES}


def _finding(check: Check, source: str) -> Finding:
    missing = check.outcome is Outcome.NO_EVIDENCE
    rule_id = "DH-GOV-NO-EVIDENCE" if missing else check.rule_id
    return Finding(
        rule_id=rule_id, title=check.title, severity=check.severity,
        location=Location(path=source, symbol=f"governance.{check.area}"),
        evidence=check.message, remediation=_REMEDIATION.get(rule_id, ""),
        tags=("governance", f"decision:{check.area}"),
    )


def governance_result(gov: GovernanceSection, results: Mapping[str, EvidenceItem],
                      drill_options: Mapping[str, Mapping[str, object]], *,
                      source: str, today: dt.date | None = None) -> DrillResult:
    """Judge the decisions against the evidence; ``source`` names drillhall.toml."""
    started = utcnow()
    evidence = collect_evidence(results, drill_options)
    checks = evaluate_governance(gov, evidence, today or started.date())
    broken = not_met(checks, require_evidence=gov.require_evidence)
    journal = tuple(JournalEntry(started, f"check {c.outcome.value}",
                                 f"{c.rule_id} {c.title}: {c.message}") for c in checks)
    counts = {o: sum(1 for c in checks if c.outcome is o) for o in Outcome}
    return DrillResult(
        drill=DRILL, status=Status.FAILED if broken else Status.PASSED,
        findings=tuple(_finding(c, source) for c in broken), journal=journal,
        metrics=(Metric("governance.checks", len(checks)),
                 Metric("governance.not_met", len(broken)),
                 Metric("governance.no_evidence", counts[Outcome.NO_EVIDENCE])),
        started=started, finished=utcnow(),
    )


GATING_RULES = frozenset({
    "DH-GOV-PERSONAL-DATA", "DH-GOV-SENSITIVE-DATA", "DH-GOV-SAAS-MODEL", "DH-GOV-PROVIDER",
    "DH-GOV-AUTONOMOUS-ACTION", "DH-GOV-OPEN-ENDPOINT", "DH-GOV-NO-EVIDENCE",
})
"""Checks whose failure breaks the run's verdict whatever ``fail_on`` says: the evidence
contradicts a decision. Overdue reviews, missing owners and a pending legal review are
findings, judged by severity like any other."""


def governance_violations(result: DrillResult) -> list[PolicyViolation]:
    """One policy violation per decision the evidence contradicts."""
    return [PolicyViolation("governance", f"{f.title}: {f.evidence}", DRILL)
            for f in result.findings if f.rule_id in GATING_RULES]


def newest_results(results: Sequence[DrillResult]) -> dict[str, EvidenceItem]:
    """This run's results as evidence."""
    return {r.drill: EvidenceItem(r) for r in results if r.status in (Status.PASSED,
                                                                        Status.FAILED)}
