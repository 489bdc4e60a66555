"""Serving the guard proxy with uvicorn: in the foreground (the command line) or in a
background thread (tests, the benchmark, the demo).

The listening socket is bound before uvicorn starts (port 0 picks a free port; ``TCP_NODELAY``
avoids Nagle stalls on small answers). Binding an address other than loopback without client
keys is refused: anonymous calls are for loopback only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import httpx

from drillhall.errors import ConfigError, DependencyMissing, DrillhallError
from drillhall.llm.guard.proxy.app import GuardProxy

__all__ = ["GuardServer", "GuardServerError", "bind", "is_loopback", "parse_listen"]


class GuardServerError(DrillhallError):
    """The guard proxy cannot start or stop."""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) → ``(host, port)``; :class:`ConfigError`
    naming the value otherwise."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {text!r} is not HOST:PORT (e.g. 127.0.0.1:8080)")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, allow_anonymous: bool) -> None:
    """Refuse anonymous calls on an address other than loopback."""
    if allow_anonymous and not is_loopback(host):
        raise ConfigError(f"--allow-anonymous is only allowed on a loopback address, not "
                          f"{host!r}: off loopback every caller needs a client key")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; :class:`GuardServerError` when that fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise GuardServerError(f"the guard proxy cannot listen on {host}:{port}: "
                               f"{exc.strerror or exc}") from exc
    return sock


def _config(app: Any) -> Any:
    try:
        import uvicorn
    except ImportError as exc:
        raise DependencyMissing("uvicorn", "guard") from exc
    return uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                          lifespan="on", server_header=False, timeout_keep_alive=30,
                          backlog=2048)


def serve_forever(proxy: GuardProxy, sock: socket.socket) -> None:
    """Serve on ``sock`` in this thread until SIGINT or SIGTERM, then shut down gracefully
    (the audit worker stores its last signals window) and return normally."""
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn re-raises the signal after its shutdown; the command exits 0 instead
            wanted = (signal.SIGINT, signal.SIGTERM)
            previous = {s: signal.signal(s, self.handle_exit) for s in wanted}
            try:
                yield
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)

    server = _Server(_config(proxy.app))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class GuardServer:
    """The proxy on ``host:port`` in a daemon thread (a context manager); :attr:`url` is
    its base URL (``http://127.0.0.1:PORT``)."""

    def __init__(self, proxy: GuardProxy, host: str = "127.0.0.1", port: int = 0) -> None:
        check_exposure(host, proxy.settings.allow_anonymous)
        self.proxy = proxy
        self.host = host
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}"

    def start(self, timeout: float = 15.0) -> GuardServer:
        import uvicorn

        self._socket = bind(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(_config(self.proxy.app))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]},
                                        name="drillhall-guard-proxy", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if not self._thread.is_alive():
                    self.stop()
                    raise GuardServerError(f"the guard proxy on {self.url} stopped while "
                                           "starting")
                try:
                    if client.get(self.url + "/health").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise GuardServerError(f"the guard proxy on {self.url} did not start within "
                               f"{timeout:g} seconds")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop serving (the lifespan shutdown closes the audit worker) and close the
        socket."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None
        if thread is not None and thread.is_alive():
            raise GuardServerError(f"the guard proxy did not stop within {timeout:g} seconds")

    def __enter__(self) -> GuardServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
