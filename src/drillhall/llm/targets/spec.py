"""Describing a target in configuration, opening it, and estimating what a run will cost.

:class:`TargetSpec` is the pydantic model for a ``[llm.target]`` table, a JSON object or
command-line options. :func:`open_target` builds the target it describes; it also takes a
plain string:

* ``http://127.0.0.1:11434/v1`` or ``https://…/v1/chat/completions`` — an OpenAI-compatible
  endpoint (the model is asked of the server when not given);
* ``python:package.module:function`` — a Python callable.

:func:`estimate_cost` gives the figure to show before a run starts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from drillhall.errors import ConfigError
from drillhall.llm.targets.base import Budget, RateLimitStats
from drillhall.llm.targets.callable import CallableTarget
from drillhall.llm.targets.http import DEFAULT_MAX_RESPONSE_BYTES
from drillhall.llm.targets.openai import OpenAIChatTarget
from drillhall.llm.targets.template import HttpTemplateTarget
from drillhall.llm.types import Target

__all__ = ["CostEstimate", "TargetSpec", "estimate_cost", "estimate_tokens", "open_target"]


class TargetSpec(BaseModel):
    """A target as configured. ``kind`` is ``openai`` (the default for a URL), ``http`` (a
    request template) or ``callable`` (``callable`` names ``module:function``). There is no
    field for a key: ``api_key_env`` names the environment variable that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["openai", "http", "callable"] = "openai"
    url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    concurrency: int = Field(4, ge=1, le=256)
    backoff_base: float = Field(0.5, ge=0)
    max_backoff: float = Field(30.0, ge=0)
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, ge=1024)
    verify_tls: bool = True
    label: str | None = None
    # openai
    stream: bool = False
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    api_version: str | None = None
    extra_body: dict[str, object] = Field(default_factory=dict)
    # http
    method: Literal["GET", "POST", "PUT", "PATCH"] = "POST"
    body_template: str | None = '{"prompt": "{{prompt}}"}'
    response_path: str | None = None
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    # callable
    callable: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> TargetSpec:
        if self.kind in ("openai", "http") and not self.url:
            raise ValueError(f"a target of kind {self.kind!r} needs a url")
        if self.kind == "callable" and not self.callable:
            raise ValueError("a target of kind 'callable' needs callable = 'module:function'")
        return self

    @classmethod
    def parse(cls, data: str | Mapping[str, object], where: str = "the target") -> TargetSpec:
        """A spec from a URL/``python:`` string or a mapping; :class:`ConfigError` naming the
        first wrong field otherwise."""
        if isinstance(data, str):
            text = data.strip()
            if text.startswith("python:"):
                data = {"kind": "callable", "callable": text.removeprefix("python:")}
            else:
                data = {"kind": "openai", "url": text}
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first.get("loc", ()))
            at = f" at {field}" if field else ""
            raise ConfigError(f"{where} is not valid{at}: {first.get('msg', 'invalid')}") from exc


def open_target(spec: TargetSpec | str | Mapping[str, object], *, budget: Budget | None = None,
                stats: RateLimitStats | None = None,
                environ: Mapping[str, str] | None = None) -> Target:
    """Build the target a spec (or a URL / ``python:module:function`` string) describes,
    charging ``budget`` and counting into ``stats`` when given."""
    if not isinstance(spec, TargetSpec):
        spec = TargetSpec.parse(spec)
    if spec.kind == "callable":
        assert spec.callable is not None
        return CallableTarget(spec.callable, label=spec.label, timeout=spec.timeout,
                              concurrency=spec.concurrency, budget=budget)
    assert spec.url is not None
    if spec.kind == "http":
        return HttpTemplateTarget(
            spec.url, method=spec.method, body_template=spec.body_template,
            response_path=spec.response_path, auth_header=spec.auth_header,
            auth_scheme=spec.auth_scheme, headers=spec.headers, api_key_env=spec.api_key_env,
            timeout=spec.timeout, max_retries=spec.max_retries, concurrency=spec.concurrency,
            max_response_bytes=spec.max_response_bytes, backoff_base=spec.backoff_base,
            max_backoff=spec.max_backoff, budget=budget, stats=stats,
            verify_tls=spec.verify_tls, label=spec.label, environ=environ)
    return OpenAIChatTarget(
        spec.url, spec.model, stream=spec.stream, temperature=spec.temperature,
        max_tokens=spec.max_tokens, max_tokens_field=spec.max_tokens_field,
        api_version=spec.api_version, extra_body=spec.extra_body, headers=spec.headers,
        api_key_env=spec.api_key_env, timeout=spec.timeout, max_retries=spec.max_retries,
        concurrency=spec.concurrency, max_response_bytes=spec.max_response_bytes,
        backoff_base=spec.backoff_base, max_backoff=spec.max_backoff, budget=budget,
        stats=stats, verify_tls=spec.verify_tls, label=spec.label, environ=environ)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """What a run is expected to cost, shown before it starts."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    """In the currency of the prices given (0 when no price was given)."""

    def describe(self, currency: str = "$") -> str:
        """One sentence: ``200 requests, about 60,000 prompt and 40,000 completion tokens,
        about $0.07``."""
        money = f", about {currency}{self.cost:,.2f}" if self.cost else ""
        return (f"{self.requests} requests, about {self.prompt_tokens:,} prompt and "
                f"{self.completion_tokens:,} completion tokens{money}")


def estimate_cost(requests: int, avg_prompt_tokens: float, avg_completion_tokens: float,
                  price_per_1k_in: float = 0.0, price_per_1k_out: float = 0.0) -> CostEstimate:
    """The tokens and money ``requests`` requests are expected to use (prices per 1,000
    tokens; all figures rounded up)."""
    values = (requests, avg_prompt_tokens, avg_completion_tokens, price_per_1k_in,
              price_per_1k_out)
    if any(v < 0 or not math.isfinite(v) for v in values):
        raise ConfigError("cost estimate inputs must be finite and not negative")
    prompt = math.ceil(requests * avg_prompt_tokens)
    completion = math.ceil(requests * avg_completion_tokens)
    cost = prompt / 1000 * price_per_1k_in + completion / 1000 * price_per_1k_out
    return CostEstimate(requests, prompt, completion, round(cost, 6))


def estimate_tokens(text: str) -> int:
    """A rough token count for estimates: one token per four characters, at least one per
    word."""
    return max(math.ceil(len(text) / 4), len(text.split()))
