"""A generic HTTP endpoint described by a request template and a response path.

::

    target = HttpTemplateTarget(
        "https://chat.internal/api/ask",
        body_template='{"question": "{{prompt}}", "history": {{messages}}}',
        response_path="$.data.answer",
    )

Placeholders in ``body_template`` (and in the URL):

* ``{{prompt}}`` — the last user message;
* ``{{messages}}`` — the conversation as a JSON array of ``{"role", "content"}``;
* ``{{system}}`` — the system messages joined by blank lines (empty when there are none).

Substitution is JSON-aware: inside a JSON string (``"{{prompt}}"``) the value is escaped as
string content; outside one (``{{messages}}``) the whole JSON value is written. In the URL the
value is URL-encoded. The template must give valid JSON for any input, which is checked when
the target is built.

``response_path`` is a small JSON path: ``$.data.answer``, ``choices[0].message.content``,
``$['output'][-1].text``; ``None`` takes the whole body as text. A string is the answer; a
number or boolean is written as text; ``null`` is an empty answer; an object or array is
written as JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

import httpx

from drillhall.errors import ConfigError
from drillhall.llm.targets.base import Budget, RateLimitStats, RetryPolicy, read_api_key
from drillhall.llm.targets.http import DEFAULT_MAX_RESPONSE_BYTES, HttpEngine
from drillhall.llm.types import Message, Reply, ToolSpec

__all__ = ["HttpTemplateTarget", "JsonPath", "render_template"]

_PLACEHOLDER = re.compile(r"\{\{\s*(prompt|messages|system)\s*\}\}")
_STEP = re.compile(
    r"""\.(?P<key>[A-Za-z_][\w-]*)|\[(?P<index>-?\d+)\]|\[(?P<q>["'])(?P<quoted>.*?)(?P=q)\]"""
)
_MISSING = object()


class JsonPath:
    """A parsed small JSON path (keys and integer indexes only)."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        rest = self.text.removeprefix("$")
        if rest and rest[0] not in ".[":
            rest = "." + rest
        steps: list[str | int] = []
        position = 0
        while position < len(rest):
            match = _STEP.match(rest, position)
            if match is None:
                raise ConfigError(f"the response path {self.text!r} cannot be read at "
                                  f"{rest[position:]!r}; write it like $.data.answer or "
                                  "choices[0].message.content")
            if match.group("key") is not None:
                steps.append(match.group("key"))
            elif match.group("index") is not None:
                steps.append(int(match.group("index")))
            else:
                steps.append(match.group("quoted"))
            position = match.end()
        if not steps:
            raise ConfigError(f"the response path {self.text!r} selects nothing")
        self.steps = tuple(steps)

    def find(self, data: object) -> object:
        """The selected value, or a private sentinel when the path is not in ``data``."""
        node = data
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return _MISSING
                node = node[step]
            else:
                if not isinstance(node, Mapping) or step not in node:
                    return _MISSING
                node = node[step]
        return node

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"


def _string_spans(template: str) -> list[tuple[int, int]]:
    """Where JSON string literals are in ``template`` (start of opening quote, end)."""
    spans: list[tuple[int, int]] = []
    index, start, inside = 0, 0, False
    while index < len(template):
        char = template[index]
        if inside and char == "\\":
            index += 2
            continue
        if char == '"':
            if inside:
                spans.append((start, index + 1))
            else:
                start = index
            inside = not inside
        index += 1
    return spans


def render_template(template: str, values: Mapping[str, object]) -> str:
    """Fill the placeholders of ``template`` JSON-aware (see the module docstring)."""
    spans = _string_spans(template)

    def fill(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        encoded = json.dumps(value, ensure_ascii=False)
        if not any(start < match.start() < end for start, end in spans):
            return encoded
        if isinstance(value, str):
            return encoded[1:-1]
        return json.dumps(encoded, ensure_ascii=False)[1:-1]

    return _PLACEHOLDER.sub(fill, template)


def _values(messages: Sequence[Message]) -> dict[str, object]:
    users = [m.content for m in messages if m.role == "user"]
    return {
        "prompt": users[-1] if users else (messages[-1].content if messages else ""),
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "system": "\n\n".join(m.content for m in messages if m.role == "system"),
    }


class HttpTemplateTarget:
    """Any HTTP endpoint that takes a prompt and returns text, as a
    :class:`~drillhall.llm.types.Target`. Tools are not sent (the template has no place for
    them). ``api_key_env`` names the variable whose value is sent in ``auth_header`` after
    ``auth_scheme`` (``Authorization: Bearer …`` by default; ``auth_scheme=""`` sends it
    bare, e.g. for ``X-Api-Key``)."""

    def __init__(self, url: str, *, method: str = "POST", headers: Mapping[str, str] | None = None,
                 body_template: str | None = '{"prompt": "{{prompt}}"}',
                 response_path: str | None = None, api_key_env: str | None = None,
                 auth_header: str = "Authorization", auth_scheme: str = "Bearer",
                 timeout: float = 60.0, max_retries: int = 3, concurrency: int = 4,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 backoff_base: float = 0.5, max_backoff: float = 30.0,
                 budget: Budget | None = None, stats: RateLimitStats | None = None,
                 verify_tls: bool = True, label: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("the template target URL is not an http:// or https:// URL with "
                              "a host")
        if parts.username or parts.password:
            raise ConfigError("the template target URL must not carry a user name or password")
        self.url = url
        self.method = method.upper()
        if self.method not in ("GET", "POST", "PUT", "PATCH"):
            raise ConfigError(f"the template target method must be GET, POST, PUT or PATCH, "
                              f"not {method!r}")
        self.body_template = body_template if self.method != "GET" else None
        self.path = JsonPath(response_path) if response_path else None
        if self.body_template is not None:
            sample = _values([Message("system", 'a "quoted"\nline'), Message("user", "b\\c")])
            try:
                json.loads(render_template(self.body_template, sample))
            except ValueError as exc:
                raise ConfigError(f"the body template does not give valid JSON once filled in "
                                  f"({exc.args[0] if exc.args else exc}); keep placeholders "
                                  'inside strings ("{{prompt}}") or where a JSON value goes '
                                  "({{messages}})") from exc
        self.api_key_env = api_key_env
        self._label = label
        self._host = parts.netloc
        key = read_api_key(api_key_env, os.environ if environ is None else environ)
        self._headers = {"Accept": "application/json, text/plain;q=0.9, */*;q=0.1"}
        if self.body_template is not None:
            self._headers["Content-Type"] = "application/json"
        self._headers.update(headers or {})
        if key is not None:
            self._headers[auth_header] = f"{auth_scheme} {key}".strip()
        secrets = tuple(v for v in (key, *(headers or {}).values()) if v and len(v) >= 8)
        self._engine = HttpEngine(
            what=f"the target {self.name}", timeout=timeout,
            retry=RetryPolicy(max_retries, backoff_base, max_backoff), concurrency=concurrency,
            max_response_bytes=max_response_bytes, budget=budget, stats=stats, secrets=secrets,
            verify=verify_tls, transport=transport)

    @property
    def name(self) -> str:
        """``label``, or the host and path of the URL; never a key."""
        if self._label:
            return self._label
        return self._host + urlsplit(self.url).path

    @property
    def stats(self) -> RateLimitStats:
        """The rate-limit counters this target updates."""
        return self._engine.stats

    def __repr__(self) -> str:
        return (f"HttpTemplateTarget(url={self.name!r}, method={self.method!r}, "
                f"response_path={self.path.text if self.path else None!r}, "
                f"api_key_env={self.api_key_env!r})")

    async def send(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                   max_tokens: int | None = None) -> Reply:
        """Fill the template, send it and read the answer at ``response_path``."""
        values = _values(messages)
        def url_value(match: re.Match[str]) -> str:
            value = values[match.group(1)]
            return quote(value if isinstance(value, str) else json.dumps(value), safe="")

        url = _PLACEHOLDER.sub(url_value, self.url)
        content = None
        if self.body_template is not None:
            content = render_template(self.body_template, values).encode()
        response = await self._engine.request(self.method, url, headers=self._headers,
                                              content=content)
        if not 200 <= response.status < 300:
            raise self._engine.status_error(response)
        text = self._answer(response.body)
        return Reply(text=text, latency=response.latency, raw_status=response.status)

    def _answer(self, body: bytes) -> str:
        if self.path is None:
            return body.decode("utf-8", "replace")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise self._engine.error(f"the target {self.name} answered a body that is not "
                                     "JSON") from exc
        value = self.path.find(data)
        if value is _MISSING:
            raise self._engine.error(f"the target {self.name} answered JSON without "
                                     f"{self.path.text}")
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return json.dumps(value)
        return json.dumps(value, ensure_ascii=False)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._engine.aclose()
