"""The guard proxy: an OpenAI-compatible reverse proxy with input and output scanners.

::

    proxy = GuardProxy(settings, engine, store=store, upstream_key=key)
    app = proxy.app                      # an ASGI app (Starlette); lifespan starts and stops it

Routes: ``POST /v1/chat/completions`` (JSON or server-sent events, tools and tool calls
passed on), ``POST /v1/completions``, ``POST /v1/embeddings`` (input scanned, output passed
on), ``GET /v1/models`` (passed on), ``GET /metrics`` (Prometheus; a client key unless
``metrics_auth = "open"``), ``GET /health`` (always open).

For each request, in order: the client key (401 when missing, wrong or revoked, unless
anonymous calls are allowed), an abuse block (403), the rate limits and cost cap (429 with
``Retry-After``), the body (400 when it is not a valid request), the input scanners (400
``guard_blocked`` naming the scanner, or the masked prompt goes on), the upstream (502/504
when it cannot be reached, its own error passed on as it is), the tool-call policy and the
output scanners on the answer's text and on its tool calls' arguments (400 ``guard_blocked``,
or the masked answer), then the audit record. A scanner that raises, or an answer that
cannot be read to be scanned, refuses the request (503/502) when the guard fails closed, the
default; the response and the log say so. ``GET /metrics`` asks for a client key too unless
``metrics_auth`` is ``open`` (the default only when anonymous calls are allowed).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from drillhall.core.model import utcnow
from drillhall.errors import DependencyMissing
from drillhall.llm.guard.proxy.arguments import TOOL_CALL, guard_arguments, tool_call_slots
from drillhall.llm.guard.proxy.audit import AuditRecord, AuditSink, digest
from drillhall.llm.guard.proxy.bodies import (
    BadRequest,
    Route,
    Slot,
    error_body,
    estimate_tokens,
    input_slots,
    output_slots,
    parse_request,
    system_text,
    usage_of,
)
from drillhall.llm.guard.proxy.engine import Applied, ScanEngine, ScannerFailure
from drillhall.llm.guard.proxy.forward import Upstream, response_headers
from drillhall.llm.guard.proxy.keys import KeyRing
from drillhall.llm.guard.proxy.limits import AbuseMonitor, Denial, Limiter
from drillhall.llm.guard.proxy.metrics import CONTENT_TYPE, GuardMetrics
from drillhall.llm.guard.proxy.settings import ProxySettings
from drillhall.llm.guard.proxy.streaming import (
    GuardBlocked,
    StreamRelay,
    UnreadableStream,
    sse,
)
from drillhall.llm.guard.proxy.tools import SCANNER as TOOL_POLICY
from drillhall.llm.guard.proxy.tools import disallowed
from drillhall.llm.guard.scanners.base import Direction, ScanContext
from drillhall.llm.targets.wire import ParseFailure, error_text, parse_completion
from drillhall.store import Store
from drillhall.store import guard as guard_store

try:
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route as Path
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DependencyMissing("starlette", "guard") from exc

__all__ = ["GuardProxy"]

log = logging.getLogger("drillhall.guard")
ANONYMOUS = "anonymous"


@dataclass(slots=True)
class _Call:
    """What is known about one request so far (becomes its audit record)."""

    route: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    started: float = field(default_factory=time.perf_counter)
    client: str = "unknown"
    model: str | None = None
    stream: bool = False
    decisions: list[str] = field(default_factory=list)
    verdicts: list[Applied] = field(default_factory=list)
    prompt: str | None = None
    answer: str | None = None
    redacted: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    upstream_ms: float | None = None
    guard_only_ms: float | None = None


def _error(status: int, message: str, kind: str, code: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind, code), status_code=status, headers=headers)


class GuardProxy:
    """The proxy's state — scanners, keys, limits, audit — and its ASGI app (:attr:`app`).
    ``store`` holds client keys, audit rows and signal runs (without it only anonymous
    calls work and nothing is stored); ``upstream_key`` is sent to the upstream only."""

    def __init__(self, settings: ProxySettings, engine: ScanEngine, *,
                 store: Store | None = None, upstream_key: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self.upstream = Upstream(settings, upstream_key, transport)
        self.metrics = GuardMetrics()
        self.keys = KeyRing(self._load_keys, settings.keys_refresh_seconds)
        self.limiter = Limiter(settings.limits)
        self.abuse = AbuseMonitor(settings.abuse)
        self.sink = AuditSink(self.metrics, store, settings.service, audit=settings.audit,
                              window_seconds=settings.signals_window_seconds)
        self._keys_lock: asyncio.Lock | None = None
        self.app = self._build()

    # -- life cycle ---------------------------------------------------------------------

    def _load_keys(self) -> list[guard_store.StoredKey]:
        if self.store is None:
            return []
        return guard_store.list_keys(self.store, include_revoked=False)

    async def startup(self) -> None:
        """Start the audit worker and read the client keys."""
        self.sink.start()
        await asyncio.to_thread(self.keys.reload)

    async def shutdown(self) -> None:
        """Close the upstream pool; store what the audit worker holds."""
        await self.upstream.aclose()
        await asyncio.to_thread(self.sink.close)

    def _build(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            await self.startup()
            try:
                yield
            finally:
                await self.shutdown()

        async def chat(request: Request) -> Response:
            return await self._handle(request, "chat", "/chat/completions")

        async def completions(request: Request) -> Response:
            return await self._handle(request, "completions", "/completions")

        async def embeddings(request: Request) -> Response:
            return await self._handle(request, "embeddings", "/embeddings")

        async def health(_request: Request) -> Response:
            return JSONResponse({"status": "ok"})

        async def metrics(request: Request) -> Response:
            if not self.settings.metrics_open:
                call = _Call("metrics")
                denied = await self._authenticate(request, call, anonymous=False)
                if denied is not None:
                    return self._finish(call, denied, "denied")
            return Response(self.metrics.exposition(), media_type=CONTENT_TYPE)

        async def unknown(request: Request) -> Response:
            return _error(404, f"Unknown request URL: {request.method} {request.url.path}.",
                          "invalid_request_error", "unknown_url")

        async def crashed(_request: Request, exc: Exception) -> Response:
            log.error(json.dumps({"event": "guard.internal_error",
                                  "error": type(exc).__name__}))
            return _error(500, "The guard failed while handling the request.", "guard_error",
                          "internal_error")

        routes = [
            Path("/v1/chat/completions", chat, methods=["POST"]),
            Path("/v1/completions", completions, methods=["POST"]),
            Path("/v1/embeddings", embeddings, methods=["POST"]),
            Path("/v1/models", self._models, methods=["GET"]),
            Path("/metrics", metrics, methods=["GET"]),
            Path("/health", health, methods=["GET"]),
            Path("/{path:path}", unknown, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        ]
        return Starlette(routes=routes, lifespan=lifespan,
                         exception_handlers={Exception: crashed})

    # -- admission ------------------------------------------------------------------------

    async def _authenticate(self, request: Request, call: _Call, *,
                            anonymous: bool | None = None) -> Response | None:
        """Check the client key (``anonymous``: whether a call without one passes; default
        the settings' ``allow_anonymous``); the 401 response, or ``None``."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        token = token or request.headers.get("x-api-key", "").strip()
        if not token:
            if self.settings.allow_anonymous if anonymous is None else anonymous:
                call.client = ANONYMOUS
                return None
            call.decisions.append("denied:auth")
            return _error(401, "You didn't provide an API key. Send your guard client key as "
                          "'Authorization: Bearer KEY'.", "invalid_request_error",
                          "missing_api_key")
        if self.keys.stale:
            if self._keys_lock is None:
                self._keys_lock = asyncio.Lock()
            async with self._keys_lock:
                if self.keys.stale:
                    await asyncio.to_thread(self.keys.reload)
        name = self.keys.check(token)
        if name is None:
            call.decisions.append("denied:auth")
            return _error(401, "Incorrect API key provided: the guard does not know this "
                          "client key, or it was revoked.", "invalid_request_error",
                          "invalid_api_key")
        call.client = name
        return None

    async def _admit(self, request: Request, call: _Call) -> Response | None:
        denied = await self._authenticate(request, call)
        if denied is not None:
            return self._finish(call, denied, "denied")
        refusal = self.abuse.check(call.client) or self.limiter.admit(call.client)
        if refusal is not None:
            return self._deny(call, refusal)
        return None

    def _deny(self, call: _Call, denial: Denial) -> Response:
        call.decisions.append(f"denied:{denial.kind}")
        status = 403 if denial.kind == "abuse" else 429
        kind = "guard_client_blocked" if denial.kind == "abuse" else "rate_limit_exceeded"
        response = _error(status, f"{denial.message[0].upper()}{denial.message[1:]}; try "
                          f"again in {denial.retry_after} seconds.", kind,
                          f"{denial.kind}_limit" if denial.kind != "abuse" else "client_blocked",
                          headers={"Retry-After": str(denial.retry_after)})
        return self._finish(call, response, "denied")

    # -- scanning -------------------------------------------------------------------------

    def _context(self, data: dict[str, Any], client: str, prompt: str | None) -> ScanContext:
        s = self.settings
        return ScanContext(system_prompt=s.system_prompt or system_text(data),
                           canaries=s.canaries, allowed_hosts=s.allowed_hosts, prompt=prompt,
                           client=client)

    def _scan(self, slots: Sequence[Slot], direction: Direction, context: ScanContext,
              call: _Call) -> str | None:
        """Scan every slot; write masked texts back. The blocking scanner, or ``None``."""
        for slot in slots:
            text = slot.text
            if not text:
                continue
            outcome = self.engine.scan(text, direction, context)
            call.verdicts.extend(outcome.applied)
            if outcome.blocked_by is not None:
                return outcome.blocked_by
            if outcome.text != text:
                slot.set(outcome.text)
                call.redacted = True
        return None

    def _scan_tool_calls(self, data: Any, context: ScanContext, call: _Call) -> str | None:
        """Scan the arguments of every tool call of an answer; write masked arguments back.
        The blocking scanner, or ``None``."""
        for slot in tool_call_slots(data):
            outcome = guard_arguments(self.engine, slot.text, context, tool=slot.tool,
                                      location=slot.location)
            call.verdicts.extend(outcome.applied)
            if outcome.blocked_by is not None:
                return outcome.blocked_by
            if outcome.text != slot.text:
                slot.set(outcome.text)
                call.redacted = True
        return None

    # -- requests -------------------------------------------------------------------------

    async def _models(self, request: Request) -> Response:
        call = _Call("models")
        denied = await self._admit(request, call)
        if denied is not None:
            return denied
        t0 = time.perf_counter()
        try:
            upstream = await self.upstream.client().get(
                self.upstream.url("/models"), headers=self.upstream.headers(request.headers))
        except httpx.HTTPError as exc:
            return self._upstream_failed(call, exc)
        call.upstream_ms = (time.perf_counter() - t0) * 1000
        outcome = "allowed" if upstream.status_code < 400 else "error"
        return self._finish(call, Response(upstream.content, upstream.status_code,
                                           headers=response_headers(upstream.headers)), outcome)

    async def _handle(self, request: Request, route: Route, path: str) -> Response:
        call = _Call(route)
        denied = await self._admit(request, call)
        if denied is not None:
            return denied
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            return self._invalid(call, 413, "The request body is larger than the guard "
                                 f"accepts ({self.settings.max_body_bytes} bytes).")
        try:
            body = await request.body()
        except ClientDisconnect:  # the client gave up before sending its body: nothing to do
            call.decisions.append("client-disconnected")
            return self._finish(call, Response(status_code=499), "invalid")
        if len(body) > self.settings.max_body_bytes:
            return self._invalid(call, 413, "The request body is larger than the guard "
                                 f"accepts ({self.settings.max_body_bytes} bytes).")
        try:
            data = parse_request(body, route)
        except BadRequest as exc:
            return self._invalid(call, 400, str(exc))
        call.model = str(data.get("model"))
        call.stream = route != "embeddings" and data.get("stream") is True
        slots = input_slots(data, route)
        call.prompt = "\n".join(s.text for s in slots)
        last_user = next((s.text for s in reversed(slots) if s.role == "user"), None)
        try:
            blocked = self._scan(slots, "input", self._context(data, call.client, last_user),
                                 call)
        except ScannerFailure as exc:
            return self._scanner_failed(call, exc)
        if blocked is not None:
            return self._blocked(call, blocked, "request")
        last_user = next((s.text for s in reversed(slots) if s.role == "user"), None)
        context = self._context(data, call.client, last_user)
        payload = json.dumps(data).encode() if call.redacted else body
        headers = self.upstream.headers(request.headers)
        if call.stream:
            return await self._stream(call, route, path, payload, headers, context)
        t0 = time.perf_counter()
        try:
            upstream = await self.upstream.client().post(self.upstream.url(path),
                                                         content=payload, headers=headers)
        except httpx.HTTPError as exc:
            return self._upstream_failed(call, exc)
        call.upstream_ms = (time.perf_counter() - t0) * 1000
        return self._answer(call, route, upstream.status_code, upstream.content,
                            upstream.headers, context)

    def _answer(self, call: _Call, route: Route, status: int, content: bytes,
                headers: httpx.Headers, context: ScanContext) -> Response:
        """Scan a complete (non-streamed) upstream answer and reply with it."""
        passed = response_headers(headers)
        if status >= 400 or route == "embeddings":
            if status >= 400:
                call.decisions.append(f"upstream-status:{status}")
            prompt, _ = usage_of(_json(content))
            self._account(call, prompt, 0)
            return self._finish(call, Response(content, status, headers=passed),
                                "allowed" if status < 400 else "error")
        try:
            if route == "chat":
                parse_completion(content, status)
            data = json.loads(content)
            if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
                raise ParseFailure("answered JSON without any choices")
        except (ParseFailure, ValueError) as exc:
            return self._unreadable(call, status, content, passed, str(exc))
        if disallowed(data.get("choices"), self.settings.allowed_tools):
            return self._blocked(call, TOOL_POLICY, "answer")
        slots = output_slots(data)
        try:
            blocked = self._scan(slots, "output", context, call)
            if blocked is not None:
                return self._blocked(call, blocked, "answer")
            blocked = self._scan_tool_calls(data, context, call)
        except ScannerFailure as exc:
            return self._scanner_failed(call, exc)
        if blocked is not None:
            return self._blocked(call, blocked, TOOL_CALL)
        call.answer = "\n".join(s.text for s in slots)
        prompt, completion = usage_of(data)
        self._account(call, prompt, completion)
        body = json.dumps(data).encode() if call.redacted else content
        passed.pop("content-length", None)
        return self._finish(call, Response(body, status, headers=passed),
                            "redacted" if call.redacted else self._scanned_outcome(call))

    async def _stream(self, call: _Call, route: Route, path: str, payload: bytes,
                      headers: dict[str, str], context: ScanContext) -> Response:
        client = self.upstream.client()
        t0 = time.perf_counter()
        try:
            upstream = await client.send(client.build_request(
                "POST", self.upstream.url(path), content=payload, headers=headers),
                stream=True)
        except httpx.HTTPError as exc:
            return self._upstream_failed(call, exc)
        kind = upstream.headers.get("content-type", "")
        if upstream.status_code != 200 or "text/event-stream" not in kind.lower():
            try:
                content = await upstream.aread()
            except httpx.HTTPError as exc:
                return self._upstream_failed(call, exc)
            finally:
                await upstream.aclose()
            call.upstream_ms = (time.perf_counter() - t0) * 1000
            return self._answer(call, route, upstream.status_code, content, upstream.headers,
                                context)
        before_ms = (t0 - call.started) * 1000
        relay = StreamRelay(self.engine, context, self.settings.stream_hold_chars,
                            self.settings.stream_scan_every_chars,
                            text_key="content" if route == "chat" else "text",
                            allowed_tools=self.settings.allowed_tools)

        async def events() -> AsyncIterator[bytes]:
            outcome, error = "allowed", None
            try:
                async for event in relay.relay(upstream.aiter_bytes()):
                    yield event
            except GuardBlocked as exc:
                outcome = "blocked"
                call.decisions.append(f"blocked:{exc.scanner}")
                yield sse(json.dumps(self._blocked_body(exc.scanner, exc.what)))
            except ScannerFailure as exc:
                outcome, error = "error", str(exc)
                call.decisions.append("scanner-error")
                yield sse(json.dumps(error_body(
                    f"{exc}; the answer was cut off because the guard fails closed.",
                    "guard_error", "scanner_failed")))
            except (UnreadableStream, httpx.HTTPError) as exc:
                outcome, error = "error", _failure(exc)
                call.decisions.append("upstream-error:stream")
                yield sse(json.dumps(error_body(
                    f"The upstream's stream failed ({error}); the guard stopped the answer "
                    "there.", "upstream_error", "upstream_stream_failed")))
            finally:
                call.verdicts.extend(relay.applied)
                call.answer = "".join(relay.answer)
                call.guard_only_ms = before_ms + relay.guard_ms
                call.upstream_ms = (time.perf_counter() - t0) * 1000 - relay.guard_ms
                if outcome == "allowed":
                    outcome = "redacted" if any(
                        a.verdict.flagged and a.action.value == "redact"
                        for a in relay.applied) else self._scanned_outcome(call)
                if outcome in ("allowed", "redacted", "flagged"):
                    self._account(call, *relay.usage)
                self._record(call, 200, outcome, error=error,
                             blocked_by=call.decisions[-1].partition(":")[2]
                             if outcome == "blocked" else None)
                await upstream.aclose()

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache",
                                          "x-drillhall-request-id": call.request_id})

    # -- outcomes -------------------------------------------------------------------------

    def _scanned_outcome(self, call: _Call) -> str:
        return "flagged" if any(a.verdict.flagged for a in call.verdicts) else "allowed"

    def _account(self, call: _Call, prompt: int | None, completion: int | None) -> None:
        prompt = prompt if prompt is not None else estimate_tokens(len(call.prompt or ""))
        completion = (completion if completion is not None
                      else estimate_tokens(len(call.answer or "")))
        call.prompt_tokens, call.completion_tokens = prompt, completion
        cost = self.limiter.record(call.client, prompt, completion)
        call.cost = cost if cost else None

    def _blocked_body(self, scanner: str, what: str) -> dict[str, Any]:
        return error_body(f"The {what} was blocked by the guard's {scanner!r} scanner.",
                          "guard_blocked", scanner)

    def _blocked(self, call: _Call, scanner: str, what: str) -> Response:
        call.decisions.append(f"blocked:{scanner}")
        return self._finish(call, JSONResponse(self._blocked_body(scanner, what), 400),
                            "blocked", blocked_by=scanner)

    def _invalid(self, call: _Call, status: int, message: str) -> Response:
        return self._finish(call, _error(status, message, "invalid_request_error"), "invalid")

    def _scanner_failed(self, call: _Call, exc: ScannerFailure) -> Response:
        call.decisions.append("scanner-error")
        return self._finish(call, _error(503, f"{str(exc)[0].upper()}{str(exc)[1:]}; the "
                                         "request was refused because the guard fails closed.",
                                         "guard_error", "scanner_failed"),
                            "error", error=str(exc))

    def _upstream_failed(self, call: _Call, exc: httpx.HTTPError) -> Response:
        timeout = isinstance(exc, httpx.TimeoutException)
        call.decisions.append(f"upstream-error:{'timeout' if timeout else 'unreachable'}")
        reason = _failure(exc)
        return self._finish(call, _error(
            504 if timeout else 502,
            f"The guard could not get an answer from the upstream model server ({reason}).",
            "upstream_error", "upstream_timeout" if timeout else "upstream_unavailable"),
            "error", error=reason)

    def _unreadable(self, call: _Call, status: int, content: bytes, headers: dict[str, str],
                    reason: str) -> Response:
        call.decisions.append("upstream-error:unreadable")
        detail = f"the upstream {reason.removeprefix('the upstream ')}"
        if not self.engine.fail_closed:
            call.decisions.append("unscanned")
            log.warning(json.dumps({"event": "guard.unscanned_answer",
                                    "request_id": call.request_id, "reason": detail}))
            return self._finish(call, Response(content, status, headers=headers), "error",
                                error=detail)
        shown = error_text(content) if content.lstrip()[:1] == b"<" else None
        suffix = f": {shown}" if shown else ""
        return self._finish(call, _error(
            502, f"The guard could not scan the answer because {detail}{suffix}; it fails "
            "closed.", "upstream_error", "upstream_unreadable"), "error", error=detail)

    def _finish(self, call: _Call, response: Response, outcome: str, *,
                blocked_by: str | None = None, error: str | None = None) -> Response:
        total_ms = self._record(call, response.status_code, outcome, blocked_by=blocked_by,
                                error=error)
        response.headers["x-drillhall-request-id"] = call.request_id
        response.headers["x-drillhall-guard"] = outcome
        response.headers["x-drillhall-guard-ms"] = f"{total_ms - (call.upstream_ms or 0):.2f}"
        return response

    def _record(self, call: _Call, status: int, outcome: str, *, blocked_by: str | None = None,
                error: str | None = None) -> float:
        total_ms = (time.perf_counter() - call.started) * 1000
        if outcome in ("allowed", "redacted", "flagged", "blocked"):
            state = self.abuse.record(call.client, outcome == "blocked")
            if state.changed:
                self.metrics.set_flagged(self.abuse.flagged_count)
                call.decisions.append("abuse:blocked" if state.blocked else
                                      "abuse:flagged" if state.flagged else "abuse:cleared")
                log.warning(json.dumps({"event": "guard.abuse", "client": call.client,
                                        "blocked_share": round(state.share, 3),
                                        "requests": state.requests, "flagged": state.flagged,
                                        "blocked": state.blocked}))
        added = call.guard_only_ms if call.guard_only_ms is not None else (
            total_ms - (call.upstream_ms or 0.0))
        self.sink.submit(AuditRecord(
            at=utcnow(), service=self.settings.service, request_id=call.request_id,
            client=call.client, route=call.route, status=status, outcome=outcome,
            model=call.model, stream=call.stream, blocked_by=blocked_by,
            decisions=tuple(call.decisions), verdicts=tuple(call.verdicts),
            prompt_sha256=digest(call.prompt) if call.prompt else None,
            answer_sha256=digest(call.answer) if call.answer else None,
            prompt_chars=len(call.prompt or ""), answer_chars=len(call.answer or ""),
            prompt_tokens=call.prompt_tokens, completion_tokens=call.completion_tokens,
            cost=call.cost, guard_ms=added, upstream_ms=call.upstream_ms, total_ms=total_ms,
            error=error, answer=call.answer))
        return total_ms


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _failure(exc: BaseException) -> str:
    """A failure's kind in a few words, without any URL, header or body in it."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    if isinstance(exc, UnreadableStream):
        return str(exc)
    return type(exc).__name__
