"""Proxy definitions from outside: addresses, Toxiproxy-style JSON lists, ``--toxic`` text."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillhall.chaos.proxy.spec import ToxicSpec, parse_toxic
from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError, InputError

Address = tuple[str, int]


def parse_address(text: str, *, what: str = "address") -> Address:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) → ``(host, port)``; port 0 picks a free one."""
    value = str(text).strip()
    host, sep, port_text = value.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ConfigError(f"{what} {value!r} is not HOST:PORT")
    port = int(port_text)
    if port > 65535:
        raise ConfigError(f"{what} {value!r} has a port above 65535")
    host = host.removeprefix("[").removesuffix("]")
    return host, port


def format_address(address: Address) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ProxySpec:
    """One proxy as configured: a name, where it listens, where it forwards, its toxics."""

    name: str
    listen: Address
    upstream: Address
    enabled: bool = True
    toxics: tuple[ToxicSpec, ...] = ()


class _ProxyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.\-]+$")
    listen: str
    upstream: str
    enabled: bool = True
    toxics: list[dict[str, Any]] = Field(default_factory=list)


def parse_proxy(data: Mapping[str, Any], *, source: str = "proxy") -> ProxySpec:
    """Validate one proxy in Toxiproxy's JSON shape (plus an optional ``toxics`` list)."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: a proxy must be a JSON object, got {type(data).__name__}")
    try:
        raw = _ProxyIn.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=source)) from None
    where = f"{source}: proxy {raw.name!r}"
    toxics = tuple(parse_toxic(t, source=f"{where} toxic #{i + 1}")
                   for i, t in enumerate(raw.toxics))
    names = [t.name for t in toxics]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{where}: toxic name {name!r} is used twice")
    return ProxySpec(raw.name, parse_address(raw.listen, what=f"{where} listen"),
                     parse_address(raw.upstream, what=f"{where} upstream"), raw.enabled,
                     toxics)


def parse_proxies(data: Any, *, source: str) -> list[ProxySpec]:
    """A Toxiproxy-style list of proxies (also accepts ``{"proxies": [...]}``)."""
    if isinstance(data, Mapping) and isinstance(data.get("proxies"), list):
        data = data["proxies"]
    if not isinstance(data, list):
        raise ConfigError(f"{source}: expected a JSON list of proxies")
    specs = [parse_proxy(item, source=f"{source} item #{i + 1}") for i, item in enumerate(data)]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigError(f"{source}: proxy name {spec.name!r} is used twice")
        seen.add(spec.name)
    return specs


def load_proxies(path: Path) -> list[ProxySpec]:
    """Read a Toxiproxy-style JSON config file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    return parse_proxies(data, source=str(path))
