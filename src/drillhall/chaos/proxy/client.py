"""A small synchronous client for the control API (what experiments and faults use)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from drillhall.chaos.proxy.errors import ProxyConflict, ProxyNotFound
from drillhall.errors import ConfigError, FaultError


class ProxyClient:
    """Talks to a control API at ``url`` (``http://127.0.0.1:8474``).

    Answers 404 raise :class:`ProxyNotFound`, 409 :class:`ProxyConflict`, other 4xx
    :class:`ConfigError`; an unreachable API or a 5xx raises :class:`FaultError`.
    """

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ProxyClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            resp = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise FaultError(f"the chaos proxy control API at {self.url} cannot be reached "
                             f"({type(exc).__name__}: {exc})") from None
        if resp.status_code < 300:
            return resp.json() if resp.content else None
        try:
            message = str(resp.json().get("error", resp.text))
        except ValueError:
            message = resp.text.strip() or resp.reason_phrase
        message = message.rstrip(".")
        if resp.status_code == 404:
            raise ProxyNotFound(message)
        if resp.status_code == 409:
            raise ProxyConflict(message)
        if resp.status_code < 500:
            raise ConfigError(f"the chaos proxy at {self.url} refused {method} {path}: "
                              f"{message}")
        raise FaultError(f"the chaos proxy at {self.url} failed on {method} {path}: "
                         f"{resp.status_code} {message}")

    def version(self) -> str:
        return str(self._request("GET", "/version")["version"])

    def proxies(self) -> dict[str, Any]:
        return dict(self._request("GET", "/proxies"))

    def proxy(self, name: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/proxies/{name}"))

    def create_proxy(self, name: str, listen: str, upstream: str, *, enabled: bool = True
                     ) -> dict[str, Any]:
        return dict(self._request("POST", "/proxies", {"name": name, "listen": listen,
                                                       "upstream": upstream,
                                                       "enabled": enabled}))

    def update_proxy(self, name: str, **fields: Any) -> dict[str, Any]:
        return dict(self._request("POST", f"/proxies/{name}", fields))

    def set_enabled(self, name: str, enabled: bool) -> dict[str, Any]:
        return self.update_proxy(name, enabled=enabled)

    def delete_proxy(self, name: str) -> None:
        self._request("DELETE", f"/proxies/{name}")

    def toxics(self, proxy: str) -> list[dict[str, Any]]:
        return list(self._request("GET", f"/proxies/{proxy}/toxics"))

    def add_toxic(self, proxy: str, type: str, *, name: str | None = None,
                  stream: str | None = None, toxicity: float = 1.0,
                  attributes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Add a toxic; ``stream`` defaults to downstream (upstream for HTTP toxics)."""
        body: dict[str, Any] = {"type": type, "toxicity": toxicity,
                                "attributes": attributes or {}}
        if stream:
            body["stream"] = stream
        if name:
            body["name"] = name
        return dict(self._request("POST", f"/proxies/{proxy}/toxics", body))

    def update_toxic(self, proxy: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._request("POST", f"/proxies/{proxy}/toxics/{name}", body))

    def remove_toxic(self, proxy: str, name: str) -> None:
        self._request("DELETE", f"/proxies/{proxy}/toxics/{name}")

    def reset(self) -> None:
        self._request("POST", "/reset")
