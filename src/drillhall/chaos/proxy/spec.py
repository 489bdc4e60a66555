"""What a toxic is: its type, direction, toxicity and validated attributes.

Toxics follow Toxiproxy's JSON shape (``{"name", "type", "stream", "toxicity",
"attributes"}``) and units: milliseconds for latency, jitter, delay and timeouts, KB/s for
bandwidth, bytes for sizes, and **microseconds** for the slicer's ``delay``. Attributes are
parsed with a pydantic model per type at this boundary; the rest of the proxy sees only the
frozen :class:`ToxicSpec`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError


class Stream(StrEnum):
    """The direction a toxic acts on: ``upstream`` is client → server, ``downstream`` is
    server → client (Toxiproxy's default)."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"


class _Attrs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatencyAttrs(_Attrs):
    latency: int = Field(0, ge=0, description="delay added to every chunk, ms")
    jitter: int = Field(0, ge=0, description="± random extra delay, ms")


class BandwidthAttrs(_Attrs):
    rate: int = Field(..., ge=0, description="KB/s (0 blocks the data)")


class SlowCloseAttrs(_Attrs):
    delay: int = Field(0, ge=0, description="delay before the close is passed on, ms")


class TimeoutAttrs(_Attrs):
    timeout: int = Field(0, ge=0, description="close after this many ms; 0 holds forever")


class ResetPeerAttrs(_Attrs):
    timeout: int = Field(0, ge=0, description="reset (RST) after this many ms")


class SlicerAttrs(_Attrs):
    average_size: int = Field(1, ge=1, description="average slice size, bytes")
    size_variation: int = Field(0, ge=0, description="± variation of the slice size, bytes")
    delay: int = Field(0, ge=0, description="pause between slices, microseconds")


class LimitDataAttrs(_Attrs):
    bytes: int = Field(..., ge=0, description="close the connection after this many bytes")


class _RouteAttrs(_Attrs):
    method: str | None = Field(None, description="only requests with this method")
    path: str | None = Field(None, description="only requests whose path starts with this")
    path_regex: str | None = Field(None, description="only requests whose path matches")

    @field_validator("path_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"is not a valid regular expression ({exc})") from None
        return value

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class HttpStatusAttrs(_RouteAttrs):
    status: int = Field(503, ge=100, le=599, description="status code to answer with")
    body: str = Field("", description="response body (default: a short JSON error)")
    content_type: str = "application/json"
    retry_after: int | None = Field(None, ge=0, description="Retry-After header, seconds")
    first: int = Field(0, ge=0, description="only the first N matching requests; 0 = all")


class HttpDelayAttrs(_RouteAttrs):
    delay: int = Field(..., ge=0, description="delay before the request is passed on, ms")
    jitter: int = Field(0, ge=0, description="± random extra delay, ms")


ATTRIBUTES: dict[str, type[_Attrs]] = {
    "latency": LatencyAttrs,
    "bandwidth": BandwidthAttrs,
    "slow_close": SlowCloseAttrs,
    "timeout": TimeoutAttrs,
    "reset_peer": ResetPeerAttrs,
    "slicer": SlicerAttrs,
    "limit_data": LimitDataAttrs,
    "http_status": HttpStatusAttrs,
    "http_delay": HttpDelayAttrs,
}
"""Every toxic type and the model of its attributes."""

HTTP_TYPES = frozenset({"http_status", "http_delay"})
"""Toxics that parse HTTP/1.1 requests; they act on the upstream (request) stream only."""


@dataclass(frozen=True, slots=True)
class ToxicSpec:
    """One toxic as configured. ``attributes`` is the validated model of its type."""

    name: str
    type: str
    stream: Stream
    toxicity: float
    attributes: Any = field(compare=True)

    def as_dict(self) -> dict[str, Any]:
        """Toxiproxy's JSON shape."""
        return {"name": self.name, "type": self.type, "stream": self.stream.value,
                "toxicity": self.toxicity,
                "attributes": self.attributes.model_dump(exclude_none=True)}


class _ToxicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    type: str
    stream: Stream = Stream.DOWNSTREAM
    toxicity: float = Field(1.0, ge=0.0, le=1.0)
    attributes: dict[str, Any] = Field(default_factory=dict)


def parse_toxic(data: Mapping[str, Any], *, source: str = "toxic") -> ToxicSpec:
    """Validate a toxic in Toxiproxy's JSON shape, or raise :class:`ConfigError` with one
    sentence naming the key at fault."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: a toxic must be a JSON object, got {type(data).__name__}")
    try:
        raw = _ToxicIn.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=source)) from None
    model = ATTRIBUTES.get(raw.type)
    if model is None:
        raise ConfigError(f"{source}: unknown toxic type {raw.type!r}; expected one of "
                          f"{', '.join(sorted(ATTRIBUTES))}")
    stream = raw.stream
    if raw.type in HTTP_TYPES:
        if "stream" in data and stream is not Stream.UPSTREAM:
            raise ConfigError(f"{source}: toxic type {raw.type!r} acts on requests, so its "
                              "stream must be 'upstream'")
        stream = Stream.UPSTREAM
    try:
        attrs = model.model_validate(raw.attributes)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=source, section=f"{raw.type} attributes")
                          ) from None
    name = raw.name or f"{raw.type}_{stream.value}"
    return ToxicSpec(name, raw.type, stream, raw.toxicity, attrs)


def update_toxic(spec: ToxicSpec, data: Mapping[str, Any], *, source: str = "toxic"
                 ) -> ToxicSpec:
    """Apply a Toxiproxy-style partial update (``toxicity`` and/or ``attributes``)."""
    merged: dict[str, Any] = spec.as_dict()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: an update must be a JSON object")
    for key, value in data.items():
        if key == "attributes":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: 'attributes' must be a JSON object")
            merged["attributes"] = {**merged["attributes"], **value}
        elif key in {"toxicity", "stream", "type", "name"}:
            merged[key] = value
        else:
            raise ConfigError(f"{source}: unknown key {key!r}")
    if merged["name"] != spec.name or merged["type"] != spec.type:
        raise ConfigError(f"{source}: a toxic's name and type cannot be changed")
    return parse_toxic(merged, source=source)


def parse_toxic_option(text: str) -> ToxicSpec:
    """Parse the command line's compact form ``TYPE[:k=v,...]`` with optional ``stream``,
    ``toxicity`` and ``name`` keys, e.g. ``latency:latency=3000,jitter=0``."""
    kind, _, rest = text.strip().partition(":")
    data: dict[str, Any] = {"type": kind.strip()}
    attrs: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--toxic {text!r}: {item!r} is not key=value")
        key = key.strip()
        if key in {"stream", "name", "toxicity"}:
            data[key] = value.strip()
        else:
            attrs[key] = value.strip()
    data["attributes"] = attrs
    return parse_toxic(data, source=f"--toxic {text!r}")
