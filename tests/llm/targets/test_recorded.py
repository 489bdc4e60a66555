"""Replay recorded server responses (see tests/llm/fixtures/recorded/README.md) through a
local HTTP server and check what OpenAIChatTarget makes of each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from drillhall.errors import TargetError
from drillhall.llm.targets import OpenAIChatTarget, RateLimitStats
from drillhall.llm.types import Message
from drillhall.testing.fakekeys import fake_secret
from drillhall.web.loopback import LoopbackServer

RECORDED = Path(__file__).parent.parent / "fixtures" / "recorded"
CASES: list[dict[str, Any]] = json.loads((RECORDED / "cases.json").read_text("utf-8"))
SEQUENCES: dict[str, list[str]] = {}
"""case name → files still to serve in order (for retry tests)."""


async def _pieces(body: bytes) -> AsyncIterator[bytes]:
    """The body in small uneven pieces, splitting lines and events mid-way."""
    sizes, position = (7, 61, 13, 101, 3), 0
    while position < len(body):
        size = sizes[position % len(sizes)]
        yield body[position:position + size]
        position += size
        await asyncio.sleep(0)


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/{name}/v1/chat/completions", response_model=None)
    async def replay(name: str, request: Request) -> Response:
        queued = SEQUENCES.get(name)
        file = queued.pop(0) if queued else name.replace("~", "/")
        case = next(c for c in CASES if c["file"] == file)
        body = (RECORDED / file).read_bytes()
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        body = body.replace(b"{{api_key}}", key.encode())
        stream = file.endswith(".sse")
        return StreamingResponse(
            _pieces(body), status_code=case["status"], headers=case.get("headers", {}),
            media_type="text/event-stream" if stream else "application/json")

    return app


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with LoopbackServer(_app()) as server:
        yield server.url


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_recorded_case(base: str, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                       ) -> None:
    key = fake_secret("DH-SECRET-OPENAI-API-KEY", seed=11)
    monkeypatch.setenv("DH_RECORDED_KEY", key)
    target = OpenAIChatTarget(f"{base}/{case['file'].replace('/', '~')}/v1", "m",
                              api_key_env="DH_RECORDED_KEY", stream=bool(case.get("stream")),
                              max_retries=0)
    send = target.send([Message("user", "hi")])
    if "error" in case:
        with pytest.raises(TargetError) as caught:
            asyncio.run(send)
        text = caught.value.diagnostics()
        assert case["error"] in text
        assert key not in text and "\n" not in text
        return
    reply = asyncio.run(send)
    expect = case["expect"]
    assert reply.text == expect["text"]
    assert reply.finish_reason == expect["finish_reason"]
    calls = [[c.name, c.arguments] for c in reply.tool_calls]
    assert calls == expect.get("tool_calls", [])
    for field in ("prompt_tokens", "completion_tokens"):
        if field in expect:
            assert getattr(reply, field) == expect[field]


def test_llamacpp_loading_503_is_retried(base: str) -> None:
    SEQUENCES["loading"] = ["llamacpp/error_503_loading.json", "llamacpp/chat.json"]
    stats = RateLimitStats()
    target = OpenAIChatTarget(f"{base}/loading/v1", "m", backoff_base=0.01, stats=stats)
    reply = asyncio.run(target.send([Message("user", "hi")]))
    assert reply.text == "Hello! How can I help you today?"
    assert (stats.snapshot().unavailable, stats.snapshot().retries) == (1, 1)
