"""Stand-in LLMs served as real OpenAI-compatible endpoints on 127.0.0.1, with faults on demand.

::

    from drillhall.testing.llm import NaiveModel, serve_model

    with serve_model(NaiveModel(), canaries=("CANARY-1",)) as base_url:   # http://127.0.0.1:…/v1
        target = OpenAIChatTarget(base_url, "naive-stand-in-1")

The models (:class:`~drillhall.testing.llm_models.NaiveModel` with every weakness the red team
looks for, :class:`~drillhall.testing.llm_models.HardenedModel` with none) are described in
:mod:`drillhall.testing.llm_models`; the server puts the application's hidden context (system
prompt, canaries, a fake customer record) in front of every conversation, as a real
application would.

Routes: ``POST /v1/chat/completions`` (JSON, or server-sent events with ``"stream": true``;
tools and tool calls; ``max_tokens`` / ``max_completion_tokens``), ``GET /v1/models``,
``GET /health``. With ``api_key`` set, chat and models demand ``Authorization: Bearer <key>``
and answer 401 with an OpenAI error body otherwise.

:class:`Faults` makes the next requests (or every request) fail in one of the ways a real
target does — see :data:`FAULT_KINDS` — and records when each chat request arrived, so tests
can check retries and backoff against the server's own clock.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from drillhall.errors import DependencyMissing, DrillhallError
from drillhall.llm.types import Message, Reply, ToolCall, ToolSpec
from drillhall.testing.llm_models import (
    DEFAULT_SYSTEM_PROMPT,
    REFUSAL,
    HardenedModel,
    HiddenContext,
    NaiveModel,
    StandInModel,
    UserRecord,
    default_user_record,
)
from drillhall.web.loopback import LOOPBACK, LoopbackServer

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response, StreamingResponse
    from pydantic import BaseModel, ConfigDict, Field
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DependencyMissing("fastapi", "web") from exc

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "FAULT_KINDS",
    "REFUSAL",
    "Fault",
    "Faults",
    "HardenedModel",
    "HiddenContext",
    "NaiveModel",
    "StandInModel",
    "StandInServer",
    "StandInServerError",
    "UserRecord",
    "default_user_record",
    "serve_model",
]

FaultKind = Literal["error", "rate-limit", "garbage", "no-choices", "huge", "hang", "slow",
                    "stream-error"]
FAULT_KINDS: tuple[FaultKind, ...] = ("error", "rate-limit", "garbage", "no-choices", "huge",
                                      "hang", "slow", "stream-error")
"""``error``: ``status`` (500) with an OpenAI error body; ``rate-limit``: 429 with
``Retry-After`` (``retry_after``, default ``"1"``); ``garbage``: 200 with an HTML page;
``no-choices``: 200 JSON without ``choices``; ``huge``: 200 streaming ``size`` bytes of JSON
that never closes; ``hang``: no answer until the client gives up (or the server stops);
``slow``: the normal answer after ``delay`` seconds; ``stream-error``: 200 event stream whose
first event is an error."""


class StandInServerError(DrillhallError):
    """A stand-in model server cannot start or stop."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure (see :data:`FAULT_KINDS`)."""

    kind: FaultKind
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    size: int = 64 * 1024 * 1024


class Faults:
    """Failures for a stand-in server (thread-safe): ``fail_next`` queues faults for the next
    chat requests, ``always`` applies one to every request after the queue is empty
    (``None`` clears it). :attr:`arrivals` holds the ``time.monotonic()`` of every chat
    request received."""

    def __init__(self, *queued: Fault, always: Fault | None = None) -> None:
        self._lock = threading.Lock()
        self._queue = list(queued)
        self._always = always
        self._arrivals: list[float] = []

    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self._queue.extend(faults)

    def always(self, fault: Fault | None) -> None:
        with self._lock:
            self._always = fault

    def clear(self) -> None:
        """Forget queued faults, the standing fault and the arrivals."""
        with self._lock:
            self._queue.clear()
            self._always = None
            self._arrivals.clear()

    def take(self) -> Fault | None:
        """Record an arrival and return the fault for it, if any."""
        with self._lock:
            self._arrivals.append(time.monotonic())
            return self._queue.pop(0) if self._queue else self._always

    @property
    def arrivals(self) -> tuple[float, ...]:
        with self._lock:
            return tuple(self._arrivals)

    @property
    def requests(self) -> int:
        """Chat requests received so far."""
        with self._lock:
            return len(self._arrivals)


