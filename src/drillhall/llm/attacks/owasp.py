"""The OWASP Top 10 for LLM Applications (2025) and the MITRE ATLAS techniques drillhall's
attacks are tagged with.

Ids and titles are public facts: OWASP titles from the 2025 list
(https://genai.owasp.org/llm-top-10/), ATLAS technique names from ``mitre-atlas/atlas-data``
(``data/techniques.yaml``, checked against the May 2026 release). ATLAS has renamed some
techniques over time; the older name is kept in :data:`ATLAS_FORMER_NAMES` so that reports
written against an older matrix can still be matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ATLAS_FORMER_NAMES",
    "ATLAS_TECHNIQUES",
    "OWASP_LLM_TOP10",
    "atlas_name",
    "owasp_title",
]

OWASP_LLM_TOP10: Mapping[str, str] = MappingProxyType({
    "LLM01": "Prompt Injection",
    "LLM02": "Sensitive Information Disclosure",
    "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning",
    "LLM05": "Improper Output Handling",
    "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage",
    "LLM08": "Vector and Embedding Weaknesses",
    "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
})
"""OWASP Top 10 for LLM Applications, 2025 edition: id → title."""

ATLAS_TECHNIQUES: Mapping[str, str] = MappingProxyType({
    "AML.T0024": "Exfiltration via AI Inference API",
    "AML.T0029": "Denial of AI Service",
    "AML.T0034": "Cost Harvesting",
    "AML.T0034.001": "Cost Harvesting: Resource-Intensive Queries",
    "AML.T0048": "External Harms",
    "AML.T0048.000": "External Harms: Financial Harm",
    "AML.T0048.003": "External Harms: User Harm",
    "AML.T0051": "LLM Prompt Injection",
    "AML.T0051.000": "LLM Prompt Injection: Direct",
    "AML.T0051.001": "LLM Prompt Injection: Indirect",
    "AML.T0051.002": "LLM Prompt Injection: Triggered",
    "AML.T0053": "AI Agent Tool Invocation",
    "AML.T0054": "LLM Jailbreak",
    "AML.T0056": "Extract LLM System Prompt",
    "AML.T0057": "LLM Data Leakage",
    "AML.T0060": "Publish Hallucinated Entities",
    "AML.T0062": "Discover LLM Hallucinations",
    "AML.T0067": "LLM Trusted Output Components Manipulation",
    "AML.T0068": "LLM Prompt Obfuscation",
    "AML.T0069.002": "Discover LLM System Information: System Prompt",
    "AML.T0077": "LLM Response Rendering",
    "AML.T0086": "Exfiltration via AI Agent Tool Invocation",
    "AML.T0101": "Data Destruction via AI Agent Tool Invocation",
})
"""The MITRE ATLAS techniques drillhall's attacks use: id → name (current ATLAS wording)."""

ATLAS_FORMER_NAMES: Mapping[str, str] = MappingProxyType({
    "AML.T0029": "Denial of ML Service",
    "AML.T0053": "LLM Plugin Compromise",
    "AML.T0056": "LLM Meta Prompt Extraction",
})
"""Names some techniques had in earlier ATLAS releases."""


def owasp_title(owasp_id: str) -> str:
    """``"LLM01"`` → ``"LLM01:2025 Prompt Injection"``; raises ``KeyError`` for unknown ids."""
    return f"{owasp_id}:2025 {OWASP_LLM_TOP10[owasp_id]}"


def atlas_name(atlas_id: str) -> str:
    """The ATLAS technique name for ``atlas_id``; raises ``KeyError`` for unknown ids."""
    return ATLAS_TECHNIQUES[atlas_id]
