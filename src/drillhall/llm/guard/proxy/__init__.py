"""The LLM guard proxy: an OpenAI-compatible reverse proxy that scans prompts and answers,
authenticates clients with their own keys, limits abuse and keeps an audit trail.

::

    from drillhall.llm.guard.config import GuardConfig
    from drillhall.llm.guard.proxy import GuardServer, ProxySettings, build_proxy

    settings = ProxySettings(upstream="http://127.0.0.1:11434/v1", allow_anonymous=True)
    with GuardServer(build_proxy(settings, GuardConfig())) as server:
        ...                                   # point an OpenAI client at server.url + "/v1"

Parts: :mod:`.app` (routes and the request pipeline), :mod:`.engine` (scanners and the
failure policy), :mod:`.streaming` (the sliding window over streamed answers),
:mod:`.tools` and :mod:`.arguments` (which tools an answer calls, and what it passes them),
:mod:`.keys` (client keys), :mod:`.limits` (token buckets, cost caps, abuse), :mod:`.audit`
(audit rows, structured logs, signals), :mod:`.metrics` (Prometheus), :mod:`.forward` (the
upstream), :mod:`.settings`, :mod:`.server` (uvicorn). Needs ``pip install 'drillhall[guard]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drillhall.llm.guard.proxy.engine import ScanEngine, engine_from_config
from drillhall.llm.guard.proxy.settings import (
    AbuseSettings,
    LimitSettings,
    ProxySettings,
    read_config_file,
)

if TYPE_CHECKING:
    from drillhall.llm.guard.config import GuardConfig
    from drillhall.llm.guard.proxy.app import GuardProxy
    from drillhall.store import Store

__all__ = [
    "AbuseSettings",
    "LimitSettings",
    "ProxySettings",
    "ScanEngine",
    "build_proxy",
    "engine_from_config",
    "read_config_file",
]


def build_proxy(settings: ProxySettings, config: GuardConfig, *, store: Store | None = None,
                upstream_key: str | None = None) -> GuardProxy:
    """A :class:`~drillhall.llm.guard.proxy.app.GuardProxy` with the scanners of ``config``
    (built once here; the detector's weights load now, not on the first request)."""
    from drillhall.llm.guard.config import build_scanners
    from drillhall.llm.guard.proxy.app import GuardProxy

    engine = engine_from_config(config, build_scanners(config))
    return GuardProxy(settings, engine, store=store, upstream_key=upstream_key)
