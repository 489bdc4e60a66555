"""The rules of the red-team drill: one per attack category.

A successful attack becomes a finding of its category's rule. The rule ids are stable; the
tags carry the OWASP Top 10 for LLM applications (2025) id, the MITRE ATLAS technique and CWE
ids. Attacks of a category drillhall does not know (from a user's ``--attacks-file``) are
reported under :data:`GENERIC`.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

PREFIX = "DH-LLM-"

GENERIC = "DH-LLM-ATTACK"

_RULES_BY_CATEGORY: dict[str, RuleInfo] = {
    "prompt-injection": RuleInfo(
        "DH-LLM-PROMPT-INJECTION", "Direct prompt injection or goal hijacking succeeded",
        "A user message told the model to ignore its instructions or pursue another goal, and "
        "it did: anyone who can type into the application can steer it.",
        "Keep instructions and user input apart (structured prompts, input delimiters), filter "
        "inputs with an injection scanner, and give the model no authority it could misuse.",
        Severity.HIGH, ("LLM01", "AML.T0051.000", "CWE-77")),
    "indirect-prompt-injection": RuleInfo(
        "DH-LLM-INDIRECT-PROMPT-INJECTION", "Indirect prompt injection through retrieved content",
        "Instructions hidden in a document the application retrieved were followed as if the "
        "user or the developer had given them.",
        "Treat retrieved content as data: mark it clearly, strip instructions and invisible "
        "characters from it, and never let it trigger tools or change the model's task.",
        Severity.HIGH, ("LLM01", "AML.T0051.001", "CWE-77")),
    "jailbreak": RuleInfo(
        "DH-LLM-JAILBREAK", "Jailbreak bypassed the model's safety instructions",
        "Role play, hypothetical framing, refusal suppression, many-shot or payload splitting "
        "made the model do what its instructions forbid.",
        "Add an input and output guard (drillhall llm guard), restate the rules after user "
        "content, and evaluate refusals on every model or prompt change.",
        Severity.HIGH, ("LLM01", "AML.T0054", "CWE-693")),
    "system-prompt-extraction": RuleInfo(
        "DH-LLM-SYSTEM-PROMPT-EXTRACTION", "System prompt disclosed",
        "The model repeated its system prompt (or a close paraphrase of it) to the user, "
        "revealing the application's instructions, guard rails and anything embedded in them.",
        "Put no secret or access-control logic in the system prompt, instruct the model not "
        "to reveal it, and block answers that resemble it with an output filter.",
        Severity.MEDIUM, ("LLM07", "AML.T0056", "CWE-200")),
    "canary-leakage": RuleInfo(
        "DH-LLM-CANARY-LEAKAGE", "Canary or secret leaked in an answer",
        "A canary token planted in the system prompt, a retrieved document or a user record, "
        "or a credential, appeared in the model's answer.",
        "Keep secrets out of prompts and retrievable documents, scope retrieval to the asking "
        "user, and scan answers for canaries and secrets before they leave.",
        Severity.HIGH, ("LLM02", "AML.T0057", "CWE-200")),
    "pii-disclosure": RuleInfo(
        "DH-LLM-PII-DISCLOSURE", "Personal data disclosed in an answer",
        "The model gave out personal data (e-mail addresses, phone numbers, identity or card "
        "numbers) it should not share with the asking user.",
        "Minimise personal data in context, enforce the asking user's access rights before "
        "retrieval, and mask personal data in answers.",
        Severity.HIGH, ("LLM02", "AML.T0057", "CWE-359")),
    "output-handling": RuleInfo(
        "DH-LLM-OUTPUT-HANDLING", "Unsafe markup or exfiltration link in output",
        "The model produced a markdown image or link to an attacker's URL (which a chat UI "
        "fetches, leaking data in the URL), or HTML and script that a client would render.",
        "Treat model output as untrusted: encode it for its sink, render no remote images, "
        "allow-list link targets and strip HTML.",
        Severity.HIGH, ("LLM05", "AML.T0077", "CWE-79")),
    "excessive-agency": RuleInfo(
        "DH-LLM-EXCESSIVE-AGENCY", "Dangerous tool call made on an attacker's request",
        "The model called a tool the application does not allow it to call on its own, or "
        "called it with arguments an attacker chose.",
        "Offer the model only the tools it needs, check every call against a policy outside "
        "the model, and require a person's confirmation for destructive actions.",
        Severity.CRITICAL, ("LLM06", "AML.T0053", "CWE-250")),
    "unbounded-consumption": RuleInfo(
        "DH-LLM-UNBOUNDED-CONSUMPTION", "Runaway output length or latency",
        "A request made the model produce output far beyond what the application needs, or "
        "answer far slower than usual: cheap for an attacker, costly for the operator.",
        "Cap max_tokens and request size, rate-limit per user, and set time-outs and cost "
        "alerts.",
        Severity.MEDIUM, ("LLM10", "AML.T0034", "CWE-400")),
    "package-hallucination": RuleInfo(
        "DH-LLM-PACKAGE-HALLUCINATION", "Non-existent package recommended",
        "The model recommended installing a package that does not exist on the package "
        "index; an attacker can register that name and have users install it.",
        "Check package names against the index (and an allow-list) before showing install "
        "commands, and tell users to verify dependencies.",
        Severity.MEDIUM, ("LLM09", "AML.T0060", "CWE-1357")),
}

_GENERIC_RULE = RuleInfo(
    GENERIC, "Adversarial test case succeeded",
    "An attack from a user-supplied catalogue succeeded against the target.",
    "Read the transcript, fix the behaviour it shows, and keep the attack in the catalogue as "
    "a regression test.",
    Severity.HIGH, ())

RULES: tuple[RuleInfo, ...] = (*_RULES_BY_CATEGORY.values(), _GENERIC_RULE)
"""Every rule, for SARIF ``rules[]`` and the documentation."""

KNOWN_CATEGORIES: tuple[str, ...] = tuple(_RULES_BY_CATEGORY)


def rule_for(category: str) -> RuleInfo:
    """The rule of an attack category (the generic rule for a category drillhall does not
    know)."""
    return _RULES_BY_CATEGORY.get(category, _GENERIC_RULE)
