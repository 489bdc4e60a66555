"""The demo service's HTTP API (FastAPI), weak on purpose.

Endpoints:

* ``POST /v1/chat/completions`` — OpenAI-compatible chat (JSON, or server-sent events with
  ``"stream": true``), answered by :class:`~drillhall.demo.model.DocsAssistantModel`. Any
  ``Authorization`` header, or none, is accepted.
* ``GET /v1/models`` — the stand-in model.
* ``POST /classify`` — ticket triage, unauthenticated, returning the full probability vector.
* ``GET /health`` — liveness.
* ``GET /`` and ``/static/…`` — the chat page and its widget bundle (with an embedded key).

Pydantic models here only parse what comes in; the model and classifier take plain values.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drillhall.demo import assets_dir
from drillhall.demo.chat import ChatAnswer, DemoAssistant
from drillhall.demo.classifier import NaiveBayesClassifier
from drillhall.demo.model import MODEL_ID, ChatMessage, Completion, DocsAssistantModel
from drillhall.errors import DependencyMissing
from drillhall.llm.types import ToolCall, ToolSpec

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
    from fastapi.staticfiles import StaticFiles
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DependencyMissing("fastapi", "web") from exc

_CREATED = 1_717_200_000
"""A fixed creation time for the model listing (the stand-in never changes)."""
_CHUNK = re.compile(r"\s*\S+\s*|\s+")


class _ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str = ""


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[_ContentPart] | None = None

    def plain(self) -> ChatMessage:
        """The message as plain text (content parts joined; developer counts as system)."""
        if isinstance(self.content, list):
            text = "\n".join(part.text for part in self.content if part.type == "text")
        else:
            text = self.content or ""
        return ChatMessage("system" if self.role == "developer" else self.role, text)


class _StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class _ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[_Message] = Field(min_length=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stream: bool = False
    stream_options: _StreamOptions | None = None
    tools: list[dict[str, Any]] | None = None


class _ClassifyRequest(BaseModel):
    text: str = Field(min_length=1)


def _usage(completion: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
    }


def _tool_calls(calls: Sequence[ToolCall]) -> list[dict[str, Any]]:
    return [{"id": c.id or f"call_{i}", "type": "function",
             "function": {"name": c.name, "arguments": c.arguments}}
            for i, c in enumerate(calls)]


def _tools(specs: list[dict[str, Any]] | None) -> list[ToolSpec]:
    """The tools a request offers (OpenAI ``tools``), as the model sees them."""
    out = []
    for spec in specs or []:
        function = spec.get("function") if isinstance(spec, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            out.append(ToolSpec(function["name"], str(function.get("description", "")),
                                function.get("parameters") or {"type": "object"}))
    return out


def _completion_body(answer: ChatAnswer, completion_id: str, created: int) -> dict[str, Any]:
    """The JSON body of a non-streaming chat completion."""
    completion = answer.completion
    message: dict[str, Any] = {"role": "assistant", "content": completion.text}
    if answer.tool_calls:
        message["tool_calls"] = _tool_calls(answer.tool_calls)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [{
            "index": 0,
            "message": message,
            "finish_reason": completion.finish_reason,
        }],
        "usage": _usage(completion),
    }


def stream_chunks(text: str) -> list[str]:
    """How the streamed answer is cut: one word (with its surrounding spaces) per chunk."""
    return _CHUNK.findall(text)


def _sse_events(
    answer: ChatAnswer, completion_id: str, created: int, include_usage: bool
) -> Iterator[str]:
    """The server-sent events of a streamed chat completion, ``data: [DONE]`` last."""
    completion = answer.completion

    def event(delta: dict[str, Any], finish: str | None) -> str:
        chunk = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""}, None)
    for piece in stream_chunks(completion.text):
        yield event({"content": piece}, None)
    if answer.tool_calls:
        calls = [{"index": i, **call} for i, call in enumerate(_tool_calls(answer.tool_calls))]
        yield event({"tool_calls": calls}, None)
    yield event({}, completion.finish_reason)
    if include_usage:
        usage = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created,
            "model": MODEL_ID, "choices": [], "usage": _usage(completion),
        }
        yield f"data: {json.dumps(usage)}\n\n"
    yield "data: [DONE]\n\n"


def add_classifier_route(app: FastAPI, classifier: NaiveBayesClassifier) -> None:
    """``POST /classify``: unauthenticated, unlimited, full probability vector (weak on
    purpose: the endpoint drill's exposures)."""

    @app.post("/classify")
    def classify(request: _ClassifyRequest) -> dict[str, Any]:
        prediction = classifier.predict(request.text)
        return {
            "label": prediction.label,
            "probabilities": prediction.probabilities,
            "model_version": classifier.version,
        }


def create_app(assets: Path | None = None, docs_url: str | None = None) -> FastAPI:
    """Build the demo service over an assets directory (default: the bundled one).

    The stand-in model indexes ``docs/`` (or asks the docs index service at ``docs_url``)
    and the classifier trains on ``data/tickets.csv`` here, once; an unreadable asset raises
    :class:`~drillhall.errors.InputError`.
    """
    root = assets or assets_dir()
    model = DemoAssistant(DocsAssistantModel.from_assets(root, docs_url))
    classifier = NaiveBayesClassifier.from_csv(root / "data" / "tickets.csv")
    app = FastAPI(title="DocsBot (drillhall demo service)", docs_url=None, redoc_url=None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else (
            str(first.get("msg", "invalid request")))
        body = {"error": {"message": message, "type": "invalid_request_error",
                          "param": where or None, "code": None}}
        return JSONResponse(body, status_code=400)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model": MODEL_ID, "classifier": classifier.version}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [
            {"id": MODEL_ID, "object": "model", "created": _CREATED, "owned_by": "tidewater"},
        ]}

    @app.post("/v1/chat/completions", response_model=None)
    def chat(request: _ChatRequest) -> dict[str, Any] | StreamingResponse:
        limit = request.max_completion_tokens or request.max_tokens
        answer = model.respond([m.plain() for m in request.messages], _tools(request.tools),
                               max_tokens=limit)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if request.stream:
            include_usage = bool(request.stream_options and request.stream_options.include_usage)
            return StreamingResponse(
                _sse_events(answer, completion_id, created, include_usage),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        return _completion_body(answer, completion_id, created)

    add_classifier_route(app, classifier)

    index_page = root / "web" / "index.html"
    static_dir = root / "web" / "static"

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        if not index_page.is_file():
            return HTMLResponse("<h1>DocsBot</h1>", status_code=200)
        return HTMLResponse(index_page.read_text(encoding="utf-8"))

    if static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
    return app
