"""The rules of the eval drill: forbidden content, accuracy below target or dropping, and
drift of the guard's live signals.

Rule ids are stable; tags carry the OWASP Top 10 for LLM applications (2025) id and CWE ids.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

FORBIDDEN = RuleInfo(
    "DH-EVAL-FORBIDDEN", "Forbidden content in an answer to a golden question",
    "The answer to a golden-set question contained text the golden set forbids (a secret, a "
    "canary, a wrong policy, a link to a host that must never appear). The item scores 0.",
    "Find why the application produced it (retrieved document, system prompt, model change), "
    "remove the source, and filter answers for it with the guard's output scanners.",
    Severity.HIGH, ("LLM02", "LLM09", "CWE-200"))
ACCURACY_DROP = RuleInfo(
    "DH-EVAL-ACCURACY-DROP", "Answer accuracy dropped significantly",
    "The golden set's pass rate fell against earlier runs of the same target by more than "
    "chance explains (one-sided test at the configured significance) and by at least the "
    "configured minimum drop.",
    "Look at the per-item regressions listed, compare the model, prompt, retrieval index and "
    "documents with the previous run's, and roll back the change that caused the drop.",
    Severity.HIGH, ("LLM09",))
BELOW_TARGET = RuleInfo(
    "DH-EVAL-BELOW-TARGET", "Pass rate below the target",
    "The share of golden questions answered correctly is below the configured min_pass_rate.",
    "Improve retrieval, prompt or model until the golden set passes, or revisit the target "
    "with the people who own it.",
    Severity.MEDIUM, ("LLM09",))
DRIFT_REFUSAL = RuleInfo(
    "DH-EVAL-DRIFT-REFUSAL", "Refusal rate drifted",
    "The share of answers that are refusals changed significantly against the baseline "
    "window: over-refusal after a model or prompt change, or a model that stopped refusing.",
    "Compare recent answers with baseline ones, check for a model or system-prompt change, "
    "and re-run the golden set and the red team.",
    Severity.MEDIUM, ("LLM09",))
DRIFT_BLOCKED = RuleInfo(
    "DH-EVAL-DRIFT-BLOCKED", "Share of blocked requests rose",
    "The guard blocked a significantly larger share of requests than in the baseline window: "
    "an attack campaign, abusive clients or a scanner that became too strict.",
    "Look at the audit log for the clients and scanners behind the blocks; block abusive keys "
    "or tune the scanner.",
    Severity.MEDIUM, ("LLM01", "LLM10"))
DRIFT_INJECTION = RuleInfo(
    "DH-EVAL-DRIFT-INJECTION", "Prompt-injection attempts rose",
    "The share of requests the guard's detector flagged as prompt injection or jailbreak rose "
    "significantly against the baseline window.",
    "Find the clients sending them in the audit log, rate-limit or block them, and re-run the "
    "red team against the current deployment.",
    Severity.MEDIUM, ("LLM01", "CWE-77"))
DRIFT_LEAK = RuleInfo(
    "DH-EVAL-DRIFT-LEAK", "Leaks in answers rose",
    "The share of answers in which the guard found a canary, the system prompt, a secret or "
    "personal data rose significantly against the baseline window.",
    "Check what is being leaked in the audit log, keep the guard's output scanners on block, "
    "and remove the leaked material from prompts and retrievable documents.",
    Severity.HIGH, ("LLM02", "LLM07", "CWE-200"))
DRIFT_LENGTH = RuleInfo(
    "DH-EVAL-DRIFT-LENGTH", "Answer length drifted",
    "The median answer length moved far outside the baseline's range: answers became "
    "truncated, verbose or templated, often after a model or prompt change.",
    "Compare recent answers with baseline ones and re-run the golden set.",
    Severity.LOW, ("LLM09", "LLM10"))
DRIFT_LATENCY = RuleInfo(
    "DH-EVAL-DRIFT-LATENCY", "Latency drifted upwards",
    "Latency (end to end, or added by the guard) rose far above the baseline's range.",
    "Check the upstream model's health and load, the guard's scanners and the network path; "
    "cap max_tokens and time-outs.",
    Severity.LOW, ("LLM10", "CWE-400"))
DRIFT_ANSWERS = RuleInfo(
    "DH-EVAL-DRIFT-ANSWERS", "Answer content drifted",
    "The distribution of answer embeddings moved away from the baseline (cosine distance of the "
    "mean answer vectors beyond the threshold): the application is answering differently, "
    "about other topics, or with other wording.",
    "Read a sample of recent answers, look for a model, prompt or index change, and re-run "
    "the golden set.",
    Severity.MEDIUM, ("LLM09",))

DRIFT_RULES: dict[str, RuleInfo] = {
    "refusal_rate": DRIFT_REFUSAL, "blocked_rate": DRIFT_BLOCKED,
    "injection_rate": DRIFT_INJECTION, "leak_rate": DRIFT_LEAK,
    "answer_chars_p50": DRIFT_LENGTH, "latency_ms_p50": DRIFT_LATENCY,
    "latency_ms_p95": DRIFT_LATENCY, "added_latency_ms_p50": DRIFT_LATENCY,
    "answer_vector": DRIFT_ANSWERS,
}
"""The rule of each drift signal."""

RULES: tuple[RuleInfo, ...] = (
    FORBIDDEN, ACCURACY_DROP, BELOW_TARGET, DRIFT_REFUSAL, DRIFT_BLOCKED, DRIFT_INJECTION,
    DRIFT_LEAK, DRIFT_LENGTH, DRIFT_LATENCY, DRIFT_ANSWERS,
)
"""Every rule, for SARIF ``rules[]`` and the documentation."""
