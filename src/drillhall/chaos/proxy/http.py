"""HTTP-aware toxics: answer requests with an injected status, or delay them by route.

The request stream (upstream) is parsed incrementally as HTTP/1.1: request line and headers,
then a ``Content-Length`` or chunked body, request after request on a keep-alive connection.
Each request is decided once its head is complete; its bytes are then passed on, delayed, or
swallowed and answered by the proxy. Anything that does not parse as HTTP/1.x (or an
``Upgrade``/``CONNECT`` tunnel) is passed through untouched from that point on.

Limit: an injected answer is written as soon as its request is read; a client that pipelines
several requests without waiting could see it ahead of earlier upstream answers (ordinary
clients do not pipeline).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from random import Random

from drillhall.chaos.proxy.link import EOF, Chunk, Emit, Link, ToxicState
from drillhall.chaos.proxy.spec import HttpDelayAttrs, HttpStatusAttrs
from drillhall.chaos.proxy.toxic import Toxic

_MAX_HEAD = 64 * 1024
_HEAD, _BODY, _CHUNK_SIZE, _CHUNK_DATA, _TRAILER = range(5)


@dataclass(frozen=True, slots=True)
class Request:
    """The head of one parsed request."""

    method: str
    path: str
    version: str
    close: bool
    expect_continue: bool
    tunnel: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """Bytes of the stream; ``request`` is ``None`` for pass-through data, ``last`` marks the
    final piece of a request."""

    request: Request | None
    data: bytes
    last: bool


def parse_head(head: bytes) -> tuple[Request, int | None, bool] | None:
    """(request, content length, chunked) from a request head, or ``None`` if it is not
    HTTP/1.x."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
        return None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[0].isalpha():
        return None
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return None
        key = name.strip().lower()
        headers[key] = f"{headers[key]},{value.strip()}" if key in headers else value.strip()
    path = target
    if "://" in target:
        path = "/" + target.split("://", 1)[1].partition("/")[2]
    path = path.partition("?")[0] or "/"
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    close = "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens)
    tunnel = method == "CONNECT" or ("upgrade" in tokens and "upgrade" in headers)
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length: int | None = None
    if not chunked and "content-length" in headers:
        try:
            length = int(headers["content-length"].split(",")[0])
        except ValueError:
            return None
        if length < 0:
            return None
    expect = headers.get("expect", "").lower() == "100-continue"
    return Request(method.upper(), path, version, close, expect, tunnel), length, chunked


