"""The rules of the ``guard-scan`` drill (``drillhall llm guard scan``).

One finding per flagged text; its rule is that of the most severe scanner that flagged it,
and its tags name every scanner that did (``scanner:<name>``) plus the OWASP Top 10 for LLM
applications (2025) ids of what they found.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

PROMPT_INJECTION = "DH-GUARD-PROMPT-INJECTION"
SECRET = "DH-GUARD-SECRET"  # noqa: S105 - a rule id
PII = "DH-GUARD-PII"
INVISIBLE_TEXT = "DH-GUARD-INVISIBLE-TEXT"
BANNED = "DH-GUARD-BANNED"
TOKEN_LIMIT = "DH-GUARD-TOKEN-LIMIT"  # noqa: S105 - a rule id
SCANNER_ERROR = "DH-GUARD-SCANNER-ERROR"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        PROMPT_INJECTION, "Text reads as a prompt injection or jailbreak",
        "The guard's prompt-injection detector scores the text at or above its threshold: an "
        "attempt to override the application's instructions, extract its system prompt or "
        "switch the model into an unrestricted persona, possibly hidden in invisible tag "
        "characters.",
        "Block the request (the guard's default action for this scanner); if the text comes "
        "from a retrieved document, drop the document and review its source.",
        Severity.HIGH, ("LLM01", "CWE-77")),
    RuleInfo(
        SECRET, "Text contains a credential",
        "A credential that drillhall's secret rules detect (an API key, token, private key or "
        "a password in a connection string) is in the text, and would reach the model provider "
        "and its logs.",
        "Redact credentials before they reach the model (the guard's default for this "
        "scanner) and rotate any credential that was sent.",
        Severity.HIGH, ("LLM02", "CWE-200")),
    RuleInfo(
        PII, "Text contains personal data",
        "Personal data of the configured kinds (email, phone, payment card, IBAN, national "
        "identifiers, date of birth by default) is in the text.",
        "Redact personal data before it reaches the model unless the application needs it and "
        "the provider is approved for it.",
        Severity.MEDIUM, ("LLM02", "CWE-359")),
    RuleInfo(
        INVISIBLE_TEXT, "Text contains invisible or bidi-control characters",
        "Unicode tag characters, zero-width characters, bidirectional controls or variation "
        "selectors render as nothing but are read by the model: they smuggle instructions past "
        "a human reviewer or reorder what is shown.",
        "Strip invisible characters from prompts and retrieved documents (the guard's default "
        "action for this scanner).",
        Severity.MEDIUM, ("LLM01", "CWE-1007")),
    RuleInfo(
        BANNED, "Text contains banned content",
        "The text matches a banned substring, regular expression or topic keyword of the "
        "guard's configuration.",
        "Block or redact the text, or adjust the banned lists if the match is legitimate.",
        Severity.MEDIUM, ()),
    RuleInfo(
        TOKEN_LIMIT, "Text is longer than the token limit",
        "The text's estimated token count exceeds the configured limit: long prompts cost "
        "money and time and can push the system prompt out of the context window.",
        "Reject or truncate over-long prompts; set the limit to what the application needs.",
        Severity.LOW, ("LLM10", "CWE-400")),
    RuleInfo(
        SCANNER_ERROR, "A guard scanner failed on the text",
        "A scanner raised an error on this text. With fail_closed on (the default) the guard "
        "blocks such a text, because it could not be checked.",
        "Report the failure with the text (kept private) so the scanner can be fixed.",
        Severity.HIGH, ("CWE-755",)),
)

RULE_BY_SCANNER: dict[str, str] = {
    "prompt-injection": PROMPT_INJECTION,
    "secrets": SECRET,
    "pii": PII,
    "invisible-text": INVISIBLE_TEXT,
    "banned": BANNED,
    "token-limit": TOKEN_LIMIT,
}
"""The rule of each built-in input scanner; a failing scanner's is :data:`SCANNER_ERROR`."""

RULE_INFO: dict[str, RuleInfo] = {r.rule_id: r for r in RULES}
