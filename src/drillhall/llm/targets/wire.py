"""The OpenAI chat-completions wire format: requests out, replies and errors in.

Servers that speak it differ in small ways, all handled here:

* ``content`` is ``null`` when the answer is only tool calls (OpenAI, vLLM, LiteLLM), or a
  list of ``{"type": "text", "text": …}`` parts; tool-call ``arguments`` are a JSON string
  (OpenAI) or an object (some Ollama versions); the legacy ``function_call`` is read too.
* ``finish_reason`` varies: ``eos``/``eos_token``/``stop_sequence`` are read as ``stop``,
  ``max_tokens``/``model_length`` as ``length``, ``function_call`` as ``tool_calls``; a reply
  with tool calls and ``stop`` (Ollama, llama.cpp) is reported as ``tool_calls``.
* ``usage`` may be missing (older Ollama streams, LiteLLM passthrough); llama.cpp's ``timings``
  (``prompt_n``, ``predicted_n``) are used instead when present.
* Errors come as ``{"error": {"message": …}}`` (OpenAI, llama.cpp, LiteLLM),
  ``{"error": "…"}`` (Ollama), ``{"object": "error", "message": …}`` (vLLM), ``{"detail": …}``
  (FastAPI apps), plain text or an HTML page; a stream may carry ``data: {"error": …}`` or an
  ``event: error`` frame.
* Streams (server-sent events) send ``delta`` chunks; tool calls arrive in fragments keyed by
  ``index`` (or, without an index, by ``id``), ``usage`` in a last chunk with no choices, and
  comment lines (``: keep-alive``) between events.

Everything parsed here comes from outside, so it goes through pydantic models once and every
failure is a :class:`ParseFailure` carrying one sentence without the body in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from drillhall.llm.types import Message, Reply, ToolCall, ToolSpec

__all__ = [
    "ParseFailure",
    "error_text",
    "looks_like_sse",
    "messages_payload",
    "normalise_finish",
    "parse_completion",
    "parse_stream",
    "tools_payload",
]


class ParseFailure(Exception):
    """A body that is not a chat completion; ``str()`` is the reason, without the body."""


# -- requests -----------------------------------------------------------------------------


def messages_payload(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The ``messages`` array for a request."""
    out: list[dict[str, Any]] = []
    for message in messages:
        item: dict[str, Any] = {"role": message.role, "content": message.content}
        if message.tool_calls:
            item["content"] = message.content or None
            item["tool_calls"] = [
                {"id": call.id or f"call_{i}", "type": "function",
                 "function": {"name": call.name, "arguments": call.arguments}}
                for i, call in enumerate(message.tool_calls)
            ]
        if message.tool_call_id is not None:
            item["tool_call_id"] = message.tool_call_id
        out.append(item)
    return out


