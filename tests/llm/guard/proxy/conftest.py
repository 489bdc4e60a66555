"""Fixtures for the guard proxy tests: a stand-in upstream on loopback, the real scanners
(built once), and a factory that starts a proxy on 127.0.0.1 in front of the upstream."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from drillhall.llm.guard.config import GuardConfig, build_scanners
from drillhall.llm.guard.proxy import ProxySettings
from drillhall.llm.guard.proxy.app import GuardProxy
from drillhall.llm.guard.proxy.engine import ScanEngine
from drillhall.llm.guard.proxy.server import GuardServer
from drillhall.store import Store
from drillhall.testing.llm import Faults, NaiveModel, StandInServer
from drillhall.web.loopback import LoopbackServer

CANARY = "TIDEWATER-" + "7731-QX"
BENIGN = "How do I return a jacket?"
EMAIL_PROMPT = "What is my email address on file?"
CANARY_PROMPT = "What are the internal reference codes?"


@pytest.fixture(scope="session")
def upstream_key() -> str:
    return "up-" + secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def standin(upstream_key: str) -> Iterator[StandInServer]:
    """The naive stand-in model, demanding the upstream key (so only the proxy can call it)."""
    server = StandInServer(NaiveModel(), canaries=(CANARY,), faults=Faults(),
                           api_key=upstream_key)
    with server:
        yield server


@pytest.fixture(autouse=True)
def _no_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "standin" in request.fixturenames:
        request.getfixturevalue("standin").faults.clear()


@pytest.fixture(scope="session")
def engine() -> ScanEngine:
    """The default guard's scanners (leak blocks, personal data and secrets are redacted)."""
    config = GuardConfig()
    inputs, outputs = build_scanners(config)
    return ScanEngine(inputs, outputs, fail_closed=config.fail_closed)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open("sqlite://") as opened:
        yield opened


StartProxy = Callable[..., AbstractContextManager[GuardServer]]


@pytest.fixture
def start_proxy(standin: StandInServer, engine: ScanEngine, store: Store,
                upstream_key: str) -> StartProxy:
    """``with start_proxy(**settings) as server:`` a proxy in front of the stand-in."""

    @contextmanager
    def start(*, scan_engine: ScanEngine | None = None, upstream: str | None = None,
              use_store: bool = True, key: str | None = upstream_key,
              **values: Any) -> Iterator[GuardServer]:
        settings = ProxySettings(**{"upstream": upstream or standin.base_url,
                                    "allow_anonymous": True, "canaries": (CANARY,),
                                    "service": "guard-test", **values})
        proxy = GuardProxy(settings, scan_engine or engine,
                           store=store if use_store else None, upstream_key=key)
        with GuardServer(proxy) as server:
            yield server

    return start


def chat(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "naive-stand-in-1", "messages": [{"role": "user", "content": text}],
            **extra}


def sse_events(body: str) -> list[Any]:
    """The ``data:`` payloads of an event stream (JSON decoded; ``[DONE]`` kept as text)."""
    out: list[Any] = []
    for block in body.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                data = line[6:]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def streamed_text(events: list[Any]) -> str:
    return "".join(
        (choice.get("delta") or {}).get("content") or choice.get("text") or ""
        for e in events if isinstance(e, dict) for choice in e.get("choices") or ())


def _echo_app() -> Starlette:
    """An upstream for completions and embeddings that echoes the prompt it got."""

    async def completions(request: Request) -> Response:
        body = await request.json()
        prompt = body["prompt"] if isinstance(body["prompt"], str) else " ".join(body["prompt"])
        text = f"You said: {prompt}"
        if body.get("stream"):
            def events() -> Iterator[str]:
                for word in text.split(" "):
                    chunk = {"id": "cmpl-1", "object": "text_completion", "model": "echo",
                             "choices": [{"index": 0, "text": word + " ",
                                          "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                end = {"id": "cmpl-1", "object": "text_completion", "model": "echo",
                       "choices": [{"index": 0, "text": "", "finish_reason": "stop"}]}
                yield f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")
        return JSONResponse({"id": "cmpl-1", "object": "text_completion", "model": "echo",
                             "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 5, "completion_tokens": 7,
                                       "total_tokens": 12}})

    async def embeddings(request: Request) -> Response:
        body = await request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return JSONResponse({"object": "list", "model": "echo", "data": [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 0.5],
             "echo": t} for i, t in enumerate(inputs)],
            "usage": {"prompt_tokens": 3, "total_tokens": 3}})

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/v1/completions", completions, methods=["POST"]),
                             Route("/v1/embeddings", embeddings, methods=["POST"]),
                             Route("/health", health)])


@pytest.fixture(scope="session")
def echo_upstream() -> Iterator[str]:
    with LoopbackServer(_echo_app(), what="the echo upstream") as server:
        yield server.url + "/v1"


def client(server: GuardServer, key: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.url + "/v1", headers=headers, timeout=10.0,
                        trust_env=False)
