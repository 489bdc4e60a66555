"""A target speaking the OpenAI chat-completions API: OpenAI, Azure OpenAI, Ollama (``/v1``),
vLLM, llama.cpp server, LiteLLM and anything else that copies it.

::

    target = OpenAIChatTarget("http://127.0.0.1:11434/v1", "llama3.1", stream=True)
    reply = await target.send([Message("user", "Hello")])

The API key is read once from the environment variable named by ``api_key_env`` and is sent
as ``Authorization: Bearer …`` (or ``api-key: …`` for Azure: a host under
``openai.azure.com`` / ``cognitiveservices.azure.com``, or whenever ``api_version`` is set,
which also adds the ``api-version`` query parameter). It is never accepted as an argument,
never shown by ``repr`` or :attr:`name`, and masked in every error message.

With ``model=None`` the model is asked of the server (``GET …/models``) before the first
request and the first one listed is used: enough for a vLLM or llama.cpp server that serves one
model. Azure deployment URLs (``…/openai/deployments/NAME``) name it themselves.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import httpx

from drillhall.errors import ConfigError
from drillhall.llm.targets.base import (
    Budget,
    RateLimitStats,
    RetryPolicy,
    one_line,
    read_api_key,
    safe_uri,
)
from drillhall.llm.targets.http import DEFAULT_MAX_RESPONSE_BYTES, HttpEngine, HttpResponse
from drillhall.llm.targets.wire import (
    ParseFailure,
    filtered_refusal,
    looks_like_sse,
    messages_payload,
    parse_completion,
    parse_stream,
    tools_payload,
)
from drillhall.llm.types import CONTENT_FILTER, Message, Reply, ToolSpec

__all__ = ["OpenAIChatTarget", "split_endpoint"]

_AZURE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
_DEPLOYMENT = re.compile(r"/openai/deployments/([^/]+)")


def split_endpoint(url: str) -> tuple[str, str]:
    """``(base URL, chat-completions URL)`` for a base URL or a full ``…/chat/completions``
    URL; :class:`ConfigError` when it is not an http(s) URL with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the target URL {safe_uri(url)!r} is not an http:// or https:// URL "
                          "with a host")
    if parts.username or parts.password:
        raise ConfigError("the target URL must not carry a user name or password; put the key "
                          "in an environment variable and name it with api_key_env")
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        base_path, chat_path = path[: -len("/chat/completions")], path
    else:
        base_path, chat_path = path, path + "/chat/completions"
    base = urlunsplit((parts.scheme, parts.netloc, base_path, "", ""))
    chat = urlunsplit((parts.scheme, parts.netloc, chat_path, parts.query, ""))
    return base, chat


