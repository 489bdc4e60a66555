"""The chaos fault proxy: a pure-asyncio TCP proxy with Toxiproxy's toxics, HTTP-aware
faults, a JSON control API and a Python API.

- :mod:`~drillhall.chaos.proxy.spec` — toxic types, attributes and their validation
- :mod:`~drillhall.chaos.proxy.link`, :mod:`~drillhall.chaos.proxy.toxics`,
  :mod:`~drillhall.chaos.proxy.http` — the data path and what each toxic does
- :mod:`~drillhall.chaos.proxy.core` — proxies on the event loop
- :mod:`~drillhall.chaos.proxy.control` / :mod:`~drillhall.chaos.proxy.client` — control API
- :mod:`~drillhall.chaos.proxy.server` — :class:`ProxyServer` and :class:`Proxy` for sync code
"""

from drillhall.chaos.proxy.client import ProxyClient
from drillhall.chaos.proxy.config import ProxySpec, load_proxies, parse_address, parse_proxy
from drillhall.chaos.proxy.errors import ProxyConflict, ProxyNotFound
from drillhall.chaos.proxy.server import Proxy, ProxyServer
from drillhall.chaos.proxy.spec import ATTRIBUTES, Stream, ToxicSpec, parse_toxic

__all__ = [
    "ATTRIBUTES",
    "Proxy",
    "ProxyClient",
    "ProxyConflict",
    "ProxyNotFound",
    "ProxyServer",
    "ProxySpec",
    "Stream",
    "ToxicSpec",
    "load_proxies",
    "parse_address",
    "parse_proxy",
    "parse_toxic",
]
