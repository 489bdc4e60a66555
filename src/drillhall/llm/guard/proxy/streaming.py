"""Streamed answers (server-sent events) scanned with a sliding window before any text is sent.

The relay reads the upstream's events one by one. Text deltas (``delta.content`` of a chat
chunk, ``text`` of a completion chunk) are not passed on as they come: they go into a
:class:`SlidingWindow` per choice, which holds back the last ``hold`` characters and releases
text only once it has been scanned together with what follows it. Anything unsafe up to
``hold`` characters long is therefore seen whole by the output scanners before any part of it
leaves the proxy. Events without text (the role, ``finish_reason``, usage) are passed on in
order, after the window of their choice has been scanned and emptied; ``[DONE]`` empties
every window first.

Tool-call fragments (``delta.tool_calls[i]``, legacy ``delta.function_call``) are held too:
their arguments are assembled per choice and per tool-call index, and each call is scanned
whole (:mod:`.arguments`) when its choice finishes (or the stream ends), then sent as one
chunk carrying the call's id, type, name and complete (possibly masked) arguments — an
application cannot act on a call before its arguments are complete anyway. A call to a tool
the policy does not allow is refused as soon as its name arrives.

On a block the relay sends one last ``data: {"error": …}`` event (type ``guard_blocked``) and
stops reading the upstream. With a redaction, the masked text is what is released.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from drillhall.llm.guard.proxy.arguments import TOOL_CALL, guard_arguments, tool_name
from drillhall.llm.guard.proxy.engine import Applied, ScanEngine
from drillhall.llm.guard.proxy.tools import SCANNER as TOOL_POLICY
from drillhall.llm.guard.proxy.tools import disallowed
from drillhall.llm.guard.scanners.base import ScanContext

__all__ = ["GuardBlocked", "SlidingWindow", "SseSplitter", "StreamRelay", "sse"]


MAX_HELD_ARGUMENT_CHARS = 4 * 1024 * 1024
"""Most tool-call argument characters a stream may hold; more ends it (fail closed)."""


class GuardBlocked(Exception):
    """An output scanner blocked a streamed answer; ``what`` it refused, for the message."""

    def __init__(self, scanner: str, what: str = "answer") -> None:
        super().__init__(scanner)
        self.scanner = scanner
        self.what = what


class UnreadableStream(Exception):
    """The upstream's stream carries an event that is not JSON."""


def sse(data: str) -> bytes:
    """One ``data:`` event."""
    return f"data: {data}\n\n".encode()


def _common_suffix(a: str, b: str) -> int:
    n, limit = 0, min(len(a), len(b))
    while n < limit and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


@dataclass(slots=True)
class SlidingWindow:
    """Held-back text of one streamed choice (see the module docstring). ``applied`` collects
    every verdict given on the way."""

    engine: ScanEngine
    context: ScanContext
    hold: int = 256
    every: int = 256
    pending: str = ""
    applied: list[Applied] = field(default_factory=list)
    scans: int = 0
    guard_ms: float = 0.0

    def feed(self, text: str) -> str:
        """Add streamed text; return the text that may be sent now (possibly empty)."""
        self.pending += text
        if len(self.pending) < self.hold + self.every:
            return ""
        return self._scan(final=False)

    def flush(self) -> str:
        """Scan and release everything held."""
        if not self.pending:
            return ""
        return self._scan(final=True)

    def _scan(self, *, final: bool) -> str:
        outcome = self.engine.scan(self.pending, "output", self.context)
        self.scans += 1
        self.guard_ms += outcome.latency_ms
        self.applied.extend(outcome.applied)
        if outcome.blocked_by is not None:
            self.pending = ""
            raise GuardBlocked(outcome.blocked_by)
        text = outcome.text
        if final:
            self.pending = ""
            return text
        # keep the unscanned-for-context tail back, but never a part a redaction changed
        keep = min(self.hold, _common_suffix(self.pending, text))
        released = text[:len(text) - keep]
        self.pending = self.pending[len(self.pending) - keep:] if keep else ""
        return released