class OpenAIChatTarget:
    """An OpenAI-compatible chat-completions endpoint as a
    :class:`~drillhall.llm.types.Target`.

    ``stream`` asks for server-sent events and reassembles text and tool-call deltas;
    ``max_tokens_field`` is ``max_tokens`` or ``max_completion_tokens`` (newer OpenAI models);
    ``extra_body`` is merged into every request (e.g. ``{"seed": 7}``); ``headers`` are sent as
    given (never shown anywhere). Timeouts, retries, concurrency, the response size cap, the
    shared :class:`~drillhall.llm.targets.base.Budget` and
    :class:`~drillhall.llm.targets.base.RateLimitStats` are handled by
    :class:`~drillhall.llm.targets.http.HttpEngine`.
    """

    def __init__(self, base_url: str, model: str | None = None, *,
                 api_key_env: str | None = None, headers: Mapping[str, str] | None = None,
                 timeout: float = 60.0, max_retries: int = 3, concurrency: int = 4,
                 stream: bool = False, stream_usage: bool = True,
                 temperature: float | None = None, max_tokens: int | None = None,
                 max_tokens_field: str = "max_tokens", api_version: str | None = None,
                 extra_body: Mapping[str, object] | None = None,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 backoff_base: float = 0.5, max_backoff: float = 30.0,
                 budget: Budget | None = None, stats: RateLimitStats | None = None,
                 verify_tls: bool = True, label: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.base_url, self.url = split_endpoint(base_url)
        host = urlsplit(self.base_url).netloc
        self.azure = api_version is not None or (urlsplit(self.base_url).hostname or "").endswith(
            _AZURE_HOSTS)
        deployment = _DEPLOYMENT.search(urlsplit(self.base_url).path)
        self.model = model or (deployment.group(1) if deployment else None)
        self.api_key_env = api_key_env
        self.stream = stream
        self.stream_usage = stream_usage
        self.temperature = temperature
        self.max_tokens = max_tokens
        if max_tokens_field not in ("max_tokens", "max_completion_tokens"):
            raise ConfigError(f"max_tokens_field must be max_tokens or max_completion_tokens, "
                              f"not {max_tokens_field!r}")
        self.max_tokens_field = max_tokens_field
        self.api_version = api_version
        self.extra_body = dict(extra_body or {})
        self._label = label
        self._host = host
        key = read_api_key(api_key_env, os.environ if environ is None else environ)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self._headers.update(headers or {})
        if key is not None:
            if self.azure:
                self._headers["api-key"] = key
            else:
                self._headers["Authorization"] = f"Bearer {key}"
        secrets = tuple(v for v in (key, *(headers or {}).values()) if v and len(v) >= 8)
        self._params = {"api-version": api_version} if api_version else {}
        self._engine = HttpEngine(
            what=f"the target {self.name}", timeout=timeout,
            retry=RetryPolicy(max_retries, backoff_base, max_backoff), concurrency=concurrency,
            max_response_bytes=max_response_bytes, budget=budget, stats=stats, secrets=secrets,
            verify=verify_tls, transport=transport)
        self._model_lock: asyncio.Lock | None = None

    @property
    def name(self) -> str:
        """``label``, or host and model (``127.0.0.1:8000 qwen2.5``); never a key."""
        if self._label:
            return self._label
        return f"{self._host} {self.model}" if self.model else self._host

    @property
    def stats(self) -> RateLimitStats:
        """The rate-limit counters this target updates."""
        return self._engine.stats

    def __repr__(self) -> str:
        return (f"OpenAIChatTarget(url={safe_uri(self.url)!r}, model={self.model!r}, "
                f"api_key_env={self.api_key_env!r}, stream={self.stream})")

    async def _resolve_model(self) -> str:
        known = self.model
        if known:
            return known
        if self._model_lock is None:
            self._model_lock = asyncio.Lock()
        async with self._model_lock:
            known = self.model
            if known:
                return known
            response = await self._engine.request(
                "GET", self.base_url + "/models", headers=self._headers, params=self._params,
                charge=False)
            model = None
            if response.status == 200:
                try:
                    listing = json.loads(response.body)
                    model = str(listing["data"][0]["id"])
                except (ValueError, KeyError, IndexError, TypeError):
                    model = None
            if not model:
                raise self._engine.error(
                    f"no model was named for the target {self._host} and its /models listing "
                    f"(HTTP {response.status}) names none; give the model explicitly")
            self.model = model
            self._engine.what = f"the target {self.name}"
            return model

    def _body(self, model: str, messages: Sequence[Message], tools: Sequence[ToolSpec],
              max_tokens: int | None) -> dict[str, object]:
        body: dict[str, object] = {"model": model, "messages": messages_payload(messages)}
        if tools:
            body["tools"] = tools_payload(tools)
        limit = max_tokens if max_tokens is not None else self.max_tokens
        if limit is not None:
            body[self.max_tokens_field] = limit
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.stream:
            body["stream"] = True
            if self.stream_usage:
                body["stream_options"] = {"include_usage": True}
        body.update(self.extra_body)
        return body

    async def send(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                   max_tokens: int | None = None) -> Reply:
        """Send one conversation; see :class:`~drillhall.llm.types.Target`."""
        if not messages:
            raise ConfigError(f"no messages to send to the target {self.name}")
        model = await self._resolve_model()
        content = json.dumps(self._body(model, messages, tools, max_tokens)).encode()
        response = await self._engine.request("POST", self.url, headers=self._headers,
                                              content=content, params=self._params)
        if response.status == 400 and (refused := filtered_refusal(response.body)):
            # a guard or content filter in front of the model said no: an answer, not an error
            return Reply(one_line(refused, self._engine.secrets, limit=400), (),
                         CONTENT_FILTER, response.latency, raw_status=400)
        if not 200 <= response.status < 300:
            raise self._engine.status_error(response, self._hint(response.status))
        return replace(self._parse(response), latency=response.latency)

    def _hint(self, status: int) -> str:
        if status in (401, 403):
            where = (f"the key in {self.api_key_env}" if self.api_key_env
                     else "that an API key is needed (name its variable with api_key_env)")
            return f" (check {where})"
        if status == 404:
            return f" (check the URL {safe_uri(self.url)} and the model name)"
        return ""

    def _parse(self, response: HttpResponse) -> Reply:
        try:
            if looks_like_sse(response.body, response.content_type):
                return parse_stream(response.body, response.status)
            return parse_completion(response.body, response.status)
        except ParseFailure as exc:
            if "html" in response.content_type.lower():
                raise self._engine.error(
                    f"the target {self.name} answered an HTML page, not a chat completion "
                    f"(check the URL {safe_uri(self.url)})") from exc
            raise self._engine.error(f"the target {self.name} {exc}") from exc

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._engine.aclose()
