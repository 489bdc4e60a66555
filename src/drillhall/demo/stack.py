"""The whole demo service as it runs for ``drillhall demo``: four parts on loopback.

::

    chat client ──► [guard proxy] ──► demo assistant ──► chaos proxy ──► docs index (upstream)
    ticket client ──► classifier process (kept alive by its supervisor)

* the docs index (:mod:`drillhall.demo.upstream`) in a background thread;
* drillhall's fault proxy (:mod:`drillhall.chaos.proxy`) in front of it, with its control
  API, so chaos experiments can slow or cut the assistant's retrieval;
* the assistant (:class:`~drillhall.demo.server.DemoServer`) asking the index through the
  proxy — with no timeout, the planted resilience weakness;
* drillhall's LLM guard proxy (:mod:`drillhall.llm.guard.proxy`) in front of the assistant,
  for the demo's guarded red-team run;
* the ticket classifier as its own process under a supervisor that restarts it when it dies
  (:mod:`drillhall.demo.classifier_service`), with a pid file the kill experiment targets.

Everything is stopped, and every process ended, on exit.
"""

from __future__ import annotations

import logging
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from drillhall.demo import DemoServiceError
from drillhall.demo.server import DemoServer
from drillhall.web.loopback import LOOPBACK, LoopbackServer

PROXY_NAME = "docs-index"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, timeout: float = 20.0) -> None:
    """Wait until ``url`` answers 200, or raise :class:`DemoServiceError`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise DemoServiceError(f"{url} did not answer within {timeout:.0f} s")


def _guard_server(upstream: str, assets: Path | None) -> object:
    """drillhall's guard proxy in front of the assistant, with its default scanners, the
    assistant's system prompt and canary (for leak detection); anonymous calls on loopback."""
    from drillhall.demo import assets_dir
    from drillhall.demo.run import CANARY
    from drillhall.llm.guard.config import GuardConfig, build_scanners
    from drillhall.llm.guard.proxy.app import GuardProxy
    from drillhall.llm.guard.proxy.engine import ScanEngine
    from drillhall.llm.guard.proxy.server import GuardServer
    from drillhall.llm.guard.proxy.settings import AbuseSettings, ProxySettings

    config = GuardConfig()
    inputs, outputs = build_scanners(config)
    prompt = ((assets or assets_dir()) / "system_prompt.txt").read_text(encoding="utf-8")
    # the red team looks like an abusive client: flag it, but keep scanning every attack
    settings = ProxySettings(upstream=upstream, service="docs-assistant-demo-guard",
                             allow_anonymous=True, canaries=(CANARY,), system_prompt=prompt,
                             abuse=AbuseSettings(block=False), allowed_tools=("search_docs",))
    proxy = GuardProxy(settings, ScanEngine(inputs, outputs, fail_closed=config.fail_closed))
    logging.getLogger("drillhall.guard").setLevel(logging.ERROR)  # the demo states the outcome
    return GuardServer(proxy).start()


class DemoStack:
    """Start with ``with DemoStack(workdir) as stack:``; ``workdir`` holds the classifier's
    pid file; ``port`` is the assistant's (0: a free one)."""

    def __init__(self, workdir: Path, assets: Path | None = None, *, port: int = 0) -> None:
        self.workdir = workdir
        self.assets = assets
        self.port = port
        self.pid_file = workdir / "classifier.pid"
        self.classifier_port = 0
        self._upstream: LoopbackServer | None = None
        self._proxy: object | None = None
        self._demo: DemoServer | None = None
        self._supervisor: subprocess.Popen[bytes] | None = None
        self.proxy_url = ""
        self.control_url = ""
        self._guard: object | None = None

    # -- addresses ------------------------------------------------------------------------

    @property
    def demo(self) -> DemoServer:
        if self._demo is None:
            raise DemoServiceError("the demo stack is not running")
        return self._demo

    @property
    def chat_url(self) -> str:
        return self.demo.chat_url

    @property
    def classify_url(self) -> str:
        """The classifier process's endpoint (not the assistant's in-process copy)."""
        return f"http://{LOOPBACK}:{self.classifier_port}/classify"

    @property
    def classifier_health_url(self) -> str:
        return f"http://{LOOPBACK}:{self.classifier_port}/health"

    @property
    def guard_url(self) -> str:
        """The guard proxy in front of the assistant (OpenAI-compatible base URL)."""
        from drillhall.llm.guard.proxy.server import GuardServer

        if not isinstance(self._guard, GuardServer):
            raise DemoServiceError("the demo stack is not running")
        return self._guard.url + "/v1"

    @property
    def upstream_url(self) -> str:
        if self._upstream is None:
            raise DemoServiceError("the demo stack is not running")
        return self._upstream.url

    def guard_latency(self, requests: int = 20) -> tuple[float, float]:
        """Median milliseconds of an ordinary question asked directly and through the guard:
        what the guard adds to every request."""
        body = {"model": "docs-assistant-1",
                "messages": [{"role": "user", "content": "How do I connect to the VPN?"}]}
        medians = []
        with httpx.Client(timeout=30.0, trust_env=False) as client:
            for url in (self.chat_url, self.guard_url + "/chat/completions"):
                client.post(url, json=body)  # warm up the connection
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    client.post(url, json=body)
                    times.append((time.perf_counter() - started) * 1000)
                medians.append(statistics.median(times))
        return medians[0], medians[1]

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> DemoStack:
        from drillhall.chaos.proxy import ProxyServer
        from drillhall.demo.upstream import create_upstream_app

        try:
            self._upstream = LoopbackServer(create_upstream_app(self.assets),
                                            error=DemoServiceError, what="the docs index",
                                            thread_name="drillhall-demo-docs")
            self._upstream.start()
            proxy_server = ProxyServer(control=f"{LOOPBACK}:0").start()
            self._proxy = proxy_server
            proxy = proxy_server.create(PROXY_NAME, listen=f"{LOOPBACK}:0",
                                        upstream=self._upstream.url.removeprefix("http://"))
            self.proxy_url = proxy.listen_url
            self.control_url = proxy_server.control_url or ""
            self._demo = DemoServer(self.assets, port=self.port,
                                    docs_url=self.proxy_url).start()
            self._guard = _guard_server(self.demo.base_url, self.assets)
            self.classifier_port = _free_port()
            self.workdir.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "drillhall.demo.classifier_service", "--supervise",
                       "--port", str(self.classifier_port), "--pid-file", str(self.pid_file)]
            if self.assets is not None:
                command += ["--assets", str(self.assets)]
            self._supervisor = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            wait_healthy(self.classifier_health_url)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every part; safe to call twice."""
        if self._supervisor is not None:
            self._supervisor.terminate()
            try:
                self._supervisor.wait(10)
            except subprocess.TimeoutExpired:
                self._supervisor.kill()
                self._supervisor.wait(5)
            self._supervisor = None
        if self._guard is not None:
            from drillhall.llm.guard.proxy.server import GuardServer

            assert isinstance(self._guard, GuardServer)
            self._guard.stop()
            self._guard = None
        if self._demo is not None:
            self._demo.stop()
            self._demo = None
        if self._proxy is not None:
            from drillhall.chaos.proxy import ProxyServer

            assert isinstance(self._proxy, ProxyServer)
            self._proxy.stop()
            self._proxy = None
        if self._upstream is not None:
            self._upstream.stop()
            self._upstream = None

    def __enter__(self) -> DemoStack:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