@dataclass(slots=True)
class _HeldCall:
    """One streamed tool call of a choice, put together from its fragments: the call's
    fields (first value wins), its function's fields but the arguments, and the argument
    pieces in order."""

    fields: dict[str, Any] = field(default_factory=dict)
    function: dict[str, Any] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)

    def add_function(self, function: dict[str, Any]) -> int:
        """Take a function fragment; the argument characters it added."""
        added = 0
        for key, value in function.items():
            if key == "arguments":
                # an object instead of OpenAI's JSON string is kept as its JSON text
                text = value if value is None or isinstance(value, str) else json.dumps(
                    value, ensure_ascii=False)
                if text:
                    self.parts.append(text)
                    added += len(text)
            elif value is not None and self.function.get(key) in (None, ""):
                self.function[key] = value
        return added

    def add(self, fragment: dict[str, Any]) -> int:
        """Take a ``tool_calls`` fragment; the argument characters it added."""
        for key, value in fragment.items():
            if key not in ("index", "function") and value is not None:
                self.fields.setdefault(key, value)
        function = fragment.get("function")
        return self.add_function(function) if isinstance(function, dict) else 0

    def delta(self, at: int, arguments: str) -> dict[str, Any]:
        """The whole call as one delta (``at < 0``: a legacy ``function_call``)."""
        function = {**self.function, "arguments": arguments}
        if at < 0:
            return {"function_call": function}
        return {"tool_calls": [{"index": at, **self.fields, "function": function}]}


