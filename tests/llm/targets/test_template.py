"""HttpTemplateTarget against a small JSON API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from drillhall.errors import ConfigError, TargetError
from drillhall.llm.targets import HttpTemplateTarget, JsonPath
from drillhall.llm.targets.template import render_template
from drillhall.llm.types import Message
from drillhall.web.loopback import LoopbackServer

SEEN: list[dict[str, Any]] = []


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/ask")
    async def ask(request: Request) -> dict[str, Any]:
        body = json.loads(await request.body())
        SEEN.append({"body": body, "auth": request.headers.get("x-api-key")})
        return {"data": {"answer": "you asked: " + body["question"], "n": 3},
                "items": [{"t": "a"}, {"t": "b"}]}

    @app.get("/ask")
    def ask_get(q: str) -> PlainTextResponse:
        return PlainTextResponse("plain: " + q)

    @app.post("/broken")
    def broken() -> JSONResponse:
        return JSONResponse({"detail": "upstream model unavailable"}, status_code=502)

    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with LoopbackServer(_app()) as server:
        yield server.url


TEMPLATE = '{"question": "{{prompt}}", "history": {{messages}}, "sys": "{{system}}"}'
TRICKY = 'He said "hi"\\n and left\n\t— ünïcödé </script>'


def test_json_escaped_substitution_and_response_path(url: str) -> None:
    target = HttpTemplateTarget(url + "/ask", body_template=TEMPLATE,
                                response_path="$.data.answer")
    reply = asyncio.run(target.send([Message("system", 'be "nice"'), Message("user", TRICKY)]))
    assert reply.text == "you asked: " + TRICKY
    body = SEEN[-1]["body"]
    assert body["history"] == [{"role": "system", "content": 'be "nice"'},
                               {"role": "user", "content": TRICKY}]
    assert body["sys"] == 'be "nice"'


def test_key_in_named_header(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DH_TEMPLATE_KEY", "k-" + "7" * 20)
    target = HttpTemplateTarget(url + "/ask", body_template=TEMPLATE, response_path="data.n",
                                api_key_env="DH_TEMPLATE_KEY", auth_header="X-Api-Key",
                                auth_scheme="")
    assert asyncio.run(target.send([Message("user", "x")])).text == "3"
    assert SEEN[-1]["auth"] == "k-" + "7" * 20
    assert "7" * 20 not in repr(target)


def test_get_with_prompt_in_url_and_plain_text(url: str) -> None:
    target = HttpTemplateTarget(url + "/ask?q={{prompt}}", method="GET", response_path=None)
    reply = asyncio.run(target.send([Message("user", "a & b = c?")]))
    assert reply.text == "plain: a & b = c?"


def test_missing_path_and_error_status(url: str) -> None:
    target = HttpTemplateTarget(url + "/ask", body_template=TEMPLATE,
                                response_path="$.data.missing")
    with pytest.raises(TargetError, match=r"answered JSON without \$\.data\.missing"):
        asyncio.run(target.send([Message("user", "x")]))
    broken = HttpTemplateTarget(url + "/broken", response_path="$.x", max_retries=0)
    with pytest.raises(TargetError, match="answered HTTP 502: upstream model unavailable"):
        asyncio.run(broken.send([Message("user", "x")]))


def test_template_must_give_json() -> None:
    with pytest.raises(ConfigError, match="does not give valid JSON"):
        HttpTemplateTarget("http://127.0.0.1:9/x", body_template='{"q": {{prompt}}')
    assert json.loads(render_template('{"m": "{{messages}}"}', {"messages": [1, "a\"b"]})) == {
        "m": '[1, "a\\"b"]'}


@pytest.mark.parametrize(("path", "value"), [
    ("$.data.answer", "A"), ("data.answer", "A"), ("items[1].t", "b"), ("$.items[-1]['t']", "b"),
    ('$["data"]["answer"]', "A"), ("items[5].t", None), ("data.answer.deeper", None),
])
def test_json_path(path: str, value: str | None) -> None:
    found = JsonPath(path).find({"data": {"answer": "A"}, "items": [{"t": "a"}, {"t": "b"}]})
    assert found == value if value is not None else not isinstance(found, str)


def test_bad_json_path() -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        JsonPath("$.data[?(@.x)]")