# -- request parsing (pydantic at the boundary) ---------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str = ""


class _Function(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = ""
    arguments: str | dict[str, Any] = "{}"
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})


class _Call(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = ""
    function: _Function


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[_Part] | None = None
    tool_calls: list[_Call] | None = None
    tool_call_id: str | None = None

    def plain(self) -> Message:
        text = self.content if isinstance(self.content, str) else "\n".join(
            p.text for p in self.content or () if p.type == "text")
        role = {"developer": "system", "function": "tool"}.get(self.role, self.role)
        calls = tuple(ToolCall(c.function.name, c.function.arguments if isinstance(
            c.function.arguments, str) else json.dumps(c.function.arguments), c.id)
            for c in self.tool_calls or ())
        return Message(role, text, calls, self.tool_call_id)  # type: ignore[arg-type]


class _Tool(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "function"
    function: _Function


class _StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class _ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = ""
    messages: list[_Message] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stream: bool = False
    stream_options: _StreamOptions | None = None
    tools: list[_Tool] | None = None


# -- answers ------------------------------------------------------------------------------


def _error(status: int, message: str, kind: str, code: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def _calls_json(calls: tuple[ToolCall, ...]) -> list[dict[str, Any]]:
    return [{"id": c.id or f"call_{i}", "type": "function",
             "function": {"name": c.name, "arguments": c.arguments}}
            for i, c in enumerate(calls)]


def _usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.prompt_tokens or 0, reply.completion_tokens or 0
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _body(reply: Reply, model_id: str, completion_id: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = _calls_json(reply.tool_calls)
    else:
        message["content"] = reply.text
    return {"id": completion_id, "object": "chat.completion", "created": int(time.time()),
            "model": model_id, "choices": [{"index": 0, "message": message,
                                            "finish_reason": reply.finish_reason}],
            "usage": _usage(reply)}


def _events(reply: Reply, model_id: str, completion_id: str, usage: bool) -> Iterator[str]:
    """The answer as OpenAI streams it: a role chunk, one chunk per word, tool calls in two
    fragments each (name first, arguments split), the finish chunk, usage, ``[DONE]``."""
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                "model": model_id,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(data)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    words = reply.text.split(" ")
    for i, word in enumerate(words):
        yield chunk({"content": word + (" " if i < len(words) - 1 else "")})
    for i, call in enumerate(reply.tool_calls):
        half = len(call.arguments) // 2
        yield chunk({"tool_calls": [{"index": i, "id": call.id or f"call_{i}", "type": "function",
                                     "function": {"name": call.name,
                                                  "arguments": call.arguments[:half]}}]})
        yield chunk({"tool_calls": [{"index": i,
                                     "function": {"arguments": call.arguments[half:]}}]})
    yield chunk({}, reply.finish_reason)
    if usage:
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                "model": model_id, "choices": [], "usage": _usage(reply)}
        yield f"data: {json.dumps(data)}\n\n"
    yield "data: [DONE]\n\n"


async def _huge(size: int) -> AsyncIterator[bytes]:
    yield b'{"choices": [{"message": {"role": "assistant", "content": "'
    block = b"A" * 65536
    for _ in range(size // len(block) + 1):
        yield block
        await asyncio.sleep(0)


def create_app(model: StandInModel, context: HiddenContext, faults: Faults,
               stopping: threading.Event, api_key: str | None = None) -> FastAPI:
    """The FastAPI app of a stand-in server (see the module docstring)."""
    app = FastAPI(title="drillhall stand-in LLM", docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(400, f"{where}: {first.get('msg', 'invalid request')}",
                      "invalid_request_error")

    def unauthorised(request: Request) -> JSONResponse | None:
        if api_key is None or request.headers.get("authorization") == f"Bearer {api_key}":
            return None
        return _error(401, "Incorrect API key provided. You can find your API key in your "
                      "account settings.", "invalid_request_error", "invalid_api_key")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model": model.model_id}

    @app.get("/v1/models", response_model=None)
    def models(request: Request) -> dict[str, Any] | JSONResponse:
        denied = unauthorised(request)
        if denied is not None:
            return denied
        return {"object": "list", "data": [{"id": model.model_id, "object": "model",
                                            "created": 1_717_200_000, "owned_by": "drillhall"}]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request, body: _ChatRequest) -> Response | dict[str, Any]:
        denied = unauthorised(request)
        if denied is not None:
            return denied
        fault = faults.take()
        if fault is not None:
            answer = await _apply(fault, stopping)
            if answer is not None:
                return answer
        messages = [m.plain() for m in body.messages]
        tools = [ToolSpec(t.function.name, t.function.description, t.function.parameters)
                 for t in body.tools or ()]
        limit = body.max_completion_tokens or body.max_tokens
        reply = model.respond(messages, tools, limit, context=context)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if body.stream:
            usage = bool(body.stream_options and body.stream_options.include_usage)
            return StreamingResponse(_events(reply, model.model_id, completion_id, usage),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        return _body(reply, model.model_id, completion_id)

    return app


async def _apply(fault: Fault, stopping: threading.Event) -> Response | None:
    """The response a fault gives instead of the answer (``None``: answer normally)."""
    if fault.kind in ("slow", "hang"):
        deadline = time.monotonic() + (fault.delay if fault.kind == "slow" else 3600.0)
        while time.monotonic() < deadline and not stopping.is_set():
            await asyncio.sleep(min(0.02, max(deadline - time.monotonic(), 0)))
        return None if fault.kind == "slow" else Response(status_code=504)
    if fault.kind == "error":
        return _error(fault.status, "The server had an error while processing your request. "
                      "Sorry about that!", "server_error")
    if fault.kind == "rate-limit":
        wait = fault.retry_after or "1"
        return _error(429, f"Rate limit reached for requests. Please try again in {wait}s.",
                      "requests", "rate_limit_exceeded", headers={"Retry-After": wait})
    if fault.kind == "garbage":
        return Response("<html><head><title>502 Bad Gateway</title></head><body>upstream "
                        "gone</body></html>", media_type="text/html")
    if fault.kind == "no-choices":
        return JSONResponse({"id": "chatcmpl-0", "object": "chat.completion", "model": "x"})
    if fault.kind == "huge":
        return StreamingResponse(_huge(fault.size), media_type="application/json")
    data = {"error": {"message": "the model crashed while generating", "type": "server_error"}}
    return Response(f"data: {json.dumps(data)}\n\n", media_type="text/event-stream")


class StandInServer:
    """A stand-in model on loopback with uvicorn in a daemon thread (a context manager).
    :attr:`base_url` is the OpenAI-style base URL (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, model: StandInModel, *, system_prompt: str | None = None,
                 canaries: tuple[str, ...] = (), user_record: UserRecord | None = None,
                 faults: Faults | None = None, api_key: str | None = None,
                 port: int = 0) -> None:
        self.model = model
        self.context = HiddenContext(system_prompt or DEFAULT_SYSTEM_PROMPT, tuple(canaries),
                                     user_record or default_user_record())
        self.faults = faults if faults is not None else Faults()
        self._stopping = threading.Event()
        app = create_app(model, self.context, self.faults, self._stopping, api_key)
        self._server = LoopbackServer(app, host=LOOPBACK, port=port, ready_path="/health",
                                      error=StandInServerError, what="the stand-in model server",
                                      thread_name="drillhall-stand-in-llm")

    @property
    def base_url(self) -> str:
        return self._server.url + "/v1"

    def start(self) -> StandInServer:
        self._stopping.clear()
        self._server.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server; requests held by a ``hang`` fault are released first."""
        self._stopping.set()
        self._server.stop(timeout)

    def __enter__(self) -> StandInServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@contextmanager
def serve_model(model: StandInModel, *, system_prompt: str | None = None,
                canaries: tuple[str, ...] = (), faults: Faults | None = None,
                user_record: UserRecord | None = None, api_key: str | None = None
                ) -> Iterator[str]:
    """Serve ``model`` on 127.0.0.1 and yield its base URL (``http://127.0.0.1:PORT/v1``);
    stop it on exit. Pass a :class:`Faults` to inject failures and see arrivals."""
    server = StandInServer(model, system_prompt=system_prompt, canaries=canaries,
                           user_record=user_record, faults=faults, api_key=api_key)
    with server:
        yield server.base_url
