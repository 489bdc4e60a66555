"""The governance checks' rule ids (see :mod:`drillhall.governance.checks`)."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

RULES: tuple[RuleInfo, ...] = (
    RuleInfo("DH-GOV-PERSONAL-DATA", "Personal data where governance forbids it",
             "[governance.data_usage] personal_data = false, but the data drill found personal "
             "values in the training data.",
             "Remove or pseudonymise the personal data (drillhall ml data --redact), or revisit "
             "the decision with its owner.", Severity.HIGH, ("governance",)),
    RuleInfo("DH-GOV-SENSITIVE-DATA", "Credentials where governance forbids them",
             "[governance.data_usage] commercially_sensitive = false, but the secrets drill "
             "found credentials in the code, data or bundles.",
             "Revoke and remove the credentials; load them from a secret store.",
             Severity.HIGH, ("governance", "CWE-798")),
    RuleInfo("DH-GOV-SAAS-MODEL", "A SaaS model endpoint where only self-hosted models are "
             "allowed", "[governance.model_usage] hosting = \"self-hosted\", but a red-team "
             "target, guard upstream or other model endpoint is a hosted provider's API.",
             "Point the service at the self-hosted model, or revisit the decision.",
             Severity.HIGH, ("governance",)),
    RuleInfo("DH-GOV-PROVIDER", "A model provider outside the allowed list",
             "A model endpoint belongs to a provider not in [governance.model_usage] providers.",
             "Use an allowed provider, or add this one after review.", Severity.HIGH,
             ("governance",)),
    RuleInfo("DH-GOV-AUTONOMOUS-ACTION", "The system acted on its own where governance "
             "forbids it", "[governance.agency] autonomous_actions = false, but the red team "
             "made the target call a tool.",
             "Require a person to confirm tool calls that act, and restrict the tools offered.",
             Severity.HIGH, ("governance", "LLM06")),
    RuleInfo("DH-GOV-OPEN-ENDPOINT", "An internal-only service reachable without credentials",
             "[governance.privacy] audience = \"internal\", but the endpoint probe found the "
             "model endpoint open without credentials.",
             "Put the endpoint behind authentication and a private network.", Severity.HIGH,
             ("governance",)),
    RuleInfo("DH-GOV-LEGAL-REVIEW", "Legal review not done",
             "[governance.legal] review_status is pending.",
             "Finish the legal review of the regulations in scope and record its outcome.",
             Severity.MEDIUM, ("governance",)),
    RuleInfo("DH-GOV-REVIEW-DUE", "Governance decision due for review",
             "A decision's next_review date has passed, or it has none.",
             "Review the decision with its owner and set the next review date.",
             Severity.MEDIUM, ("governance",)),
    RuleInfo("DH-GOV-NO-OWNER", "Governance decision without an owner",
             "A decision names no owner, and [governance] names none for the service.",
             "Name the person, role or team who answers for the decision.", Severity.LOW,
             ("governance",)),
    RuleInfo("DH-GOV-NO-EVIDENCE", "No evidence for a governance decision",
             "require_evidence = true, and the drill that would show whether a decision holds "
             "has not run for this service.",
             "Configure and run the drill (drillhall run), or drop require_evidence.",
             Severity.MEDIUM, ("governance",)),
)
