"""Forwarding to the upstream: one pooled ``httpx.AsyncClient``, the upstream key added here
and nowhere else, and only harmless headers passed each way.

The client's own ``Authorization`` (its guard key) never reaches the upstream; the upstream's
key, read from the proxy's environment, never reaches the client, a log or the store.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from drillhall.llm.guard.proxy.settings import ProxySettings

__all__ = ["REQUEST_HEADERS", "RESPONSE_HEADERS", "Upstream", "response_headers"]

REQUEST_HEADERS = frozenset({"accept", "content-type", "openai-beta", "openai-organization",
                             "openai-project", "user-agent", "x-request-id"})
"""Client headers passed to the upstream (everything else, notably ``authorization``,
``cookie`` and hop-by-hop headers, is dropped)."""

RESPONSE_HEADERS = frozenset({"content-type", "retry-after", "openai-processing-ms",
                              "openai-model", "x-request-id"})
"""Upstream headers passed to the client, with every ``x-ratelimit-*`` header."""


def response_headers(headers: httpx.Headers) -> dict[str, str]:
    """The upstream's response headers the client may see."""
    return {k: v for k, v in headers.items()
            if k.lower() in RESPONSE_HEADERS or k.lower().startswith("x-ratelimit-")}


class Upstream:
    """The upstream server: its base URL, key and connection pool. Create the pool inside
    the event loop that uses it (:meth:`client`), close it with :meth:`aclose`."""

    def __init__(self, settings: ProxySettings, key: str | None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = settings.upstream.rstrip("/")
        self._key = key
        self._settings = settings
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            s = self._settings
            limits = httpx.Limits(max_connections=s.max_connections,
                                  max_keepalive_connections=s.max_connections,
                                  keepalive_expiry=30.0)
            timeout = httpx.Timeout(s.upstream_timeout_seconds,
                                    connect=s.upstream_connect_timeout_seconds)
            self._client = httpx.AsyncClient(limits=limits, timeout=timeout,
                                             transport=self._transport, trust_env=False)
        return self._client

    def headers(self, incoming: Mapping[str, str]) -> dict[str, str]:
        """The headers for the upstream request."""
        out = {k: v for k, v in incoming.items() if k.lower() in REQUEST_HEADERS}
        out.setdefault("content-type", "application/json")
        if self._key:
            out["authorization"] = f"Bearer {self._key}"
        return out

    def url(self, path: str) -> str:
        """The upstream URL of an OpenAI path such as ``/chat/completions``."""
        return self.base + path

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def __repr__(self) -> str:  # never the key
        return f"Upstream({self.base!r})"