class SseSplitter:
    """Splits a byte stream into server-sent events' data (comments and empty events
    dropped; ``event: error`` frames reported with their kind)."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, chunk: bytes) -> Iterator[tuple[str, str]]:
        self._buffer += chunk.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r",
                                                                                       "\n")
        while "\n\n" in self._buffer:
            block, self._buffer = self._buffer.split("\n\n", 1)
            event = self._parse(block)
            if event is not None:
                yield event

    def close(self) -> Iterator[tuple[str, str]]:
        block, self._buffer = self._buffer, ""
        event = self._parse(block)
        if event is not None:
            yield event

    @staticmethod
    def _parse(block: str) -> tuple[str, str] | None:
        kind, data = "message", []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                data.append(value)
            elif name == "event":
                kind = value
        return (kind, "\n".join(data)) if data else None


@dataclass(slots=True)
class StreamRelay:
    """Turns the upstream's events into the events the client gets (see the module
    docstring). ``answer`` is every released text, for the audit digest and signals."""

    engine: ScanEngine
    context: ScanContext
    hold: int = 256
    every: int = 256
    windows: dict[int, SlidingWindow] = field(default_factory=dict)
    answer: list[str] = field(default_factory=list)
    usage: tuple[int | None, int | None] = (None, None)
    envelope: dict[str, Any] = field(default_factory=dict)
    text_key: str = "content"
    done: bool = False
    allowed_tools: tuple[str, ...] | None = None
    held: dict[int, dict[int, _HeldCall]] = field(default_factory=dict)
    """Tool calls held back, by choice and tool-call index (``-1``: a legacy
    ``function_call``)."""
    held_chars: int = 0
    tool_applied: list[Applied] = field(default_factory=list)
    tool_ms: float = 0.0

    def _window(self, index: int) -> SlidingWindow:
        window = self.windows.get(index)
        if window is None:
            window = self.windows[index] = SlidingWindow(self.engine, self.context, self.hold,
                                                         self.every)
        return window

    @property
    def applied(self) -> list[Applied]:
        return [*(a for w in self.windows.values() for a in w.applied), *self.tool_applied]

    @property
    def guard_ms(self) -> float:
        return sum(w.guard_ms for w in self.windows.values()) + self.tool_ms

    def _chunk(self, choice: dict[str, Any]) -> bytes:
        envelope = dict(self.envelope) or {"object": "chat.completion.chunk"}
        envelope["choices"] = [choice]
        envelope.pop("usage", None)
        return sse(json.dumps(envelope))

    def _text_chunk(self, index: int, text: str) -> bytes:
        self.answer.append(text)
        choice: dict[str, Any] = {"index": index, "finish_reason": None}
        if self.text_key == "text":
            choice["text"] = text
        else:
            choice["delta"] = {"content": text}
        return self._chunk(choice)

    def _hold_calls(self, index: int, choice: dict[str, Any]) -> dict[str, Any]:
        """Take the tool-call fragments out of a chat choice (its ``delta``, or a ``message``
        some upstreams put in a chunk) and hold them; the choice without them."""
        out = choice
        for key in ("delta", "message"):
            part = choice.get(key)
            if not isinstance(part, dict) or ("tool_calls" not in part
                                              and "function_call" not in part):
                continue
            part = dict(part)
            calls, legacy = part.pop("tool_calls", None), part.pop("function_call", None)
            held = self.held.setdefault(index, {})
            for position, fragment in enumerate(calls if isinstance(calls, list) else ()):
                if not isinstance(fragment, dict):
                    continue
                at = fragment.get("index", position)
                at = at if isinstance(at, int) and at >= 0 else position
                self.held_chars += held.setdefault(at, _HeldCall()).add(fragment)
            if isinstance(legacy, dict):
                self.held_chars += held.setdefault(-1, _HeldCall()).add_function(legacy)
            out = {**out, key: part}
        if self.held_chars > MAX_HELD_ARGUMENT_CHARS:
            raise UnreadableStream("the upstream streamed more tool-call arguments than the "
                                   f"guard holds ({MAX_HELD_ARGUMENT_CHARS} characters)")
        return out

    def _release_calls(self, index: int) -> list[bytes]:
        """Scan the held tool calls of a choice and return them as chunks;
        :class:`GuardBlocked` when one fails a scan (then none of them is sent)."""
        out: list[bytes] = []
        for at, held in sorted(self.held.pop(index, {}).items()):
            arguments = "".join(held.parts)
            location = (f"choices[{index}].delta." + ("function_call.arguments" if at < 0 else
                                                      f"tool_calls[{at}].function.arguments"))
            outcome = guard_arguments(self.engine, arguments, self.context,
                                      tool=tool_name(held.function.get("name")),
                                      location=location)
            self.tool_applied.extend(outcome.applied)
            self.tool_ms += outcome.latency_ms
            if outcome.blocked_by is not None:
                raise GuardBlocked(outcome.blocked_by, TOOL_CALL)
            out.append(self._chunk({"index": index, "delta": held.delta(at, outcome.text),
                                    "finish_reason": None}))
        return out

    def event(self, kind: str, data: str) -> list[bytes]:
        """The client's events for one upstream event; :class:`GuardBlocked` on a block,
        :class:`UnreadableStream` for an event that is not JSON."""
        if data.strip() == "[DONE]":
            out = self.flush()
            self.done = True
            return [*out, sse("[DONE]")]
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise UnreadableStream("the upstream sent a stream event that is not JSON") from exc
        if kind == "error" or not isinstance(chunk, dict) or chunk.get("error"):
            return [*self.flush(), sse(data)]
        self.envelope = {k: v for k, v in chunk.items() if k not in ("choices", "usage")}
        prompt, completion = _usage(chunk)
        if prompt is not None or completion is not None:
            self.usage = (prompt, completion)
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices:
            return [sse(data)]
        if disallowed(choices, self.allowed_tools):
            raise GuardBlocked(TOOL_POLICY)
        kept: list[Any] = []
        texts: list[tuple[int, str]] = []
        calls: list[bytes] = []
        for position, raw in enumerate(choices):
            if not isinstance(raw, dict):
                kept.append(raw)
                continue
            index = raw.get("index", position)
            index = index if isinstance(index, int) else position
            choice = self._hold_calls(index, raw) if self.text_key == "content" else raw
            holder = choice.get("delta") if self.text_key == "content" else choice
            text = holder.get(self.text_key) if isinstance(holder, dict) else None
            window = self._window(index)
            released = window.feed(text) if isinstance(text, str) and text else ""
            rest = _without_text(choice, self.text_key)
            if rest is None:  # nothing but text: send what the window released, if anything
                if released:
                    texts.append((index, released))
                continue
            released += window.flush()
            if released:
                texts.append((index, released))
            if choice.get("finish_reason") is not None and index in self.held:
                calls += self._release_calls(index)
            kept.append(rest)
        out = [*(self._text_chunk(index, text) for index, text in texts), *calls]
        if kept or chunk.get("usage") is not None:
            chunk["choices"] = kept
            out.append(sse(json.dumps(chunk)))
        return out

    def flush(self) -> list[bytes]:
        """Release every window, then every held tool call (at the end of the stream)."""
        out = []
        for index, window in sorted(self.windows.items()):
            text = window.flush()
            if text:
                out.append(self._text_chunk(index, text))
        for index in sorted(self.held):
            out += self._release_calls(index)
        return out

    async def relay(self, upstream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Every client event for the upstream byte stream (the window flushed at its end)."""
        splitter = SseSplitter()
        async for chunk in upstream:
            for kind, data in splitter.feed(chunk):
                for event in self.event(kind, data):
                    yield event
                if self.done:
                    return
        for kind, data in splitter.close():
            for event in self.event(kind, data):
                yield event
        if not self.done:
            for event in self.flush():
                yield event


def _usage(chunk: dict[str, Any]) -> tuple[int | None, int | None]:
    usage = chunk.get("usage")
    if not isinstance(usage, dict):
        return None, None
    p, c = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (p if isinstance(p, int) else None, c if isinstance(c, int) else None)


def _without_text(choice: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The choice without its text, or ``None`` when text was all it carried."""
    if key == "text":
        rest = {k: v for k, v in choice.items() if k != "text"}
        has_more = any(v is not None for k, v in rest.items() if k not in ("index", "logprobs"))
        return rest if has_more else None
    delta = choice.get("delta")
    delta = dict(delta) if isinstance(delta, dict) else {}
    delta.pop("content", None)
    rest = {**choice, "delta": delta}
    meaningful = (any(v is not None for v in delta.values())
                  or choice.get("finish_reason") is not None)
    return rest if meaningful else None
