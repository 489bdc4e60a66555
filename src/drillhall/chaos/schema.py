"""The boundary models of an experiment file (pydantic), turned into
:mod:`drillhall.chaos.experiment` values by :mod:`drillhall.chaos.loader`.

Keys follow Chaos Toolkit (``steady-state-hypothesis``, ``method``, ``rollbacks``,
``configuration``, ``secrets``, activity ``type``/``name``/``provider``/``tolerance``/
``pauses``/``background``/``ref``) and add drillhall's (``hypothesis``, ``blast_radius``,
``stop_conditions``, ``max_duration``, ``probe_interval``, ``recovery_timeout``, activity
``timeout``, ``expected_impact``, ``expected_response``, ``rollback_steps``). Unknown keys are
errors, so a typo never silently disables a safety rail.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from drillhall.chaos.timing import parse_duration

Duration = Annotated[float, BeforeValidator(parse_duration)]


def _status_list(value: object) -> object:
    return [value] if isinstance(value, int) and not isinstance(value, bool) else value


def _timeout(value: object) -> object:
    # Chaos Toolkit allows [connect, read]; the longer bounds the request
    if isinstance(value, list) and len(value) == 2:
        return max(parse_duration(value[0]), parse_duration(value[1]))
    return parse_duration(value)


StatusList = Annotated[list[Annotated[int, Field(ge=100, le=599)]], BeforeValidator(_status_list)]
Timeout = Annotated[float, BeforeValidator(_timeout)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PythonSpec(_Model):
    type: Literal["python"]
    module: str = Field(min_length=1)
    func: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)


class ProcessSpec(_Model):
    type: Literal["process"]
    path: str = Field(min_length=1)
    arguments: str | list[Any] | dict[str, Any] | None = None
    timeout: Timeout | None = None
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    secrets: list[str] = Field(default_factory=list)


class HttpSpec(_Model):
    type: Literal["http"]
    url: str = Field(pattern=r"^https?://")
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    arguments: Any = None
    expected_status: StatusList = Field(default_factory=list)
    timeout: Timeout = 5.0
    verify_tls: bool = True
    max_latency_ms: float | None = Field(default=None, gt=0)
    body_contains: str | None = None
    body_regex: str | None = None
    json_path: str | None = None
    json_expect: Any = None
    secrets: list[str] = Field(default_factory=list)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        return value.upper()


class TcpSpec(_Model):
    type: Literal["tcp"]
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    timeout: Timeout = 2.0


class ProcessAliveSpec(_Model):
    type: Literal["process-alive"]
    pid_file: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one(self) -> ProcessAliveSpec:
        if (self.pid_file is None) == (self.name is None):
            raise ValueError("give exactly one of pid_file or name")
        return self


class SloSpec(_Model):
    type: Literal["slo"]
    url: str = Field(pattern=r"^https?://")
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    arguments: Any = None
    requests: int = Field(default=20, ge=1, le=10_000)
    concurrency: int = Field(default=1, ge=1, le=64)
    percentile: float = Field(default=95.0, gt=0, le=100)
    max_latency_ms: float | None = Field(default=None, gt=0)
    max_error_rate: float = Field(default=0.0, ge=0, le=1)
    expected_status: StatusList = Field(default_factory=list)
    timeout: Timeout = 5.0
    secrets: list[str] = Field(default_factory=list)


class FaultSpec(BaseModel):
    """``{"type": "fault", "kind": KIND, ...arguments of that fault}``."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["fault"]
    kind: str = Field(min_length=1)

    def arguments(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


ProviderSpec = Annotated[
    PythonSpec | ProcessSpec | HttpSpec | TcpSpec | ProcessAliveSpec | SloSpec | FaultSpec,
    Field(discriminator="type"),
]
PROVIDER_TYPES = ("python", "process", "http", "tcp", "process-alive", "slo", "fault")


class PausesSpec(_Model):
    before: Duration = 0.0
    after: Duration = 0.0


class ActivitySpec(_Model):
    """An activity, or ``{"ref": NAME}`` naming one defined earlier (Chaos Toolkit)."""

    type: Literal["probe", "action"] | None = None
    name: str | None = Field(default=None, min_length=1)
    provider: ProviderSpec | None = None
    ref: str | None = None
    tolerance: Any = None
    timeout: Duration | None = None
    pauses: PausesSpec = Field(default_factory=PausesSpec)
    background: bool = False
    controls: Any = None
    configuration: Any = None

    @model_validator(mode="after")
    def _complete(self) -> ActivitySpec:
        if self.ref is not None:
            if self.provider is not None:
                raise ValueError("an activity with 'ref' takes no provider")
            return self
        for key in ("type", "name", "provider"):
            if getattr(self, key) is None:
                raise ValueError(f"an activity needs {key!r} (or 'ref' naming another)")
        return self


class SteadyStateSpec(_Model):
    title: str = ""
    probes: list[ActivitySpec] = Field(default_factory=list)
    controls: Any = None


class StopConditionSpec(_Model):
    name: str = Field(min_length=1)
    type: Literal["probe"] = "probe"
    provider: ProviderSpec
    tolerance: Any = None
    timeout: Duration | None = None
    abort_when: Literal["fails", "holds"] = "fails"


def _blast(value: object) -> object:
    return {"description": value} if isinstance(value, str) else value


class BlastRadiusSpec(_Model):
    description: str = ""
    components: list[str] = Field(default_factory=list)
    max_faults: int | None = Field(default=None, ge=0)
    local_only: bool = False


class ExperimentSpec(_Model):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    version: str | None = None
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    contributions: dict[str, Any] | None = None
    extensions: list[Any] | None = None
    controls: Any = None
    runtime: Any = None
    configuration: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, dict[str, Any]] = Field(default_factory=dict)
    steady_state: SteadyStateSpec | None = Field(default=None, alias="steady-state-hypothesis")
    method: list[ActivitySpec]
    rollbacks: list[ActivitySpec] = Field(default_factory=list)
    hypothesis: str = ""
    blast_radius: Annotated[BlastRadiusSpec, BeforeValidator(_blast)] = Field(
        default_factory=BlastRadiusSpec)
    stop_conditions: list[StopConditionSpec] = Field(default_factory=list)
    max_duration: Duration | None = None
    probe_interval: Duration = 1.0
    recovery_timeout: Duration = 30.0
    expected_impact: str = ""
    expected_response: str = ""
    rollback_steps: list[str] = Field(default_factory=list)

    @field_validator("probe_interval")
    @classmethod
    def _interval(cls, value: float) -> float:
        if 0 < value < 0.01:
            raise ValueError("probe_interval must be 0 (off) or at least 0.01 s")
        return value
