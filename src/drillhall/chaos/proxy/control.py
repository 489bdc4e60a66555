"""The control API: a small JSON-over-HTTP server with Toxiproxy's routes.

It runs on the proxies' own event loop (a few dozen lines of HTTP/1.1 on asyncio streams, no
framework), so a toxic added through it takes effect before the answer is sent.

======  ==================================  ==========================================
method  path                                does
======  ==================================  ==========================================
GET     /version                            ``{"version": …}``
GET     /proxies                            every proxy, by name
POST    /proxies                            create one (201; 409 if the name exists)
POST    /populate                           create or replace a list of proxies (201)
POST    /reset                              enable every proxy, remove every toxic (204)
GET     /proxies/{proxy}                    one proxy with its toxics
POST    /proxies/{proxy}                    update ``enabled`` / ``listen`` / ``upstream``
DELETE  /proxies/{proxy}                    delete it (204)
GET     /proxies/{proxy}/toxics             its toxics
POST    /proxies/{proxy}/toxics             add a toxic
GET     /proxies/{proxy}/toxics/{toxic}     one toxic
POST    /proxies/{proxy}/toxics/{toxic}     update ``toxicity`` / ``attributes``
DELETE  /proxies/{proxy}/toxics/{toxic}     remove it (204)
======  ==================================  ==========================================

Errors answer ``{"error": "<one sentence>", "status": N}``: 400 for a bad body or attribute,
401 without the bearer token (when one is set), 404 for an unknown proxy, toxic or route,
405 for a wrong method, 409 for a name or address already taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from drillhall.__about__ import __version__
from drillhall.chaos.proxy.config import Address, parse_proxies, parse_proxy
from drillhall.chaos.proxy.core import Hub
from drillhall.errors import ConfigError

_MAX_BODY = 1 << 20


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ControlServer:
    """Serves the control API for ``hub`` on one address."""

    def __init__(self, hub: Hub, token: str | None = None) -> None:
        self.hub = hub
        self._token = token
        self._server: asyncio.Server | None = None
        self.address: Address | None = None

    async def start(self, address: Address) -> Address:
        host, port = address
        self._server = await asyncio.start_server(self._serve, host, port, limit=1 << 16)
        self.address = (host, int(self._server.sockets[0].getsockname()[1]))
        return self.address

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = [*lines[0].split(" "), "", "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length > _MAX_BODY:
                    await self._send(writer, 413, {"error": "request body too large",
                                                   "status": 413}, close=True)
                    return
                body = await reader.readexactly(length) if length else b""
                close = (headers.get("connection", "").lower() == "close"
                         or version == "HTTP/1.0")
                try:
                    self._check_token(headers.get("authorization", ""))
                    status, payload = await self._dispatch(method, target, body)
                except _HttpError as exc:
                    status, payload = exc.status, {"error": str(exc), "status": exc.status}
                except ConfigError as exc:
                    code = int(getattr(exc, "status", 400))
                    status, payload = code, {"error": exc.diagnostics(), "status": code}
                await self._send(writer, status, payload, close=close)
                if close:
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ValueError):
            return
        finally:
            with contextlib.suppress(ConnectionError, RuntimeError):
                writer.close()

    def _check_token(self, header: str) -> None:
        if self._token is None:
            return
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(),
                                                                 self._token.encode()):
            raise _HttpError(401, "the control API needs the bearer token given with "
                                  "--control-token")

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, payload: Any, *,
                    close: bool) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
                 f"Content-Length: {len(body)}",
                 f"Connection: {'close' if close else 'keep-alive'}"]
        if payload is not None:
            lines.append("Content-Type: application/json")
        if status == 401:
            lines.append("WWW-Authenticate: Bearer")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()

    @staticmethod
    def _json(body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _HttpError(400, f"the request body is not valid JSON ({exc})") from None

    async def _dispatch(self, method: str, target: str, body: bytes) -> tuple[int, Any]:
        parts = [unquote(p) for p in target.partition("?")[0].strip("/").split("/") if p]
        hub = self.hub
        route = (method, len(parts), parts[0] if parts else "")
        match route:
            case ("GET", 1, "version"):
                return 200, {"version": __version__}
            case ("POST", 1, "reset"):
                await hub.reset()
                return 204, None
            case ("GET", 1, "proxies"):
                return 200, {n: p.as_dict() for n, p in hub.proxies.items()}
            case ("POST", 1, "proxies"):
                spec = parse_proxy(self._json(body), source="POST /proxies")
                return 201, (await hub.create(spec)).as_dict()
            case ("POST", 1, "populate"):
                specs = parse_proxies(self._json(body), source="POST /populate")
                for spec in specs:
                    if spec.name in hub.proxies:
                        await hub.delete(spec.name)
                created = [(await hub.create(spec)).as_dict() for spec in specs]
                return 201, {"proxies": created}
            case ("GET", 2, "proxies"):
                return 200, hub.get(parts[1]).as_dict()
            case ("POST" | "PATCH", 2, "proxies"):
                data = self._json(body)
                if not isinstance(data, dict):
                    raise _HttpError(400, "a proxy update must be a JSON object")
                return 200, (await hub.update(parts[1], data)).as_dict()
            case ("DELETE", 2, "proxies"):
                await hub.delete(parts[1])
                return 204, None
            case ("GET", 3, "proxies") if parts[2] == "toxics":
                return 200, hub.get(parts[1]).as_dict()["toxics"]
            case ("POST", 3, "proxies") if parts[2] == "toxics":
                return 200, hub.add_toxic(parts[1], self._json(body)).as_dict()
            case ("GET", 4, "proxies") if parts[2] == "toxics":
                return 200, hub.get(parts[1]).toxic(parts[3]).as_dict()
            case ("POST" | "PATCH", 4, "proxies") if parts[2] == "toxics":
                data = self._json(body)
                if not isinstance(data, dict):
                    raise _HttpError(400, "a toxic update must be a JSON object")
                return 200, hub.get(parts[1]).update_toxic(parts[3], data).as_dict()
            case ("DELETE", 4, "proxies") if parts[2] == "toxics":
                hub.get(parts[1]).remove_toxic(parts[3])
                return 204, None
        known = {("version",), ("reset",), ("proxies",), ("populate",)}
        if (tuple(parts[:1]) in known and len(parts) == 1) or (
                parts[:1] == ["proxies"] and (len(parts) == 2 or (
                    len(parts) in (3, 4) and parts[2] == "toxics"))):
            raise _HttpError(405, f"{method} is not allowed on {target}")
        raise _HttpError(404, f"no route {method} {target}")
