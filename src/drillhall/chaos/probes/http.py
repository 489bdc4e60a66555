"""Chaos Toolkit's ``http`` provider, with drillhall's checks added.

Output (as Chaos Toolkit): ``{"status": code, "headers": {...}, "body": JSON or text}`` plus
``"latency_ms"``. The activity fails when the request cannot be made, or when
``expected_status`` is given and the status is not one of them. drillhall's checks decide the
verdict ``ok`` (used when no tolerance is given): the status is ``expected_status`` (or below
400), the answer came within ``max_latency_ms``, the body contains ``body_contains`` and
matches ``body_regex``, and ``json_path`` selects a value (equal to ``json_expect`` if given).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Event
from typing import Any

import httpx

from drillhall.chaos.jsonpath import find
from drillhall.chaos.probes.base import Observation, ProbeError, Provider

BODY_LIMIT = 64_000
_MISSING = object()


READ_LIMIT = 1_048_576
"""Bytes of an answer a probe reads at most (the rest is dropped): a server streaming an
endless body must not exhaust the runner's memory."""


def decode_body(body: bytes, content_type: str) -> Any:
    """JSON when the answer says so (or parses as JSON), else text (truncated)."""
    text = body.decode("utf-8", "replace")[:BODY_LIMIT]
    if "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            return text
    return text


def bounded_request(client: httpx.Client, method: str, url: str, headers: Mapping[str, str],
                    kwargs: Mapping[str, Any], *, seconds: float,
                    cancel: Event) -> tuple[int, dict[str, str], bytes]:
    """One request whose *whole* answer must arrive within ``seconds`` (httpx's timeout
    bounds each read, not the response): the body is read in chunks, at most
    :data:`READ_LIMIT` bytes, stopping at the deadline or when ``cancel`` is set.
    :class:`httpx.TimeoutException` when the deadline passes."""
    deadline = time.monotonic() + seconds
    with client.stream(method, url, headers=dict(headers), **kwargs) as response:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if cancel.is_set():
                break
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(f"the answer took longer than {seconds:g} s")
            chunks.append(chunk[: READ_LIMIT - size])
            size += len(chunk)
            if size >= READ_LIMIT:
                break
        return response.status_code, dict(response.headers), b"".join(chunks)


def request_kwargs(method: str, body: Any) -> dict[str, Any]:
    """Chaos Toolkit's ``arguments``: query parameters for GET, JSON for a mapping, else raw."""
    if body is None:
        return {}
    if method.upper() == "GET" and isinstance(body, Mapping):
        return {"params": {k: str(v) for k, v in body.items()}}
    if isinstance(body, Mapping | list):
        return {"json": body}
    return {"content": str(body).encode()}


@dataclass(frozen=True)
class HttpProvider(Provider):
    """One HTTP request and its checks."""

    kind = "http"
    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    expected_status: tuple[int, ...] = ()
    timeout: float = 5.0
    verify_tls: bool = True
    max_latency_ms: float | None = None
    body_contains: str | None = None
    body_regex: str | None = None
    json_path: str | None = None
    json_expect: Any = _MISSING
    secrets: tuple[str, ...] = ()

    def describe(self) -> str:
        checks = []
        if self.expected_status:
            checks.append("status " + "/".join(map(str, self.expected_status)))
        if self.max_latency_ms is not None:
            checks.append(f"within {self.max_latency_ms:g} ms")
        if self.body_contains or self.body_regex:
            checks.append("body match")
        if self.json_path:
            checks.append(f"json {self.json_path}")
        return f"{self.method} {self.url}" + (f" ({', '.join(checks)})" if checks else "")

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        limit = min(self.timeout, timeout) if timeout else self.timeout
        started = time.monotonic()
        try:
            with httpx.Client(timeout=limit, verify=self.verify_tls) as client:
                status, headers, body = bounded_request(
                    client, self.method, self.url, self.headers,
                    request_kwargs(self.method, self.body), seconds=limit, cancel=cancel)
        except httpx.HTTPError as exc:
            raise ProbeError(f"{self.method} {self.url} failed: "
                             f"{type(exc).__name__}: {exc}") from None
        latency = (time.monotonic() - started) * 1000
        return self.judge(status, headers,
                          decode_body(body, headers.get("content-type", "")), latency)

    def judge(self, status: int, headers: Mapping[str, str], body: Any,
              latency_ms: float) -> Observation:
        """The observation of one answer: output, activity failure and verdict."""
        output = {"status": status, "headers": dict(headers), "body": body,
                  "latency_ms": round(latency_ms, 2)}
        if self.expected_status and status not in self.expected_status:
            return Observation(output, False, f"{self.method} {self.url} answered {status}, "
                               f"expected {'/'.join(map(str, self.expected_status))}")
        problems = []
        if not self.expected_status and status >= 400:
            problems.append(f"status {status}")
        if self.max_latency_ms is not None and latency_ms > self.max_latency_ms:
            problems.append(f"{latency_ms:.0f} ms > {self.max_latency_ms:g} ms")
        text = body if isinstance(body, str) else json.dumps(body)
        if self.body_contains is not None and self.body_contains not in text:
            problems.append(f"body lacks {self.body_contains!r}")
        if self.body_regex is not None and not re.search(self.body_regex, text):
            problems.append(f"body does not match /{self.body_regex}/")
        if self.json_path:
            document = body
            if isinstance(body, str):
                try:
                    document = json.loads(body)
                except ValueError:
                    document = None
            values = find(self.json_path, document)
            if not values:
                problems.append(f"{self.json_path} selects nothing")
            elif self.json_expect is not _MISSING and values[0] != self.json_expect:
                problems.append(f"{self.json_path} is {values[0]!r}, expected "
                                f"{self.json_expect!r}")
        detail = "; ".join(problems) or f"{status} in {latency_ms:.0f} ms"
        return Observation(output, not problems, detail=detail)

    def secret_values(self) -> tuple[str, ...]:
        return self.secrets
