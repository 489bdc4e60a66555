"""Checking the governance decisions against the evidence drills produced.

Every decision in ``[governance]`` turns into checks, each with a stable rule id
(:data:`drillhall.governance.rules.RULES`) and one of three outcomes: ``met``, ``not-met``
(with what the evidence showed) or ``no-evidence`` (the drill that would show it has not run
for this service; a failure only under ``require_evidence = true``).

Evidence is the newest result of each drill for the service — from the run being judged, or
from the history store for drills the run did not include — plus the model endpoints the
configuration names (red-team targets, guard upstreams, eval targets, endpoint probes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from drillhall.core.model import DrillResult, Finding, Severity
from drillhall.governance.decisions import GovernanceSection
from drillhall.governance.hosts import host_of, provider_allowed, saas_provider

TARGET_EVENT = "target"
"""Journal event with which a drill records the model endpoint it talked to (detail: URL)."""

TARGET_KEYS: tuple[tuple[str, str], ...] = (
    ("redteam", "target"), ("guard", "upstream"), ("eval", "target"), ("endpoint", "url"),
)
"""``[drills.NAME] key`` pairs naming a model endpoint in drillhall.toml."""


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not-met"
    NO_EVIDENCE = "no-evidence"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """The newest result of one drill, and the run it came from (``None``: this run)."""

    result: DrillResult
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    results: Mapping[str, EvidenceItem] = field(default_factory=dict)
    endpoints: tuple[tuple[str, str], ...] = ()
    """``(where, url)`` of every model endpoint named by the configuration or a journal."""

    def findings(self, drill: str, keep: Callable[[Finding], bool]) -> list[Finding] | None:
        """The findings of ``drill`` that ``keep`` selects; ``None`` when it never ran."""
        item = self.results.get(drill)
        if item is None:
            return None
        return [f for f in item.result.findings if keep(f)]

    def source(self, drill: str) -> str:
        item = self.results.get(drill)
        if item is None:
            return "no run"
        return "this run" if item.run_id is None else f"run {item.run_id}"


def collect_evidence(results: Mapping[str, EvidenceItem],
                     drill_options: Mapping[str, Mapping[str, object]]) -> Evidence:
    """Evidence from results and from the endpoints named in the drills' options."""
    endpoints: list[tuple[str, str]] = []
    for drill, key in TARGET_KEYS:
        value = drill_options.get(drill, {}).get(key)
        if isinstance(value, str) and value.strip():
            endpoints.append((f"[drills.{drill}] {key}", value.strip()))
    for drill, item in results.items():
        for entry in item.result.journal:
            if entry.event == TARGET_EVENT and entry.detail.strip():
                endpoints.append((f"{drill} drill ({item.run_id or 'this run'})",
                                  entry.detail.strip()))
    unique = tuple(dict.fromkeys(endpoints))
    return Evidence(dict(results), unique)


@dataclass(frozen=True, slots=True)
class Check:
    rule_id: str
    area: str
    title: str
    outcome: Outcome
    message: str
    severity: Severity


def _tagged(prefix: str) -> Callable[[Finding], bool]:
    return lambda f: any(t.startswith(prefix) for t in f.tags)


def _kinds(findings: Sequence[Finding], prefix: str) -> str:
    kinds = sorted({t[len(prefix):] for f in findings for t in f.tags if t.startswith(prefix)})
    return ", ".join(kinds)


def _from_findings(rule_id: str, area: str, title: str, severity: Severity,
                   found: list[Finding] | None, *, drill: str, evidence: Evidence,
                   bad: Callable[[list[Finding]], str], good: str) -> Check:
    if found is None:
        return Check(rule_id, area, title, Outcome.NO_EVIDENCE,
                     f"no {drill} drill has run for this service, so nothing shows whether "
                     f"this holds", severity)
    where = evidence.source(drill)
    if found:
        return Check(rule_id, area, title, Outcome.NOT_MET, f"{bad(found)} ({where})", severity)
    return Check(rule_id, area, title, Outcome.MET, f"{good} ({where})", severity)


def _review_checks(gov: GovernanceSection, today: dt.date) -> list[Check]:
    checks = []
    for area, decision in gov.decisions():
        label = area.replace("_", " ")
        if not (decision.owner or gov.owner):
            checks.append(Check("DH-GOV-NO-OWNER", area, f"{label}: decision has an owner",
                                Outcome.NOT_MET, f"[governance.{area}] names no owner",
                                Severity.LOW))
        if decision.next_review is None:
            checks.append(Check("DH-GOV-REVIEW-DUE", area, f"{label}: review date",
                                Outcome.NOT_MET, f"[governance.{area}] has no next_review date",
                                Severity.LOW))
        elif decision.next_review < today:
            days = (today - decision.next_review).days
            checks.append(Check("DH-GOV-REVIEW-DUE", area, f"{label}: review date",
                                Outcome.NOT_MET,
                                f"[governance.{area}] was due for review on "
                                f"{decision.next_review.isoformat()} ({days} days ago)",
                                Severity.MEDIUM))
        else:
            checks.append(Check("DH-GOV-REVIEW-DUE", area, f"{label}: review date",
                                Outcome.MET, f"next review {decision.next_review.isoformat()}",
                                Severity.MEDIUM))
    return checks


