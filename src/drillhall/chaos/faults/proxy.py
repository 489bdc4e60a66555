"""Network faults through the chaos proxy's control API.

``proxy-toxic`` adds one toxic (latency, bandwidth, timeout, reset_peer, http_status, …) to a
named proxy; its revert removes that toxic. ``proxy-down`` disables a proxy (new connections
refused, open ones dropped); its revert enables it again. Both talk to the control API of a
running ``drillhall chaos proxy`` (or Toxiproxy: the routes are the same), so they work from
an experiment, from ``drillhall chaos recover`` and from another process alike.

Experiment arguments (``url`` is the control API; a token, when the API needs one, is read
from the environment variable named by ``token_env`` so that it never lands in a journal)::

    {"type": "fault", "kind": "proxy-toxic", "url": "http://127.0.0.1:8474", "proxy": "llm",
     "toxic": "latency", "attributes": {"latency": 3000}, "stream": "downstream",
     "toxicity": 1.0, "name": "slow-llm"}
    {"type": "fault", "kind": "proxy-down", "url": "http://127.0.0.1:8474", "proxy": "llm"}

A fault is ``local`` when its control URL is on loopback; otherwise it needs ``--yes``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from threading import Event
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import fault_arguments
from drillhall.chaos.proxy.client import ProxyClient
from drillhall.chaos.proxy.config import is_loopback
from drillhall.chaos.proxy.errors import ProxyNotFound
from drillhall.chaos.proxy.spec import Stream, ToxicSpec, parse_toxic
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, DrillhallError, FaultError

REMOVE_TOXIC = "proxy.remove-toxic"
ENABLE_PROXY = "proxy.enable"


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., description="control API, e.g. http://127.0.0.1:8474")
    proxy: str = Field(..., min_length=1)
    token_env: str | None = Field(None, description="environment variable with the token")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL of the control API")
        return value.rstrip("/")


class _ToxicArgs(_Target):
    toxic: str = Field(..., description="toxic type: latency, bandwidth, http_status, ...")
    name: str | None = None
    stream: Stream = Stream.DOWNSTREAM
    toxicity: float = Field(1.0, ge=0.0, le=1.0)
    attributes: dict[str, Any] = Field(default_factory=dict)


def _local(url: str) -> bool:
    return is_loopback(urlsplit(url).hostname or "")


def _client(params: Mapping[str, JSONValue]) -> ProxyClient:
    env = params.get("token_env")
    token = os.environ.get(str(env)) if env else None
    if env and not token:
        raise FaultError(f"the environment variable {env} with the chaos proxy token is not set")
    return ProxyClient(str(params["url"]), token=token)


def _params(url: str, proxy: str, token_env: str | None, **more: JSONValue
            ) -> dict[str, JSONValue]:
    params: dict[str, JSONValue] = {"url": url, "proxy": proxy, **more}
    if token_env:
        params["token_env"] = token_env
    return params


class ProxyToxicFault(Fault):
    """Add one toxic to a proxy; reverting removes it."""

    kind: ClassVar[str] = "proxy-toxic"
    local: ClassVar[bool] = True

    def __init__(self, url: str, proxy: str, toxic: ToxicSpec, token_env: str | None = None
                 ) -> None:
        self.url = url
        self.proxy = proxy
        self.toxic = toxic
        self.token_env = token_env

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "proxy-toxic"
                  ) -> ProxyToxicFault:
        """Build from experiment arguments; :class:`ConfigError` names ``where`` and the bad
        argument."""
        source = where
        data = fault_arguments(args)
        parsed = parse_section(_ToxicArgs, data, source=source)
        toxic_data: dict[str, Any] = {"type": parsed.toxic, "toxicity": parsed.toxicity,
                                      "attributes": parsed.attributes}
        if "stream" in data:
            toxic_data["stream"] = parsed.stream.value
        if parsed.name:
            toxic_data["name"] = parsed.name
        toxic = parse_toxic(toxic_data, source=source)
        kind = ProxyToxicFault if _local(parsed.url) else RemoteProxyToxicFault
        return kind(parsed.url, parsed.proxy, toxic, parsed.token_env)

    def describe(self) -> str:
        attrs = ", ".join(f"{k}={v}" for k, v in self.toxic.as_dict()["attributes"].items())
        return (f"add toxic {self.toxic.name!r} ({self.toxic.type}"
                f"{' ' + attrs if attrs else ''}; {self.toxic.stream.value}, toxicity "
                f"{self.toxic.toxicity:g}) to proxy {self.proxy!r} at {self.url}")

    def _revert(self) -> Revert:
        return Revert(REMOVE_TOXIC,
                      _params(self.url, self.proxy, self.token_env, toxic=self.toxic.name),
                      f"remove toxic {self.toxic.name!r} from proxy {self.proxy!r} at "
                      f"{self.url}")

    def prepare(self) -> Revert:
        params = self._revert().params
        with _client(params) as client:
            try:
                names = {t.get("name") for t in client.toxics(self.proxy)}
            except DrillhallError as exc:
                raise FaultError(f"proxy {self.proxy!r} at {self.url}: "
                                 f"{exc.diagnostics()}") from None
        if self.toxic.name in names:
            raise FaultError(f"proxy {self.proxy!r} at {self.url} already has a toxic named "
                             f"{self.toxic.name!r}; give this fault another name")
        return self._revert()

    def inject(self, cancel: Event) -> str:
        data = self.toxic.as_dict()
        with _client(self._revert().params) as client:
            try:
                client.add_toxic(self.proxy, self.toxic.type, name=self.toxic.name,
                                 stream=data["stream"], toxicity=self.toxic.toxicity,
                                 attributes=data["attributes"])
            except DrillhallError as exc:
                raise FaultError(f"adding toxic {self.toxic.name!r} to proxy {self.proxy!r} "
                                 f"failed: {exc.diagnostics()}") from None
        return f"added toxic {self.toxic.name!r} to proxy {self.proxy!r}"


class RemoteProxyToxicFault(ProxyToxicFault):
    """A :class:`ProxyToxicFault` whose control API is on another machine."""

    local: ClassVar[bool] = False


class ProxyDownFault(Fault):
    """Disable a proxy (``down``); reverting enables it again."""

    kind: ClassVar[str] = "proxy-down"
    local: ClassVar[bool] = True

    def __init__(self, url: str, proxy: str, token_env: str | None = None) -> None:
        self.url = url
        self.proxy = proxy
        self.token_env = token_env

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "proxy-down"
                  ) -> ProxyDownFault:
        """Build from experiment arguments; :class:`ConfigError` names ``where`` and the bad
        argument."""
        source = where
        data = fault_arguments(args)
        parsed = parse_section(_Target, data, source=source)
        kind = ProxyDownFault if _local(parsed.url) else RemoteProxyDownFault
        return kind(parsed.url, parsed.proxy, parsed.token_env)

    def describe(self) -> str:
        return f"take proxy {self.proxy!r} at {self.url} down (refuse and drop connections)"

    def _revert(self) -> Revert:
        return Revert(ENABLE_PROXY, _params(self.url, self.proxy, self.token_env),
                      f"enable proxy {self.proxy!r} at {self.url} again")

    def prepare(self) -> Revert:
        with _client(self._revert().params) as client:
            try:
                client.proxy(self.proxy)
            except DrillhallError as exc:
                raise FaultError(f"proxy {self.proxy!r} at {self.url}: "
                                 f"{exc.diagnostics()}") from None
        return self._revert()

    def inject(self, cancel: Event) -> str:
        with _client(self._revert().params) as client:
            try:
                client.set_enabled(self.proxy, False)
            except DrillhallError as exc:
                raise FaultError(f"taking proxy {self.proxy!r} down failed: "
                                 f"{exc.diagnostics()}") from None
        return f"proxy {self.proxy!r} is down"


class RemoteProxyDownFault(ProxyDownFault):
    """A :class:`ProxyDownFault` whose control API is on another machine."""

    local: ClassVar[bool] = False


@reverter(REMOVE_TOXIC)
def remove_toxic(params: Mapping[str, JSONValue]) -> str:
    """Remove the toxic; an absent toxic or proxy counts as already reverted."""
    with _client(params) as client:
        try:
            client.remove_toxic(str(params["proxy"]), str(params["toxic"]))
        except ProxyNotFound:
            return f"toxic {params['toxic']!r} was already absent from proxy {params['proxy']!r}"
    return f"removed toxic {params['toxic']!r} from proxy {params['proxy']!r}"


@reverter(ENABLE_PROXY)
def enable_proxy(params: Mapping[str, JSONValue]) -> str:
    """Enable the proxy again; a proxy that no longer exists counts as reverted."""
    with _client(params) as client:
        try:
            client.set_enabled(str(params["proxy"]), True)
        except ProxyNotFound:
            return f"proxy {params['proxy']!r} no longer exists; nothing to enable"
    return f"proxy {params['proxy']!r} is enabled again"


FAULTS: dict[str, type[ProxyToxicFault] | type[ProxyDownFault]] = {
    "proxy-toxic": ProxyToxicFault,
    "proxy-down": ProxyDownFault,
}


def build_fault(kind: str, args: Mapping[str, Any], *, where: str = "") -> Fault:
    """Build the proxy fault of ``kind`` from its arguments (ConfigError on bad ones)."""
    cls = FAULTS.get(kind)
    if cls is None:
        raise ConfigError(f"{where or 'fault'}: unknown proxy fault kind {kind!r}; expected "
                          f"one of {', '.join(FAULTS)}")
    return cls.from_args(args, where=where or kind)
