"""Serve an ASGI app with uvicorn in a daemon thread, on a socket bound before it starts.

Binding first means port 0 picks a free port with no race for it; ``TCP_NODELAY`` on the
listening socket (inherited by accepted connections) avoids a ~40 ms Nagle/delayed-ACK
stall per small response; :meth:`LoopbackServer.start` returns only once ``ready_path``
answers, and :meth:`LoopbackServer.stop` closes the socket whatever happened.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from drillhall.errors import DependencyMissing, DrillhallError

LOOPBACK = "127.0.0.1"


class LoopbackServer:
    """One uvicorn server for ``app``. ``ready`` decides from the status of ``ready_path``
    whether the app is up; ``error`` is the exception class raised on failure and ``what``
    names the server in its one-sentence messages."""

    def __init__(self, app: Any, *, host: str = LOOPBACK, port: int = 0,
                 ready_path: str = "/health", ready: Callable[[int], bool] = lambda s: s == 200,
                 startup_timeout: float = 15.0, server_header: bool = True,
                 error: type[DrillhallError] = DrillhallError, what: str = "the server",
                 thread_name: str = "drillhall-server") -> None:
        self.app = app
        self.host = host
        self.port = port
        self.ready_path = ready_path
        self.ready = ready
        self.startup_timeout = startup_timeout
        self.server_header = server_header
        self.error = error
        self.what = what
        self.thread_name = thread_name
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        if self._socket is None:
            raise self.error(f"{self.what} has no address because it is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise self.error(f"{self.what} is already running")
        try:
            import uvicorn
        except ImportError as exc:
            raise DependencyMissing("uvicorn", "web") from exc
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise self.error(f"{self.what} cannot listen on {self.host}:{self.port}: "
                             f"{exc.strerror}") from exc
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_config=None, log_level="critical",
                                access_log=False, lifespan="off",
                                server_header=self.server_header)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise self.error(f"{self.what} on {self.url} stopped while starting")
                try:
                    if self.ready(client.get(self.url + self.ready_path).status_code):
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise self.error(f"{self.what} on {self.url} did not answer {self.ready_path} within "
                         f"{self.startup_timeout:g} seconds")

    def __enter__(self) -> LoopbackServer:
        """Start the server for a ``with`` block; it stops when the block ends."""
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

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
            raise self.error(f"{self.what} did not stop within {timeout:g} seconds")