def _hosting_checks(gov: GovernanceSection, evidence: Evidence) -> list[Check]:
    usage = gov.model_usage
    if usage is None:
        return []
    checks = []
    endpoints = evidence.endpoints
    none_known = ("no model endpoint is named in drillhall.toml or recorded by a drill, so "
                  "nothing shows where the models run")
    if usage.hosting == "self-hosted":
        saas = [(w, u, p) for w, u in endpoints if (p := saas_provider(u))]
        title = "model usage: self-hosted models only"
        if not endpoints:
            checks.append(Check("DH-GOV-SAAS-MODEL", "model_usage", title, Outcome.NO_EVIDENCE,
                                none_known, Severity.HIGH))
        elif saas:
            where, url, provider = saas[0]
            checks.append(Check("DH-GOV-SAAS-MODEL", "model_usage", title, Outcome.NOT_MET,
                                f"{where} is {host_of(url)}, a {provider} SaaS endpoint"
                                + (f" (and {len(saas) - 1} more)" if len(saas) > 1 else ""),
                                Severity.HIGH))
        else:
            checks.append(Check("DH-GOV-SAAS-MODEL", "model_usage", title, Outcome.MET,
                                f"{len(endpoints)} endpoint(s), none on a SaaS provider",
                                Severity.HIGH))
    if usage.providers:
        title = f"model usage: providers limited to {', '.join(usage.providers)}"
        other = [(w, u) for w, u in endpoints if not provider_allowed(u, usage.providers)]
        if not endpoints:
            outcome, message = Outcome.NO_EVIDENCE, none_known
        elif other:
            where, url = other[0]
            provider = saas_provider(url) or "self-hosted"
            outcome = Outcome.NOT_MET
            message = f"{where} is {host_of(url)} ({provider}), not an allowed provider"
        else:
            outcome, message = Outcome.MET, f"{len(endpoints)} endpoint(s), all allowed"
        checks.append(Check("DH-GOV-PROVIDER", "model_usage", title, outcome, message,
                            Severity.HIGH))
    return checks


def evaluate_governance(gov: GovernanceSection, evidence: Evidence,
                        today: dt.date) -> list[Check]:
    """Every check the decisions imply, in a stable order."""
    checks = _review_checks(gov, today)
    checks += _hosting_checks(gov, evidence)
    data = gov.data_usage
    if data is not None and not data.personal_data:
        checks.append(_from_findings(
            "DH-GOV-PERSONAL-DATA", "data_usage", "data usage: no personal data in the data",
            Severity.HIGH, evidence.findings("data", _tagged("pii:")), drill="data",
            evidence=evidence,
            bad=lambda f: f"the data drill found {len(f)} personal value(s) "
            f"({_kinds(f, 'pii:')})",
            good="the data drill found no personal data"))
    if data is not None and not data.commercially_sensitive:
        checks.append(_from_findings(
            "DH-GOV-SENSITIVE-DATA", "data_usage",
            "data usage: no credentials or sensitive data in code and bundles", Severity.HIGH,
            evidence.findings("secrets", lambda f: True), drill="secrets", evidence=evidence,
            bad=lambda f: f"the secrets drill found {len(f)} credential(s)",
            good="the secrets drill found no credentials"))
    agency = gov.agency
    if agency is not None and not agency.autonomous_actions:
        checks.append(_from_findings(
            "DH-GOV-AUTONOMOUS-ACTION", "agency", "agency: no autonomous actions",
            Severity.HIGH, evidence.findings("redteam", _tagged("attack:excessive-agency")),
            drill="redteam", evidence=evidence,
            bad=lambda f: f"the red team made the target call a tool {len(f)} time(s) "
            f"(e.g. {f[0].title})",
            good="the red team could not make the target call a tool"))
    privacy = gov.privacy
    if privacy is not None and privacy.audience == "internal":
        checks.append(_from_findings(
            "DH-GOV-OPEN-ENDPOINT", "privacy", "privacy: internal only",
            Severity.HIGH, evidence.findings("endpoint", _tagged("exposure:unauthenticated")),
            drill="endpoint", evidence=evidence,
            bad=lambda f: "the endpoint probe found the model endpoint open without "
            "credentials",
            good="the endpoint probe found no endpoint open without credentials"))
    legal = gov.legal
    if legal is not None:
        status = legal.review_status
        scope = ", ".join(legal.regulations) or "no regulations listed"
        checks.append(Check(
            "DH-GOV-LEGAL-REVIEW", "legal", "legal: review done",
            Outcome.NOT_MET if status == "pending" else Outcome.MET,
            f"legal review is {status} ({scope})", Severity.MEDIUM))
    return checks


def not_met(checks: Iterable[Check], *, require_evidence: bool) -> list[Check]:
    """The checks that break governance."""
    return [c for c in checks if c.outcome is Outcome.NOT_MET
            or (require_evidence and c.outcome is Outcome.NO_EVIDENCE)]
