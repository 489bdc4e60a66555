"""Which model endpoints are software-as-a-service, and whose.

A host is SaaS when it belongs to a hosted model provider's public API (the table below:
public facts about where each provider serves its API). Anything else — loopback, private
addresses, cluster-internal names, a team's own gateway — counts as self-hosted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SAAS_HOSTS: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    (".openai.azure.com", "azure"),
    (".cognitiveservices.azure.com", "azure"),
    (".services.ai.azure.com", "azure"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "google"),
    ("aiplatform.googleapis.com", "google"),
    ("api.mistral.ai", "mistral"),
    ("api.cohere.ai", "cohere"),
    ("api.cohere.com", "cohere"),
    ("api.groq.com", "groq"),
    ("api.together.xyz", "together"),
    ("api.fireworks.ai", "fireworks"),
    ("api.deepseek.com", "deepseek"),
    ("openrouter.ai", "openrouter"),
    ("api.perplexity.ai", "perplexity"),
    ("api.x.ai", "xai"),
    ("api-inference.huggingface.co", "huggingface"),
    ("router.huggingface.co", "huggingface"),
    (".amazonaws.com", "aws"),
)
"""``(host or .suffix, provider)``. A leading dot matches the domain and its sub-domains;
``.amazonaws.com`` is taken as Bedrock only when ``bedrock`` is in the host name."""


def host_of(url: str) -> str:
    """The lower-case host name of a URL, a bare ``host:port``, or a target label such as
    ``api.openai.com gpt-4o`` (host first)."""
    text = url.strip().split()[0] if url.strip() else ""
    if text.startswith("python:"):  # a Python callable target runs in process: no host
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        return (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:  # not a URL at all (e.g. "http://[oops"): no host to judge
        return ""


def saas_provider(url: str) -> str | None:
    """The SaaS provider serving ``url``, or ``None`` when it looks self-hosted."""
    host = host_of(url)
    if not host:
        return None
    for pattern, provider in SAAS_HOSTS:
        if pattern.startswith("."):
            if host.endswith(pattern) or host == pattern[1:]:
                if provider == "aws" and "bedrock" not in host:
                    continue
                return provider
        elif host == pattern or host.endswith("-" + pattern) or host.endswith("." + pattern):
            return provider
    return None


def provider_allowed(url: str, allowed: list[str]) -> bool:
    """Whether ``url`` is served by one of ``allowed`` (provider names or host names)."""
    if not allowed:
        return True
    wanted = {a.strip().lower() for a in allowed if a.strip()}
    host = host_of(url)
    if not host:  # an in-process callable, or nothing parseable: not a provider
        return True
    provider = saas_provider(url) or "self-hosted"
    return provider in wanted or host in wanted or any(
        w.startswith(".") and host.endswith(w) for w in wanted)