class RequestParser:
    """Splits a request stream into :class:`Piece` values, request by request."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._state = _HEAD
        self._req: Request | None = None
        self._left = 0
        self.passthrough = False

    def feed(self, data: bytes) -> list[Piece]:
        if self.passthrough:
            return [Piece(None, data, False)]
        self._buf += data
        out: list[Piece] = []
        buf = self._buf
        while buf and not self.passthrough:
            state = self._state
            if state == _HEAD:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > _MAX_HEAD:
                        self._give_up(out)
                    break
                head = bytes(buf[:end + 4])
                parsed = parse_head(head)
                if parsed is None:
                    self._give_up(out)
                    break
                del buf[:end + 4]
                req, length, chunked = parsed
                self._req = req
                if chunked:
                    self._state = _CHUNK_SIZE
                    out.append(Piece(req, head, False))
                elif length:
                    self._state, self._left = _BODY, length
                    out.append(Piece(req, head, False))
                else:
                    out.append(Piece(req, head, True))
                    self._ended(out)
            elif state in (_BODY, _CHUNK_DATA):
                n = min(self._left, len(buf))
                piece = bytes(buf[:n])
                del buf[:n]
                self._left -= n
                done = self._left == 0 and state == _BODY
                out.append(Piece(self._req, piece, done))
                if self._left == 0:
                    if done:
                        self._ended(out)
                    else:
                        self._state = _CHUNK_SIZE
            else:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > _MAX_HEAD:
                        self._give_up(out)
                    break
                line = bytes(buf[:end + 2])
                del buf[:end + 2]
                if state == _CHUNK_SIZE:
                    try:
                        size = int(line.split(b";")[0].strip(), 16)
                    except ValueError:
                        self._give_up(out, line)
                        break
                    out.append(Piece(self._req, line, False))
                    if size == 0:
                        self._state = _TRAILER
                    else:
                        self._state, self._left = _CHUNK_DATA, size + 2
                else:  # trailer lines, ended by an empty line
                    last = line == b"\r\n"
                    out.append(Piece(self._req, line, last))
                    if last:
                        self._ended(out)
        return out

    def _ended(self, out: list[Piece]) -> None:
        self._state = _HEAD
        if self._req is not None and self._req.tunnel:
            self._give_up(out)

    def _give_up(self, out: list[Piece], prefix: bytes = b"") -> None:
        self.passthrough = True
        rest = prefix + bytes(self._buf)
        self._buf.clear()
        if rest:
            out.append(Piece(None, rest, False))


def _matches(attrs: HttpStatusAttrs | HttpDelayAttrs, pattern: re.Pattern[str] | None,
             req: Request) -> bool:
    if attrs.method and req.method != attrs.method:
        return False
    if attrs.path and not req.path.startswith(attrs.path):
        return False
    return pattern is None or pattern.search(req.path) is not None


def _parser(state: ToxicState) -> RequestParser:
    parser = state.extra.get("parser")
    if not isinstance(parser, RequestParser):
        parser = state.extra["parser"] = RequestParser()
    return parser


class HttpStatus(Toxic):
    """Answer matching requests with ``status`` (and ``Retry-After``, a body) instead of
    passing them upstream; with ``first`` = N only the first N matching requests of the
    proxy are answered."""

    def __init__(self, attrs: HttpStatusAttrs) -> None:
        self.attrs = attrs
        self.pattern = re.compile(attrs.path_regex) if attrs.path_regex else None

    def response(self, req: Request, close: bool) -> bytes:
        status = self.attrs.status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Injected"
        body = self.attrs.body.encode() if self.attrs.body else json.dumps(
            {"error": {"message": f"{status} {reason} (injected by the drillhall chaos proxy)",
                       "type": "drillhall_fault", "code": status}}).encode()
        lines = [f"HTTP/1.1 {status} {reason}",
                 f"Content-Type: {self.attrs.content_type}",
                 f"Content-Length: {len(body)}",
                 "X-Drillhall-Fault: http_status",
                 f"Connection: {'close' if close else 'keep-alive'}"]
        if self.attrs.retry_after is not None:
            lines.append(f"Retry-After: {self.attrs.retry_after}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head if req.method == "HEAD" else head + body

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        if chunk.data == EOF:
            await emit(chunk)
            return
        for piece in _parser(state).feed(chunk.data):
            req = piece.request
            if req is None:
                await emit(Chunk(piece.data, chunk.ts))
                continue
            if state.extra.get("req") is not req:
                state.extra["req"] = req
                inject = _matches(self.attrs, self.pattern, req) and (
                    self.attrs.first == 0 or state.shared.count < self.attrs.first)
                if inject:
                    state.shared.count += 1
                state.extra["inject"] = inject
                if inject and req.expect_continue:
                    # the client waits before sending the body: answer now and close
                    link.reply(self.response(req, True), close=True)
                    return
            if not state.extra["inject"]:
                await emit(Chunk(piece.data, chunk.ts))
            elif piece.last:
                assert req is not None
                link.reply(self.response(req, req.close), close=req.close)


class HttpDelay(Toxic):
    """Hold matching requests for ``delay`` ± ``jitter`` ms before passing them upstream."""

    def __init__(self, attrs: HttpDelayAttrs, rng: Random) -> None:
        self.attrs = attrs
        self.rng = rng
        self.pattern = re.compile(attrs.path_regex) if attrs.path_regex else None

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        if chunk.data == EOF:
            await emit(chunk)
            return
        for piece in _parser(state).feed(chunk.data):
            req = piece.request
            if req is not None and state.extra.get("req") is not req:
                state.extra["req"] = req
                if _matches(self.attrs, self.pattern, req):
                    delay: float = self.attrs.delay
                    if self.attrs.jitter:
                        delay += self.rng.uniform(-self.attrs.jitter, self.attrs.jitter)
                    await link.wait_until(link.loop.time() + max(delay, 0) / 1000.0, state)
            await emit(Chunk(piece.data, chunk.ts))
