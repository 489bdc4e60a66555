"""Run the demo service on loopback in a background thread.

::

    with DemoServer() as demo:
        httpx.post(demo.chat_url, json={...})

The server listens on a socket bound before it starts (port 0 picks a free port, so there is
no race for the port), answers ``/health`` before ``__enter__`` returns, and is stopped and its
socket closed on exit, also when the body raises.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from drillhall.demo import DemoServiceError
from drillhall.web.loopback import LOOPBACK, LoopbackServer

__all__ = ["LOOPBACK", "DemoServer"]


class DemoServer:
    """The demo service served by uvicorn in a daemon thread (a context manager)."""

    def __init__(
        self,
        assets: Path | None = None,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        startup_timeout: float = 15.0,
        docs_url: str | None = None,
    ) -> None:
        """``port=0`` picks a free port; ``assets`` defaults to the bundled assets;
        ``docs_url`` makes the assistant ask the docs index service there
        (:mod:`drillhall.demo.upstream`) instead of searching in process."""
        self.assets = assets
        self.docs_url = docs_url
        self._server = LoopbackServer(None, host=host, port=port, ready_path="/health",
                                      startup_timeout=startup_timeout, error=DemoServiceError,
                                      what="the demo server", thread_name="drillhall-demo")

    # -- addresses ------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The service's root URL, e.g. ``http://127.0.0.1:54321``."""
        return self._server.url

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``…/v1``), as OpenAI clients expect it."""
        return f"{self.url}/v1"

    @property
    def chat_url(self) -> str:
        """The chat completions endpoint."""
        return f"{self.url}/v1/chat/completions"

    @property
    def classify_url(self) -> str:
        """The ticket-triage classifier endpoint."""
        return f"{self.url}/classify"

    @property
    def health_url(self) -> str:
        """The liveness endpoint."""
        return f"{self.url}/health"

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> DemoServer:
        """Start serving and wait until ``/health`` answers."""
        from drillhall.demo.app import create_app

        if self._server.running:
            raise DemoServiceError("the demo server is already running")
        self._server.app = create_app(self.assets, self.docs_url)
        self._server.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit, wait for its thread, and close the listening socket."""
        self._server.stop(timeout)

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._server.running

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