def tools_payload(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """The ``tools`` array for a request (``dangerous`` is drillhall's own and not sent)."""
    return [
        {"type": "function", "function": {
            "name": tool.name, "description": tool.description,
            "parameters": json.loads(json.dumps(dict(tool.parameters))),
        }}
        for tool in tools
    ]


# -- replies ------------------------------------------------------------------------------


class _Function(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = None
    arguments: str | dict[str, Any] | None = None


class _ToolCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int | None = None
    id: str | None = None
    function: _Function | None = None


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str | None = None


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    content: str | list[_Part] | None = None
    tool_calls: list[_ToolCall] | None = None
    function_call: _Function | None = None


class _Choice(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: _Message | None = None
    delta: _Message | None = None
    text: str | None = None
    finish_reason: str | None = None


class _Usage(BaseModel):
    model_config = ConfigDict(extra="allow")
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _Timings(BaseModel):
    model_config = ConfigDict(extra="allow")
    prompt_n: int | None = None
    predicted_n: int | None = None


class _Completion(BaseModel):
    model_config = ConfigDict(extra="allow")
    choices: list[_Choice] | None = None
    usage: _Usage | None = None
    timings: _Timings | None = None
    error: Any = None


_FINISH = {
    "eos": "stop", "eos_token": "stop", "stop_sequence": "stop", "end_turn": "stop",
    "max_tokens": "length", "model_length": "length", "max_length": "length",
    "function_call": "tool_calls", "tool_use": "tool_calls",
}


def normalise_finish(reason: str | None, has_tool_calls: bool) -> str | None:
    """``finish_reason`` in OpenAI's vocabulary (stop, length, tool_calls, content_filter)."""
    value = _FINISH.get(reason, reason) if reason is not None else None
    if has_tool_calls and value in (None, "stop"):
        return "tool_calls"
    return value


def _text(content: str | list[_Part] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.text or "" for part in content if part.type in ("text", "output_text"))


def _arguments(value: str | dict[str, Any] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _tokens(usage: _Usage | None, timings: _Timings | None) -> tuple[int | None, int | None]:
    prompt = usage.prompt_tokens if usage else None
    completion = usage.completion_tokens if usage else None
    if timings is not None:
        prompt = prompt if prompt is not None else timings.prompt_n
        completion = completion if completion is not None else timings.predicted_n
    return prompt, completion


def error_text(body: bytes) -> str | None:
    """The message of an error body in any of the shapes above, or ``None`` when the body
    says nothing usable. HTML pages are reported as such, not quoted."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        if re.match(r"(?is)\s*<(?:!doctype|html|head|body)", text):
            title = re.search(r"(?is)<title>(.*?)</title>", text)
            return f"an HTML page ({title.group(1).strip()})" if title else "an HTML page"
        return text
    return _error_in(data)


_FILTER_CODES = frozenset({"guard_blocked", "content_filter", "content_policy_violation",
                           "ResponsibleAIPolicyViolation"})


def filtered_refusal(body: bytes) -> str | None:
    """The message of an error body that says a content filter or guard refused the request
    (drillhall's guard proxy: type ``guard_blocked``; OpenAI and Azure: code
    ``content_filter`` / ``content_policy_violation``), else ``None``."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, Mapping) else None
    if not isinstance(error, Mapping):
        return None
    inner = error.get("innererror")
    codes = {str(error.get("type") or ""), str(error.get("code") or ""),
             str(inner.get("code") or "") if isinstance(inner, Mapping) else ""}
    if codes & _FILTER_CODES:
        return str(error.get("message") or "refused by a content filter")
    return None


def _error_in(data: object) -> str | None:
    if not isinstance(data, Mapping):
        return None
    error = data.get("error")
    if isinstance(error, Mapping):
        message = error.get("message") or error.get("msg")
        kind = error.get("type") or error.get("code")
        if message:
            return str(message)
        return str(kind) if kind else None
    if isinstance(error, str) and error:
        return error
    if data.get("object") == "error" or ("message" in data and "choices" not in data):
        message = data.get("message")
        return str(message) if message else None
    detail = data.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
        return str(detail[0].get("msg", "invalid request"))
    return None


def _calls(raw: list[_ToolCall] | None, legacy: _Function | None) -> tuple[ToolCall, ...]:
    calls = [
        ToolCall(call.function.name or "", _arguments(call.function.arguments) or "{}",
                 call.id or "")
        for call in raw or () if call.function is not None
    ]
    if not calls and legacy is not None and legacy.name:
        calls.append(ToolCall(legacy.name, _arguments(legacy.arguments) or "{}"))
    return tuple(calls)


def parse_completion(body: bytes, status: int) -> Reply:
    """A non-streamed chat completion (``latency`` is left for the caller to fill)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ParseFailure("answered a body that is not JSON") from exc
    if isinstance(data, Mapping) and data.get("error") and not data.get("choices"):
        raise ParseFailure(f"answered an error: {_error_in(data) or 'no message'}")
    try:
        parsed = _Completion.model_validate(data)
    except ValidationError as exc:
        raise ParseFailure("answered JSON that is not a chat completion") from exc
    if not parsed.choices:
        raise ParseFailure("answered JSON without any choices")
    choice = parsed.choices[0]
    message = choice.message or choice.delta
    if message is None:
        if choice.text is None:
            raise ParseFailure("answered a choice without a message")
        message = _Message(content=choice.text)
    calls = _calls(message.tool_calls, message.function_call)
    prompt, completion = _tokens(parsed.usage, parsed.timings)
    return Reply(text=_text(message.content), tool_calls=calls,
                 finish_reason=normalise_finish(choice.finish_reason, bool(calls)),
                 prompt_tokens=prompt, completion_tokens=completion, raw_status=status)


# -- streams ------------------------------------------------------------------------------


def looks_like_sse(body: bytes, content_type: str) -> bool:
    """Whether a body is a server-sent event stream (by type, or by its first line)."""
    if "text/event-stream" in content_type.lower():
        return True
    head = body.lstrip()[:16]
    return head.startswith((b"data:", b"event:", b": "))


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


class _Assembler:
    """Puts a stream's deltas back together."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.calls: dict[int, _PartialCall] = {}
        self.finish: str | None = None
        self.usage: _Usage | None = None
        self.timings: _Timings | None = None
        self.chunks = 0

    def _slot(self, call: _ToolCall) -> _PartialCall:
        if call.index is not None:
            return self.calls.setdefault(call.index, _PartialCall())
        if not self.calls or (call.id and all(c.id != call.id for c in self.calls.values())):
            return self.calls.setdefault(len(self.calls), _PartialCall())
        if call.id:
            return next(c for c in self.calls.values() if c.id == call.id)
        return self.calls[max(self.calls)]

    def add(self, chunk: _Completion) -> None:
        self.chunks += 1
        if chunk.usage is not None:
            self.usage = chunk.usage
        if chunk.timings is not None:
            self.timings = chunk.timings
        for choice in (chunk.choices or [])[:1]:
            delta = choice.delta or choice.message
            if choice.finish_reason:
                self.finish = choice.finish_reason
            if delta is None:
                if choice.text:
                    self.text.append(choice.text)
                continue
            self.text.append(_text(delta.content))
            for call in delta.tool_calls or ():
                slot = self._slot(call)
                slot.id = slot.id or (call.id or "")
                if call.function is not None:
                    slot.name = slot.name or (call.function.name or "")
                    slot.arguments += _arguments(call.function.arguments)
            if delta.function_call is not None:
                slot = self.calls.setdefault(0, _PartialCall())
                slot.name = slot.name or (delta.function_call.name or "")
                slot.arguments += _arguments(delta.function_call.arguments)

    def reply(self, status: int) -> Reply:
        calls = tuple(ToolCall(c.name, c.arguments or "{}", c.id)
                      for _, c in sorted(self.calls.items()) if c.name)
        prompt, completion = _tokens(self.usage, self.timings)
        return Reply(text="".join(self.text), tool_calls=calls,
                     finish_reason=normalise_finish(self.finish, bool(calls)),
                     prompt_tokens=prompt, completion_tokens=completion, raw_status=status)


_LINES = re.compile(r"\r\n|\r|\n")


def _events(text: str) -> list[tuple[str, str]]:
    """(event type, data) of each event in an SSE body; comments dropped."""
    events: list[tuple[str, str]] = []
    kind, data = "message", list[str]()
    for line in [*_LINES.split(text), ""]:
        if not line:
            if data:
                events.append((kind, "\n".join(data)))
            kind, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field == "event":
                kind = value
    return events


def parse_stream(body: bytes, status: int) -> Reply:
    """A streamed chat completion: every ``data:`` chunk up to ``[DONE]`` (or the end)."""
    assembler = _Assembler()
    for kind, data in _events(body.decode("utf-8", "replace")):
        if data.strip() == "[DONE]":
            break
        try:
            raw = json.loads(data)
        except ValueError as exc:
            if kind == "error":
                raise ParseFailure(f"sent an error event: {data}") from exc
            raise ParseFailure("sent a stream event that is not JSON") from exc
        if kind == "error" or (isinstance(raw, Mapping) and raw.get("error")):
            raise ParseFailure(f"sent an error in its stream: {_error_in(raw) or data}")
        try:
            assembler.add(_Completion.model_validate(raw))
        except ValidationError as exc:
            raise ParseFailure("sent a stream chunk that is not a chat completion chunk") from exc
    if assembler.chunks == 0:
        raise ParseFailure("sent a stream without any chunk")
    return assembler.reply(status)
