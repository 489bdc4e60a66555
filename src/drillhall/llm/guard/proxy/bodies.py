"""OpenAI request and response bodies as the guard sees them: the texts to scan, and where to
put the scanned text back.

Requests are checked once with pydantic (an invalid body is a :class:`BadRequest`, answered
with an OpenAI-style 400) and then edited as plain JSON, so that every field the guard does
not know about reaches the upstream unchanged. A :class:`Slot` points at one text inside the
JSON (a message's ``content``, one of its text parts, a completion prompt, an embedding
input) and can write a redacted text back there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "BadRequest",
    "Slot",
    "error_body",
    "estimate_tokens",
    "input_slots",
    "output_slots",
    "parse_request",
    "system_text",
]

Route = Literal["chat", "completions", "embeddings"]
SCANNED_ROLES = frozenset({"user", "tool", "function"})
"""Message roles whose text is the prompt the input scanners check (system and developer
messages are the application's own, assistant messages were scanned on the way out)."""


class BadRequest(Exception):
    """A request body the guard cannot accept; ``str()`` is the message for the client."""


def error_body(message: str, kind: str, code: str | None = None,
               param: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error body."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[_Part] | None = None


class _Chat(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1)
    messages: list[_Message] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)


class _Completions(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1)
    prompt: str | list[str] | list[int] | list[list[int]]
    stream: bool = False


class _Embeddings(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1)
    input: str | list[str] | list[int] | list[list[int]]


_MODELS: dict[Route, type[BaseModel]] = {
    "chat": _Chat, "completions": _Completions, "embeddings": _Embeddings}


def parse_request(body: bytes, route: Route) -> dict[str, Any]:
    """The request as JSON, checked against the route's schema; :class:`BadRequest` with
    one sentence (naming the field at fault) otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("We could not parse the JSON body of your request. (The body is "
                         "not valid JSON.)") from exc
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    try:
        _MODELS[route].model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise BadRequest(f"Invalid value for '{where}': {first['msg']}.") from exc
    return data


@dataclass(frozen=True, slots=True)
class Slot:
    """One text inside a JSON body: ``container[key]``."""

    container: Any
    key: str | int
    role: str = "user"

    @property
    def text(self) -> str:
        value = self.container[self.key]
        return value if isinstance(value, str) else ""

    def set(self, text: str) -> None:
        self.container[self.key] = text


def _content_slots(message: dict[str, Any]) -> Iterator[Slot]:
    role = str(message.get("role", ""))
    content = message.get("content")
    if isinstance(content, str):
        yield Slot(message, "content", role)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield Slot(part, "text", role)


def input_slots(data: dict[str, Any], route: Route) -> list[Slot]:
    """The prompt texts of a request, for the input scanners."""
    if route == "chat":
        return [slot for message in data["messages"] if message.get("role") in SCANNED_ROLES
                for slot in _content_slots(message)]
    key = "prompt" if route == "completions" else "input"
    value = data.get(key)
    if isinstance(value, str):
        return [Slot(data, key)]
    if isinstance(value, list):
        return [Slot(value, i) for i, item in enumerate(value) if isinstance(item, str)]
    return []


def system_text(data: Mapping[str, Any]) -> str | None:
    """The application's system and developer messages of a chat request, joined."""
    texts: list[str] = []
    for message in data.get("messages") or ():
        if isinstance(message, dict) and message.get("role") in ("system", "developer"):
            texts.extend(slot.text for slot in _content_slots(message))
    return "\n".join(texts) if texts else None


def output_slots(data: Any) -> list[Slot]:
    """The answer texts of a (non-streamed) chat or text completion, for the output
    scanners; tool calls are passed on as they are."""
    slots: list[Slot] = []
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        return slots
    for choice in data["choices"]:
        if not isinstance(choice, dict):
            continue
        message = choice.get("message")
        if isinstance(message, dict):
            slots.extend(_content_slots(message))
        elif isinstance(choice.get("text"), str):
            slots.append(Slot(choice, "text", "assistant"))
    return slots


def estimate_tokens(chars: int) -> int:
    """A rough token count for text of ``chars`` characters (4 characters per token), used
    when the upstream reports no usage."""
    return (chars + 3) // 4


def usage_of(data: Any) -> tuple[int | None, int | None]:
    """``(prompt_tokens, completion_tokens)`` of a response or stream chunk's ``usage``."""
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return None, None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (prompt if isinstance(prompt, int) else None,
            completion if isinstance(completion, int) else None)
