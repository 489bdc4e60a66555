"""Docker container faults through the Docker SDK (``pip install 'drillhall[chaos-cloud]'``):
``docker-stop``, ``docker-kill``, ``docker-pause`` and ``docker-restart``.

Containers are chosen among the *running* ones by exact ``name`` or by ``labels``
(``{"app": "web"}``; ``"*"`` only requires the key), narrowed by ``count`` / ``percentage``.
The Engine is ``base_url`` (``unix:///var/run/docker.sock``, ``tcp://host:2375``) or, by
default, what ``DOCKER_HOST`` says. :meth:`prepare` records the containers' ids; the revert
starts each one that is not running and unpauses each one that is paused, so it is the same
for every kind and harmless to repeat. These faults act outside the runner's process tree
and are ``local = False`` (they need ``--yes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from threading import Event
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import import_sdk, parse_args
from drillhall.chaos.faults.targets import EVERY, BlastRadius, SelectionArgs
from drillhall.errors import FaultError

START = "docker.start"


class DockerArgs(SelectionArgs):
    """Arguments every container fault takes: exactly one of ``name`` or ``labels``."""

    name: str | None = Field(default=None, min_length=1, description="exact container name")
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="labels every target carries ('*': any value)")
    base_url: str | None = Field(default=None, description="Docker Engine URL (default: "
                                                           "DOCKER_HOST or the local socket)")
    timeout: int = Field(default=30, ge=1, le=600, description="Engine API timeout, seconds")
    stop_timeout: int = Field(default=10, ge=0, le=600, description="seconds Docker waits "
                              "for a stopped container before SIGKILL")

    @model_validator(mode="after")
    def _one_selector(self) -> DockerArgs:
        if bool(self.name) == bool(self.labels):
            raise ValueError("give exactly one of name or labels to select containers")
        return self


class DockerKillArgs(DockerArgs):
    """Arguments of ``docker-kill``."""

    signal: str = Field(default="SIGKILL", description="signal sent to the container")

    @field_validator("signal")
    @classmethod
    def _signal(cls, value: str) -> str:
        text = value.strip().upper()
        if not text or not (text.isdigit() or text.isalnum()):
            raise ValueError(f"{value!r} is not a signal name such as SIGKILL")
        return text


def _sdk() -> Any:
    return import_sdk("docker", "docker")


def _errors(sdk: Any) -> tuple[type[BaseException], ...]:
    requests = import_sdk("requests", "docker")
    return sdk.errors.DockerException, requests.exceptions.RequestException


def _client(base_url: str | None, timeout: int) -> Any:
    sdk = _sdk()
    try:
        if base_url:
            return sdk.DockerClient(base_url=base_url, timeout=timeout)
        return sdk.from_env(timeout=timeout)
    except _errors(sdk) as exc:
        raise FaultError(f"cannot reach the Docker Engine at {base_url or 'DOCKER_HOST'}: "
                         f"{exc}") from None


class _ContainerFault(Fault):
    local: ClassVar[bool] = False
    action: ClassVar[str]
    Args: ClassVar[type[BaseModel]] = DockerArgs

    def __init__(self, *, name: str | None = None, labels: Mapping[str, str] | None = None,
                 radius: BlastRadius = EVERY, base_url: str | None = None, timeout: int = 30,
                 stop_timeout: int = 10) -> None:
        self.name = name
        self.labels = dict(labels or {})
        self.radius = radius
        self.base_url = base_url
        self.timeout = timeout
        self.stop_timeout = stop_timeout
        self._targets: list[dict[str, str]] | None = None

    @classmethod
    def _kwargs(cls, a: DockerArgs) -> dict[str, Any]:
        return {"name": a.name, "labels": a.labels, "radius": a.blast_radius(),
                "base_url": a.base_url, "timeout": a.timeout, "stop_timeout": a.stop_timeout}

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> _ContainerFault:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        parsed = parse_args(cls.Args, args, kind=cls.kind, where=where)
        assert isinstance(parsed, DockerArgs)
        return cls(**cls._kwargs(parsed))

    def _selection(self) -> str:
        which = (f"container {self.name!r}" if self.name else "containers labelled "
                 + ", ".join(f"{k}={v}" for k, v in sorted(self.labels.items())))
        limit = self.radius.describe()
        return which + ("" if limit == "all" else f" (blast radius {limit})")

    def describe(self) -> str:
        return f"{self.action} {self._selection()}; revert starts/unpauses them"

    def prepare(self) -> Revert:
        sdk = _sdk()
        client = _client(self.base_url, self.timeout)
        filters: dict[str, Any] = {"status": "running"}
        if self.labels:
            filters["label"] = [k if v == "*" else f"{k}={v}" for k, v in self.labels.items()]
        if self.name:
            filters["name"] = self.name
        try:
            found = client.containers.list(filters=filters)
        except _errors(sdk) as exc:
            raise FaultError(f"listing containers failed: {exc}") from None
        finally:
            client.close()
        matching = [{"id": str(c.id), "name": str(c.name)} for c in found
                    if not self.name or c.name == self.name]
        if not matching:
            raise FaultError(f"no running container matches: {self._selection()}")
        self._targets = self.radius.choose(matching, key=lambda c: c["name"])
        return Revert(START, {"base_url": self.base_url, "timeout": self.timeout,
                              "containers": list(self._targets)},
                      "start or unpause " + ", ".join(c["name"] for c in self._targets))

    def _act(self, container: Any) -> None:
        raise NotImplementedError

    def inject(self, cancel: Event) -> str:
        if self._targets is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        sdk = _sdk()
        client = _client(self.base_url, self.timeout)
        done: list[str] = []
        try:
            for target in self._targets:
                if cancel.is_set():
                    raise FaultError(f"{self.kind} was cancelled after {len(done)} container(s)")
                try:
                    self._act(client.containers.get(target["id"]))
                except sdk.errors.NotFound:
                    done.append(f"{target['name']} no longer exists")
                    continue
                except _errors(sdk) as exc:
                    raise FaultError(f"{self.action} {target['name']} failed: {exc}") from None
                done.append(f"{self.action} {target['name']}")
        finally:
            client.close()
        return "; ".join(done)


class DockerStop(_ContainerFault):
    """Stop containers (SIGTERM, SIGKILL after ``stop_timeout``); revert starts them."""

    kind: ClassVar[str] = "docker-stop"
    action: ClassVar[str] = "stop"

    def _act(self, container: Any) -> None:
        container.stop(timeout=self.stop_timeout)


class DockerKill(_ContainerFault):
    """Kill containers with ``signal`` (default SIGKILL); revert starts them."""

    kind: ClassVar[str] = "docker-kill"
    action: ClassVar[str] = "kill"
    Args: ClassVar[type[BaseModel]] = DockerKillArgs

    def __init__(self, *, signal: str = "SIGKILL", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signal = signal

    @classmethod
    def _kwargs(cls, a: DockerArgs) -> dict[str, Any]:
        return {**super()._kwargs(a), "signal": getattr(a, "signal", "SIGKILL")}

    def _act(self, container: Any) -> None:
        container.kill(signal=self.signal)


class DockerPause(_ContainerFault):
    """Freeze containers (``docker pause``); revert unpauses them."""

    kind: ClassVar[str] = "docker-pause"
    action: ClassVar[str] = "pause"

    def _act(self, container: Any) -> None:
        container.pause()


class DockerRestart(_ContainerFault):
    """Restart containers; revert makes sure they are running."""

    kind: ClassVar[str] = "docker-restart"
    action: ClassVar[str] = "restart"

    def _act(self, container: Any) -> None:
        container.restart(timeout=self.stop_timeout)


@reverter(START)
def start_containers(params: Mapping[str, JSONValue]) -> str:
    """Unpause paused and start stopped containers; running or removed ones are left as
    they are."""
    sdk = _sdk()
    client = _client(params.get("base_url"), int(params.get("timeout") or 30))
    notes = []
    try:
        for target in params.get("containers") or []:
            name = target.get("name") or target["id"]
            try:
                container = client.containers.get(target["id"])
                status = container.status
                if status == "paused":
                    container.unpause()
                    notes.append(f"unpaused {name}")
                elif status == "running":
                    notes.append(f"{name} is running")
                else:
                    container.start()
                    notes.append(f"started {name}")
            except sdk.errors.NotFound:
                notes.append(f"{name} no longer exists")
            except _errors(sdk) as exc:
                raise FaultError(f"starting container {name} failed: {exc}") from None
    finally:
        client.close()
    return "; ".join(notes) or "no container to start"


FAULTS: tuple[type[Fault], ...] = (DockerStop, DockerKill, DockerPause, DockerRestart)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
