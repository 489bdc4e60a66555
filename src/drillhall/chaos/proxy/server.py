"""The Python API: run proxies from ordinary (synchronous) code.

:class:`ProxyServer` starts a background thread with its own event loop that carries the
proxies' data and, optionally, the control API; :class:`Proxy` is a handle on one proxy.
Every call is carried out on that loop and returns once it has taken effect::

    with ProxyServer(control="127.0.0.1:0") as server:
        api = server.create("api", listen="127.0.0.1:0", upstream="127.0.0.1:8000")
        api.add_toxic("latency", latency=300, jitter=20)
        ...                               # traffic to api.listen_url is slowed
        api.remove_toxic("latency_downstream")
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

from drillhall.chaos.proxy.config import (
    Address,
    ProxySpec,
    format_address,
    is_loopback,
    parse_address,
    parse_proxy,
)
from drillhall.chaos.proxy.control import ControlServer
from drillhall.chaos.proxy.core import Hub
from drillhall.chaos.proxy.spec import Stream, ToxicSpec, parse_toxic
from drillhall.errors import ConfigError

T = TypeVar("T")
_CALL_TIMEOUT = 30.0


class ProxyServer:
    """Proxies (and their control API) served from a background thread.

    ``control`` is ``HOST:PORT`` for the control API (port 0 picks one) or ``None`` for none;
    off-loopback it needs ``token``, which is then required as a bearer token. ``seed``
    makes toxicity draws and jitter reproducible.
    """

    def __init__(self, *, control: str | None = None, token: str | None = None,
                 seed: int | None = None) -> None:
        self._control_addr = parse_address(control, what="control address") if control else None
        if self._control_addr and not is_loopback(self._control_addr[0]) and not token:
            raise ConfigError(f"refusing to serve the control API on "
                              f"{format_address(self._control_addr)}, which is not loopback, "
                              "without a token; give --control-token")
        self._token = token
        self._seed = seed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._hub: Hub | None = None
        self._control: ControlServer | None = None
        self._stopped = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, proxies: Iterable[ProxySpec] = ()) -> ProxyServer:
        """Start the loop thread, the control API and ``proxies``; returns ``self``."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._stopped.set()

        self._thread = threading.Thread(target=run, name="drillhall-chaos-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        self._hub = Hub(self._seed)
        try:
            if self._control_addr is not None:
                self._control = ControlServer(self._hub, self._token)
                self._call(self._control.start(self._control_addr))
            for spec in proxies:
                self._call(self._hub.create(spec))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Close every proxy and connection and end the thread. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        if self._hub is not None:
            async def close_all() -> None:
                if self._control is not None:
                    await self._control.close()
                assert self._hub is not None
                await self._hub.close()
                await asyncio.sleep(0)
            try:
                self._call(close_all())
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> ProxyServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _call(self, coro: Awaitable[T]) -> T:
        if self._loop is None or self._thread is None:
            raise RuntimeError("the proxy server is not started")

        async def wrap() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrap(), self._loop).result(_CALL_TIMEOUT)

    def _run(self, fn: Callable[[], T]) -> T:
        async def call() -> T:
            return fn()

        return self._call(call())

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            raise RuntimeError("the proxy server is not started")
        return self._hub

    # -- API ----------------------------------------------------------------------------

    @property
    def control_address(self) -> Address | None:
        return self._control.address if self._control is not None else None

    @property
    def control_url(self) -> str | None:
        """``http://HOST:PORT`` of the control API, or ``None`` when it is not served."""
        addr = self.control_address
        return f"http://{format_address(addr)}" if addr is not None else None

    def create(self, name: str, *, listen: str = "127.0.0.1:0", upstream: str,
               enabled: bool = True) -> Proxy:
        """Create and start a proxy; ``listen`` port 0 picks a free port."""
        spec = parse_proxy({"name": name, "listen": listen, "upstream": upstream,
                            "enabled": enabled}, source="create")
        self._call(self.hub.create(spec))
        return Proxy(self, name)

    def proxy(self, name: str) -> Proxy:
        """A handle on an existing proxy (raises ProxyNotFound)."""
        self._run(lambda: self.hub.get(name))
        return Proxy(self, name)

    def proxies(self) -> list[Proxy]:
        return [Proxy(self, name) for name in self._run(lambda: list(self.hub.proxies))]

    def delete(self, name: str) -> None:
        self._call(self.hub.delete(name))

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self._call(self.hub.reset())


class Proxy:
    """A handle on one running proxy of a :class:`ProxyServer`."""

    def __init__(self, server: ProxyServer, name: str) -> None:
        self.server = server
        self.name = name

    def __repr__(self) -> str:
        return f"Proxy({self.name!r})"

    def info(self) -> dict[str, Any]:
        """Toxiproxy's JSON shape: name, listen, upstream, enabled, toxics."""
        return self.server._run(lambda: self.server.hub.get(self.name).as_dict())

    @property
    def listen_address(self) -> Address:
        return self.server._run(lambda: self.server.hub.get(self.name).listen)

    @property
    def listen_url(self) -> str:
        return f"http://{format_address(self.listen_address)}"

    @property
    def enabled(self) -> bool:
        return bool(self.info()["enabled"])

    def add_toxic(self, type: str, *, name: str | None = None,
                  stream: Stream | str = Stream.DOWNSTREAM, toxicity: float = 1.0,
                  **attributes: Any) -> ToxicSpec:
        """Add a toxic; takes effect for open connections too. Returns it as stored (its
        default name is ``TYPE_STREAM``)."""
        data: dict[str, Any] = {"type": type, "toxicity": toxicity, "attributes": attributes,
                                "stream": str(Stream(stream).value)}
        if type.startswith("http_"):
            data["stream"] = Stream.UPSTREAM.value
        if name is not None:
            data["name"] = name
        spec = parse_toxic(data, source=f"proxy {self.name!r} toxic")
        return self.server._run(lambda: self.server.hub.get(self.name).add_toxic(spec))

    def update_toxic(self, name: str, *, toxicity: float | None = None,
                     **attributes: Any) -> ToxicSpec:
        data: dict[str, Any] = {"attributes": attributes}
        if toxicity is not None:
            data["toxicity"] = toxicity
        return self.server._run(lambda: self.server.hub.get(self.name).update_toxic(name, data))

    def remove_toxic(self, name: str) -> None:
        """Remove a toxic (raises ProxyNotFound when it does not exist)."""
        self.server._run(lambda: self.server.hub.get(self.name).remove_toxic(name))

    def toxics(self) -> list[ToxicSpec]:
        return self.server._run(
            lambda: [s for s, _, _ in self.server.hub.get(self.name).toxics.values()])

    def disable(self) -> None:
        """``down``: refuse new connections and drop open ones."""
        self.server._call(self.server.hub.update(self.name, {"enabled": False}))

    def enable(self) -> None:
        self.server._call(self.server.hub.update(self.name, {"enabled": True}))
