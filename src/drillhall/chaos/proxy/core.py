"""The proxies as they run on the event loop: listeners, connections, toxic lists.

Everything here runs on one asyncio loop and is driven by :class:`Hub` — the registry the
control API and the Python API (:mod:`drillhall.chaos.proxy.server`) both call into.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from random import Random
from typing import Any

from drillhall.chaos.proxy.config import Address, ProxySpec, format_address, parse_address
from drillhall.chaos.proxy.errors import ProxyConflict, ProxyNotFound
from drillhall.chaos.proxy.link import Connection, ConnectionOwner, Shared
from drillhall.chaos.proxy.spec import ToxicSpec, parse_toxic, update_toxic
from drillhall.chaos.proxy.toxic import Toxic
from drillhall.chaos.proxy.toxics import build_toxic
from drillhall.errors import ConfigError


class AsyncProxy(ConnectionOwner):
    """One named proxy: a listener forwarding to an upstream, and its toxics."""

    def __init__(self, spec: ProxySpec, rng: Random) -> None:
        self.name = spec.name
        self.listen: Address = spec.listen
        self.upstream: Address = spec.upstream
        self.enabled = False
        self.rng = rng
        self.toxics: dict[str, tuple[ToxicSpec, Toxic, Shared]] = {}
        self.conns: set[Connection] = set()
        self._server: asyncio.Server | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def enable(self) -> None:
        """Start listening (again, on the same address)."""
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        host, port = self.listen
        try:
            self._server = await loop.create_server(self._accept, host, port, backlog=1024)
        except OSError as exc:
            raise ProxyConflict(f"proxy {self.name!r} cannot listen on "
                                f"{format_address(self.listen)}: {exc.strerror or exc}"
                                ) from None
        sock = self._server.sockets[0].getsockname()
        self.listen = (host, int(sock[1]))
        self.enabled = True

    async def disable(self) -> None:
        """``down``: stop accepting (new connections are refused) and drop every open one."""
        self.enabled = False
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for conn in list(self.conns):
            conn.close()

    def _accept(self) -> asyncio.BaseProtocol:
        conn = Connection(self, self.upstream)
        self.conns.add(conn)
        return conn.client

    def joined(self, conn: Connection) -> None:
        if not self.enabled:
            conn.close()
            return
        conn.sync(list(self.toxics.values()), self.rng)

    def forget(self, conn: Connection) -> None:
        self.conns.discard(conn)

    # -- toxics -------------------------------------------------------------------------

    def _apply(self) -> None:
        entries = list(self.toxics.values())
        for conn in list(self.conns):
            if conn.links:
                conn.sync(entries, self.rng)

    def add_toxic(self, spec: ToxicSpec) -> ToxicSpec:
        if spec.name in self.toxics:
            raise ProxyConflict(f"proxy {self.name!r} already has a toxic named {spec.name!r}")
        self.toxics[spec.name] = (spec, build_toxic(spec, self.rng), Shared())
        self._apply()
        return spec

    def update_toxic(self, name: str, data: Mapping[str, Any]) -> ToxicSpec:
        old, _, shared = self._toxic(name)
        spec = update_toxic(old, data, source=f"toxic {name!r}")
        self.toxics[name] = (spec, build_toxic(spec, self.rng), shared)
        self._apply()
        return spec

    def remove_toxic(self, name: str) -> None:
        self._toxic(name)
        del self.toxics[name]
        self._apply()

    def _toxic(self, name: str) -> tuple[ToxicSpec, Toxic, Shared]:
        entry = self.toxics.get(name)
        if entry is None:
            raise ProxyNotFound(f"proxy {self.name!r} has no toxic named {name!r}")
        return entry

    def toxic(self, name: str) -> ToxicSpec:
        return self._toxic(name)[0]

    def as_dict(self) -> dict[str, Any]:
        """Toxiproxy's JSON shape of a proxy."""
        return {"name": self.name, "listen": format_address(self.listen),
                "upstream": format_address(self.upstream), "enabled": self.enabled,
                "toxics": [spec.as_dict() for spec, _, _ in self.toxics.values()]}


class Hub:
    """Every proxy of one server, by name. All methods run on the server's loop."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = Random(seed)  # noqa: S311 - chance of a fault, not a secret
        self.proxies: dict[str, AsyncProxy] = {}

    def get(self, name: str) -> AsyncProxy:
        proxy = self.proxies.get(name)
        if proxy is None:
            raise ProxyNotFound(f"no proxy named {name!r}")
        return proxy

    async def create(self, spec: ProxySpec) -> AsyncProxy:
        if spec.name in self.proxies:
            raise ProxyConflict(f"a proxy named {spec.name!r} already exists")
        proxy = AsyncProxy(spec, self.rng)
        for toxic in spec.toxics:
            proxy.add_toxic(toxic)
        if spec.enabled:
            await proxy.enable()
        self.proxies[spec.name] = proxy
        return proxy

    async def update(self, name: str, data: Mapping[str, Any]) -> AsyncProxy:
        """Toxiproxy's proxy update: ``enabled``, ``listen`` and ``upstream``."""
        proxy = self.get(name)
        unknown = set(data) - {"enabled", "listen", "upstream", "name"}
        if unknown:
            raise ConfigError(f"proxy {name!r}: unknown key {sorted(unknown)[0]!r}")
        if "upstream" in data:
            proxy.upstream = parse_address(str(data["upstream"]), what="upstream")
        if "listen" in data:
            listen = parse_address(str(data["listen"]), what="listen")
            if listen != proxy.listen:
                await proxy.disable()
                proxy.listen = listen
        enabled = data.get("enabled", proxy.enabled if "listen" not in data else True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"proxy {name!r}: 'enabled' must be true or false")
        if enabled:
            await proxy.enable()
        else:
            await proxy.disable()
        return proxy

    async def delete(self, name: str) -> None:
        proxy = self.get(name)
        await proxy.disable()
        del self.proxies[name]

    async def reset(self) -> None:
        """Enable every proxy and remove every toxic (Toxiproxy's ``POST /reset``)."""
        for proxy in self.proxies.values():
            for name in list(proxy.toxics):
                proxy.remove_toxic(name)
            await proxy.enable()

    async def close(self) -> None:
        for proxy in self.proxies.values():
            await proxy.disable()

    def add_toxic(self, name: str, data: Mapping[str, Any]) -> ToxicSpec:
        proxy = self.get(name)
        return proxy.add_toxic(parse_toxic(data, source=f"proxy {name!r} toxic"))

