"""The only way the endpoint probe talks to the network: one origin, a hard request budget.

:class:`BoundedClient` builds every URL from the target's origin (scheme, host and port) and a
path, refuses anything that would leave that origin, counts every request it sends against the
budget (also ones that fail), never retries, and follows redirects itself only when they stay
on the origin. A redirect elsewhere is recorded, not followed.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from drillhall.core.redact import scrub
from drillhall.errors import ConfigError, DrillError

HARD_CAP = 1000
"""No probe sends more requests than this, whatever it is told."""
MAX_BODY = 256 * 1024
"""Bytes of a response body kept for analysis."""
_MAX_REDIRECTS = 3


class BudgetExhausted(DrillError):
    """The request budget is spent; the probe stops sending."""


class Cancelled(DrillError):
    """The run was cancelled; the probe stops sending."""


class OriginViolation(DrillError):
    """A request would have left the target's origin (a bug or a hostile redirect)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Scheme, host and port of the target: the only place requests go."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: httpx.URL) -> Origin:
        port = url.port or (443 if url.scheme == "https" else 80)
        return cls(url.scheme, url.host.lower(), port)

    def url(self, path: str) -> httpx.URL:
        """The absolute URL of ``path`` on this origin; refuses anything that is not a plain
        absolute path (no scheme, no ``//host``)."""
        if not path.startswith("/") or path.startswith("//") or "\\" in path:
            raise OriginViolation(f"refusing to request {path!r}: not a path on the target")
        host = f"[{self.host}]" if ":" in self.host else self.host
        built = httpx.URL(f"{self.scheme}://{host}:{self.port}{path}")
        if Origin.of(built) != self:
            raise OriginViolation(f"refusing to request {path!r}: it leaves {self}")
        return built

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or literal address (no DNS lookup is made)."""
    name = host.lower().rstrip(".").strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_target(url: str, *, allow_remote: bool) -> httpx.URL:
    """Check the target URL: http(s), a host, no credentials in it, loopback unless
    ``allow_remote``. Raises :class:`ConfigError` naming the URL."""
    shown = url if len(url) <= 120 else url[:117] + "..."
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"endpoint URL {shown!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise ConfigError(f"endpoint URL {shown!r} must start with http:// or https://")
    if not parsed.host:
        raise ConfigError(f"endpoint URL {shown!r} has no host")
    if parsed.userinfo:
        raise ConfigError("the endpoint URL carries credentials (user:password@); pass a "
                          "token through token_env or a header instead")
    if not allow_remote and not is_loopback(parsed.host):
        raise ConfigError(
            f"endpoint URL {str(parsed.copy_with(query=None))!r} is not a loopback host; "
            "probing another machine needs allow_remote = true (--allow-remote) and "
            "permission from its owner")
    return parsed


@dataclass(slots=True)
class Exchange:
    """One request sent and what came back (``status`` 0 when no answer arrived)."""

    method: str
    path: str
    status: int
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    text: str = ""
    error: str = ""
    redirected_away: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body parsed as JSON (floats kept exact as :class:`decimal.Decimal`), or None."""
        from decimal import Decimal

        try:
            return json.loads(self.text, parse_float=Decimal)
        except ValueError:
            return None


class BoundedClient:
    """Sends requests to one origin, never more than ``budget`` of them in all."""

    def __init__(self, origin: Origin, budget: int, *, timeout: float,
                 transport: httpx.BaseTransport | None = None,
                 cancel: threading.Event | None = None,
                 secrets: tuple[str, ...] = ()) -> None:
        """``secrets`` are masked in every answer (body and headers) as soon as it arrives,
        so a server that echoes a credential back cannot put it into findings."""
        self.origin = origin
        self.secrets = secrets
        self.budget = min(budget, HARD_CAP)
        self.sent = 0
        self.redirects_refused: list[str] = []
        self._cancel = cancel
        self._client = httpx.Client(timeout=timeout, follow_redirects=False,
                                    transport=transport, trust_env=False)

    @property
    def remaining(self) -> int:
        return self.budget - self.sent

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> BoundedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
             content: bytes | None = None) -> Exchange:
        """Send one request (and same-origin redirects, each counted). Transport errors and
        timeouts come back as an :class:`Exchange` with status 0, never as exceptions."""
        for _hop in range(_MAX_REDIRECTS + 1):
            exchange = self._send_once(method, path, headers, content)
            location = exchange.headers.get("location")
            if not (300 <= exchange.status < 400 and location):
                return exchange
            target = httpx.URL(urljoin(str(self.origin.url(path)), location))
            if Origin.of(target) != self.origin:
                shown = str(target.copy_with(query=None, fragment=None))
                self.redirects_refused.append(f"{path} -> {shown}")
                exchange.redirected_away = shown
                return exchange
            path = target.raw_path.decode("ascii")
            if exchange.status in (301, 302, 303):
                method, content = ("GET", None) if method != "HEAD" else (method, None)
        return exchange

    def _send_once(self, method: str, path: str, headers: Mapping[str, str] | None,
                   content: bytes | None) -> Exchange:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("the endpoint probe was cancelled")
        if self.sent >= self.budget:
            raise BudgetExhausted(f"the request budget of {self.budget} is spent")
        url = self.origin.url(path)
        self.sent += 1
        try:
            with self._client.stream(method, url, headers=dict(headers or {}),
                                     content=content) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) >= MAX_BODY:
                        break
                text = bytes(body[:MAX_BODY]).decode(response.encoding or "utf-8", "replace")
                headers = httpx.Headers([(k, scrub(v, self.secrets))
                                         for k, v in response.headers.items()])
                return Exchange(method, path, response.status_code, headers,
                                scrub(text, self.secrets))
        except httpx.HTTPError as exc:
            return Exchange(method, path, 0, error=type(exc).__name__)
