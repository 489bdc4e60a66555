"""One HTTP exchange with a target, done carefully: budget, concurrency, retries, a total
timeout and a cap on the size of what comes back.

:class:`HttpEngine` is shared by :class:`~drillhall.llm.targets.openai.OpenAIChatTarget` and
:class:`~drillhall.llm.targets.template.HttpTemplateTarget`. It reads the body as a stream and
stops at ``max_response_bytes`` (so a huge or endless body never fills memory), bounds each
attempt by ``timeout`` seconds from sending to the last byte (a target that never answers, or
drips bytes forever, ends in :class:`~drillhall.llm.targets.base.TargetTimeout`), and retries
as :class:`~drillhall.llm.targets.base.RetryPolicy` says. A 429 with ``Retry-After`` pauses
every request of the target until that moment, not only the one that got it.

Every error message goes through :func:`~drillhall.llm.targets.base.one_line` with the
target's secrets, so a key never appears in one even if a server echoes it back.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from drillhall.errors import ConfigError, TargetError
from drillhall.llm.targets.base import (
    RETRY_STATUSES,
    Budget,
    RateLimitStats,
    RetryPolicy,
    TargetTimeout,
    one_line,
    parse_retry_after,
)
from drillhall.llm.targets.wire import error_text

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpEngine", "HttpResponse"]

DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A fully read answer: status, headers (lower-case names), body, seconds to last byte."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    latency: float
    content_type: str = field(default="")


class _TooLarge(Exception):
    pass


@dataclass
class _LoopState:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    semaphore: asyncio.Semaphore


class HttpEngine:
    """Sends requests for one target. ``what`` names the target in error sentences;
    ``secrets`` are masked in every message. Safe for concurrent use from one event loop;
    used from a new event loop it opens a new connection pool."""

    def __init__(self, *, what: str, timeout: float = 60.0, retry: RetryPolicy | None = None,
                 concurrency: int = 4, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 budget: Budget | None = None, stats: RateLimitStats | None = None,
                 secrets: tuple[str, ...] = (), verify: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if timeout <= 0:
            raise ConfigError(f"the target timeout must be more than 0 seconds, not {timeout}")
        if concurrency < 1:
            raise ConfigError(f"the target concurrency must be at least 1, not {concurrency}")
        if max_response_bytes < 1024:
            raise ConfigError("the response size cap must be at least 1024 bytes, not "
                              f"{max_response_bytes}")
        self.what = what
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.concurrency = concurrency
        self.max_response_bytes = max_response_bytes
        self.budget = budget
        self.stats = stats if stats is not None else RateLimitStats()
        self.secrets = secrets
        self._verify = verify
        self._transport = transport
        self._state: _LoopState | None = None
        self._resume_at = 0.0
        self._rng = random.Random()  # noqa: S311 - backoff jitter, not security

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout), verify=self._verify,
                transport=self._transport, follow_redirects=False,
                limits=httpx.Limits(max_connections=self.concurrency,
                                    max_keepalive_connections=self.concurrency),
            )
            self._state = _LoopState(loop, client, asyncio.Semaphore(self.concurrency))
        return self._state

    def error(self, text: str) -> TargetError:
        """A :class:`TargetError` whose sentence is ``text`` with the secrets masked."""
        return TargetError(one_line(text, self.secrets, limit=400))

    def status_error(self, response: HttpResponse, hint: str = "") -> TargetError:
        """The error for a non-2xx answer, quoting the server's own message when it gave one."""
        message = error_text(response.body[:65536])
        reason = f": {one_line(message, self.secrets)}" if message else ""
        return self.error(f"{self.what} answered HTTP {response.status}{reason}{hint}")

    async def request(self, method: str, url: str, *, headers: Mapping[str, str],
                      content: bytes | None = None, params: Mapping[str, str] | None = None,
                      charge: bool = True) -> HttpResponse:
        """Send one request (taking one from the budget when ``charge``), retrying as the
        policy says; return the last answer, whatever its status, or raise
        :class:`TargetError`."""
        if charge and self.budget is not None:
            self.budget.take(self.what)
        state = self._loop_state()
        attempt = 0
        while True:
            pause = self._resume_at - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            self.stats.record_attempt()
            try:
                async with state.semaphore:
                    response = await asyncio.wait_for(
                        self._once(state.client, method, url, headers, content, params),
                        self.timeout)
            except (TimeoutError, httpx.TimeoutException) as exc:
                self.stats.record_timeout()
                raise TargetTimeout(one_line(
                    f"{self.what} did not answer within {self.timeout:g} seconds",
                    self.secrets)) from exc
            except _TooLarge as exc:
                raise self.error(
                    f"{self.what} answered more than {self.max_response_bytes} bytes, so the "
                    "answer was dropped (raise max_response_bytes if this is expected)") from exc
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_retries:
                    raise self.error(f"cannot reach {self.what}: {type(exc).__name__} "
                                     f"({one_line(exc, self.secrets, 120) or 'no detail'})"
                                     ) from exc
                await self._back_off(attempt, None)
                attempt += 1
                continue
            self.stats.record_status(response.status)
            if response.status not in RETRY_STATUSES or attempt >= self.retry.max_retries:
                return response
            wait = parse_retry_after(response.headers)
            if wait is not None and wait > self.retry.max_backoff:
                raise self.error(
                    f"{self.what} answered HTTP {response.status} and asked to wait "
                    f"{wait:.0f} seconds, more than the {self.retry.max_backoff:g} second "
                    "backoff cap")
            await self._back_off(attempt, wait)
            attempt += 1

    async def _back_off(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is None:
            wait = self.retry.backoff(attempt, self._rng.random())
        else:
            wait = retry_after
            self._resume_at = max(self._resume_at, time.monotonic() + wait)
        self.stats.record_backoff(wait)
        await asyncio.sleep(wait)

    async def _once(self, client: httpx.AsyncClient, method: str, url: str,
                    headers: Mapping[str, str], content: bytes | None,
                    params: Mapping[str, str] | None) -> HttpResponse:
        started = time.perf_counter()
        async with client.stream(method, url, headers=dict(headers), content=content,
                                 params=dict(params) if params else None) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _TooLarge
                chunks.append(chunk)
            lowered = {k.lower(): v for k, v in response.headers.items()}
            return HttpResponse(response.status_code, lowered, b"".join(chunks),
                                time.perf_counter() - started,
                                lowered.get("content-type", ""))

    async def aclose(self) -> None:
        """Close the connection pool of the current event loop (others are dropped)."""
        state, self._state = self._state, None
        if state is not None:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:  # pragma: no cover - aclose is always awaited
                return
            if state.loop is running:
                await state.client.aclose()
