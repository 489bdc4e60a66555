"""The guard proxy's settings: where it forwards, who may call it, limits, audit and signals.

They come from the ``[proxy]`` table of the guard configuration file (``--config``, TOML or
JSON; the rest of that file configures the scanners) and from the command line, which wins::

    [proxy]
    canaries = ["TIDEWATER-7731"]          # tokens that must never appear in an answer
    allowed_hosts = ["docs.example.com"]   # hosts answers may link to
    stream_hold_chars = 256                # sliding window: text held back until scanned
    metrics_auth = "key"                   # GET /metrics needs a client key ("open": none)

    [proxy.limits]
    requests_per_minute = 120
    tokens_per_minute = 60000
    price_per_1k_prompt_tokens = 0.0005
    price_per_1k_completion_tokens = 0.0015
    cost_cap = 5.0                         # per client key per cost window
    cost_window_seconds = 86400

    [proxy.abuse]
    window_seconds = 300
    min_requests = 10
    flag_share = 0.3                       # share of blocked requests that flags a client
    block_share = 0.6                      # ... and that blocks it for block_seconds
    block_seconds = 600
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillhall.errors import ConfigError

__all__ = ["AbuseSettings", "LimitSettings", "ProxySettings", "read_config_file"]


class LimitSettings(BaseModel):
    """Per-client-key token buckets and cost caps (``0`` turns a limit off)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_minute: float = Field(default=0.0, ge=0)
    request_burst: int = Field(default=0, ge=0)
    """Bucket size for requests (default: one minute's worth)."""
    tokens_per_minute: float = Field(default=0.0, ge=0)
    token_burst: int = Field(default=0, ge=0)
    price_per_1k_prompt_tokens: float = Field(default=0.0, ge=0)
    price_per_1k_completion_tokens: float = Field(default=0.0, ge=0)
    cost_cap: float = Field(default=0.0, ge=0)
    """Most a client key may spend per cost window (in the currency of the prices)."""
    cost_window_seconds: float = Field(default=86_400.0, gt=0)


class AbuseSettings(BaseModel):
    """Flagging and blocking clients whose requests the guard keeps blocking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_seconds: float = Field(default=300.0, gt=0)
    min_requests: int = Field(default=10, ge=1)
    flag_share: float = Field(default=0.3, gt=0, le=1)
    block_share: float = Field(default=0.6, gt=0, le=1)
    block: bool = True
    """Block a client whose share reaches ``block_share`` (else only flag it)."""
    block_seconds: float = Field(default=600.0, gt=0)


class ProxySettings(BaseModel):
    """Everything the proxy needs besides the scanners and the upstream key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    upstream: str = ""
    """The upstream's OpenAI-style base URL, e.g. ``http://127.0.0.1:11434/v1``."""
    service: str = "llm-guard"
    allow_anonymous: bool = False
    canaries: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    allowed_tools: tuple[str, ...] | None = None
    """Tools an answer may call; a call to any other is blocked (``tool-policy``). ``None``:
    no tool policy (calls pass as the model made them); ``()``: no tool calls at all."""
    system_prompt: str | None = None
    """The application's system prompt, when the application does not send it through the
    proxy (leak detection compares answers with it)."""
    upstream_timeout_seconds: float = Field(default=120.0, gt=0)
    upstream_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_connections: int = Field(default=512, ge=1)
    stream_hold_chars: int = Field(default=256, ge=0)
    """Characters of a streamed answer held back until the text after them is scanned too
    (anything unsafe shorter than this is seen whole before any of it is sent)."""
    stream_scan_every_chars: int = Field(default=256, ge=1)
    keys_refresh_seconds: float = Field(default=5.0, ge=0)
    """How often the proxy re-reads the client keys (a revoked key stops working within
    this time)."""
    metrics_auth: Literal["key", "open"] | None = None
    """Who may read ``GET /metrics``: ``"key"`` — callers with a valid client key
    (``Authorization: Bearer …``), as on the API routes, even when anonymous calls are
    allowed; ``"open"`` — anyone. Unset: ``"key"``, unless anonymous calls are allowed
    (which the proxy permits on loopback only), then ``"open"``. ``/health`` is always open."""
    audit: bool = True
    signals_window_seconds: float = Field(default=300.0, gt=0)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    abuse: AbuseSettings = Field(default_factory=AbuseSettings)

    @property
    def metrics_open(self) -> bool:
        """Whether ``GET /metrics`` answers without a client key (see :attr:`metrics_auth`)."""
        if self.metrics_auth is None:
            return self.allow_anonymous
        return self.metrics_auth == "open"

    def with_overrides(self, **values: Any) -> ProxySettings:
        """A copy with the given fields replaced (``None`` values are ignored), validated."""
        merged = {**self.model_dump(), **{k: v for k, v in values.items() if v is not None}}
        return parse_settings(merged, "the command line")


def parse_settings(data: Mapping[str, Any], source: str) -> ProxySettings:
    """Validate ``data`` as proxy settings; :class:`ConfigError` names ``source`` and the
    field at fault."""
    try:
        return ProxySettings.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: proxy setting {where!r}: {first['msg']}") from exc


def read_config_file(path: Path) -> tuple[ProxySettings, dict[str, Any]]:
    """Read a guard configuration file (TOML, or JSON when it ends in ``.json``): the
    ``proxy`` table as :class:`ProxySettings`, and everything else (the scanners'
    configuration) as a plain dictionary."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the guard configuration {path}: "
                          f"{exc.strerror or exc}") from exc
    try:
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"the guard configuration {path} is not valid "
                          f"{'JSON' if path.suffix.lower() == '.json' else 'TOML'}: "
                          f"{exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"the guard configuration {path} is not a table of settings")
    proxy = data.pop("proxy", {})
    if not isinstance(proxy, dict):
        raise ConfigError(f"{path}: 'proxy' must be a table of settings")
    return parse_settings(proxy, str(path)), data
