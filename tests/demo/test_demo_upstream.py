"""The demo's retrieval upstream and its supervised classifier process, over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drillhall.demo.server import DemoServer
from drillhall.demo.upstream import create_upstream_app
from drillhall.web.loopback import LoopbackServer

QUESTION = "How do I connect to the VPN from home?"


@pytest.fixture(scope="module")
def upstream() -> Iterator[LoopbackServer]:
    with LoopbackServer(create_upstream_app(), what="the docs index") as server:
        yield server


def _ask(url: str, question: str = QUESTION) -> tuple[str, float]:
    body = {"messages": [{"role": "user", "content": question}]}
    started = time.perf_counter()
    response = httpx.post(url, json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"], time.perf_counter() - started


def test_the_assistant_answers_the_same_through_the_upstream(upstream: LoopbackServer) -> None:
    with DemoServer() as local, DemoServer(docs_url=upstream.url) as remote:
        for question in (QUESTION, "what is the weather on mars", "reset my password please"):
            assert _ask(remote.chat_url, question)[0] == _ask(local.chat_url, question)[0]


def test_a_slow_upstream_slows_every_answer(tmp_path: Path) -> None:
    """The planted weakness: two upstream calls per question and no timeout on either."""
    from fastapi import FastAPI, Request

    inner = create_upstream_app()
    slow = FastAPI()

    @slow.middleware("http")
    async def delay(request: Request, call_next):  # type: ignore[no-untyped-def]
        import asyncio

        if request.url.path != "/health":
            await asyncio.sleep(0.4)
        return await call_next(request)

    slow.mount("/", inner)
    with LoopbackServer(slow, what="slow docs index") as server, \
            DemoServer(docs_url=server.url) as demo:
        _, seconds = _ask(demo.chat_url)
    assert seconds >= 0.8  # search + document, each waited for in full


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def test_the_supervisor_restarts_a_killed_classifier(tmp_path: Path) -> None:
    port, pid_file = _free_port(), tmp_path / "classifier.pid"
    supervisor = subprocess.Popen([sys.executable, "-m", "drillhall.demo.classifier_service",
                                   "--supervise", "--port", str(port), "--pid-file",
                                   str(pid_file)])
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base}/health")
        first = int(pid_file.read_text())
        reply = httpx.post(f"{base}/classify", json={"text": "my laptop screen is broken"})
        assert reply.status_code == 200 and "probabilities" in reply.json()
        os.kill(first, signal.SIGKILL)
        time.sleep(0.1)
        _wait_healthy(f"{base}/health")
        assert int(pid_file.read_text()) != first
    finally:
        supervisor.terminate()
        assert supervisor.wait(10) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/health", timeout=0.5)


def test_the_demo_stack_wires_the_proxy_between_assistant_and_upstream(tmp_path: Path) -> None:
    from drillhall.demo.stack import PROXY_NAME, DemoStack

    with DemoStack(tmp_path) as stack:
        _, fast = _ask(stack.chat_url)
        added = httpx.post(f"{stack.control_url}/proxies/{PROXY_NAME}/toxics",
                           json={"type": "latency", "attributes": {"latency": 400}})
        assert added.status_code == 200, added.text
        _, slow = _ask(stack.chat_url)
        assert slow >= fast + 0.75  # two upstream calls, each 400 ms slower
        reply = httpx.post(stack.classify_url, json={"text": "the printer is jammed"})
        assert reply.status_code == 200
        pid = int(stack.pid_file.read_text())
    with pytest.raises(OSError):
        os.kill(pid, 0)  # the classifier process ended with the stack


def test_demo_serve_runs_the_stack_until_ctrl_c(tmp_path: Path) -> None:
    import re

    proc = subprocess.Popen([sys.executable, "-m", "drillhall", "demo", "serve", "--port", "0"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C stops it" in line:
                break
        text = "".join(lines)
        chat = re.search(r"chat \(OpenAI-compatible\): (\S+)", text)
        classify = re.search(r"classifier process: +(\S+)", text)
        assert chat and classify, text
        _ask(chat.group(1))
        assert httpx.post(classify.group(1), json={"text": "vpn"}).status_code == 200
        assert (Path(re.search(r"chaos experiments: (\S+)", text).group(1))  # type: ignore[union-attr]
                / "slow-upstream.yaml").read_text().count("127.0.0.1") >= 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    with pytest.raises(httpx.HTTPError):
        httpx.post(classify.group(1), json={"text": "vpn"}, timeout=1)
