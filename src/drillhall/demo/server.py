"""Run the demo service on loopback in a background thread.

::

    with DemoServer() as demo:
        httpx.post(demo.chat_url, json={...})

The server listens on a socket bound before it starts (port 0 picks a free port, so there is
no race for the port), answers ``/health`` before ``__enter__`` returns, and is stopped and its
socket closed on exit, also when the body raises.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from drillhall.demo import DemoServiceError
from drillhall.errors import DependencyMissing

if TYPE_CHECKING:
    import uvicorn

LOOPBACK = "127.0.0.1"


class DemoServer:
    """The demo service served by uvicorn in a daemon thread (a context manager)."""

    def __init__(
        self,
        assets: Path | None = None,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        startup_timeout: float = 15.0,
    ) -> None:
        """``port=0`` picks a free port; ``assets`` defaults to the bundled assets."""
        self.assets = assets
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -- addresses ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The service's root URL, e.g. ``http://127.0.0.1:54321``."""
        if self._socket is None:
            raise DemoServiceError("the demo server has no address because it is not running")
        return f"http://{self.host}:{self.port}"

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
        if self._thread is not None:
            raise DemoServiceError("the demo server is already running")
        try:
            import uvicorn
        except ImportError as exc:
            raise DependencyMissing("uvicorn", "web") from exc
        from drillhall.demo.app import create_app

        app = create_app(self.assets)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # without this, small responses wait ~40 ms for delayed ACKs (Nagle's algorithm)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise DemoServiceError(
                f"the demo server cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from exc
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_config=None, log_level="warning", access_log=False, lifespan="off",
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="drillhall-demo", daemon=True
        )
        self._thread.start()
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self._thread is None or not self._thread.is_alive():
                    raise DemoServiceError(
                        f"the demo server on {self.url} stopped while starting"
                    )
                try:
                    if client.get(self.health_url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise DemoServiceError(
            f"the demo server on {self.url} did not answer /health within "
            f"{self.startup_timeout:g} seconds"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit, wait for its thread, and close the listening socket."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None
        if thread is not None and thread.is_alive():
            raise DemoServiceError(f"the demo server did not stop within {timeout:g} seconds")

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
