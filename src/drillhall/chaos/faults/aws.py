"""AWS faults through boto3 (``pip install 'drillhall[chaos-cloud]'``).

* ``ec2-stop`` stops running EC2 instances chosen by ``instance_ids`` or ``tags`` (narrowed by
  ``count`` / ``percentage``); the revert starts the instances it stopped (waiting for one
  still ``stopping``) — starting a running instance is a no-op, so it is safe to repeat.
* ``ec2-terminate`` terminates them. Nothing can undo that: it needs ``irreversible: true``
  and its revert only records that fact.
* ``fis-start-experiment`` starts an AWS Fault Injection Service experiment from
  ``template_id``, tagged with a token chosen in :meth:`prepare`; the revert finds the
  experiment by that token and stops it if it is still pending, initiating or running.

Credentials come from boto3's usual chain (environment, shared files, ``profile``, instance
role) and are never written to a journal. ``endpoint_url`` points at LocalStack or another
compatible endpoint. These faults are ``local = False``.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Mapping
from threading import Event
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import (
    IRREVERSIBLE,
    config_error,
    import_sdk,
    parse_args,
    wait_until,
)
from drillhall.chaos.faults.targets import SelectionArgs
from drillhall.errors import FaultError

START_INSTANCES = "ec2.start"
STOP_EXPERIMENT = "fis.stop-experiment"
TOKEN_TAG = "drillhall-fault-token"  # noqa: S105 (a tag name, not a secret)
ACTIVE_EXPERIMENT = ("pending", "initiating", "running")


class _AwsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, description="AWS region (default: boto3's)")
    profile: str | None = Field(default=None, description="named profile of the shared "
                                                          "credentials file")
    endpoint_url: str | None = Field(default=None, description="alternative endpoint, e.g. "
                                                               "LocalStack")


class Ec2Args(_AwsArgs, SelectionArgs):
    """Arguments of ``ec2-stop`` / ``ec2-terminate``: ``instance_ids`` or ``tags``."""

    instance_ids: list[str] = Field(default_factory=list, description="instances by id")
    tags: dict[str, str] = Field(default_factory=dict, description="instances carrying all "
                                                                   "these tags ('*': any)")
    wait: bool = Field(default=True, description="wait until the instances reach the state")
    wait_timeout: float = Field(default=600.0, gt=0, le=3600,
                                description="seconds to wait for the state")
    poll_seconds: float = Field(default=5.0, gt=0, le=60,
                                description="seconds between state checks")

    @model_validator(mode="after")
    def _one(self) -> Ec2Args:
        if bool(self.instance_ids) == bool(self.tags):
            raise ValueError("give exactly one of instance_ids or tags to select instances")
        return self


class Ec2TerminateArgs(Ec2Args):
    """Arguments of ``ec2-terminate``: those of ``ec2-stop`` plus ``irreversible``."""

    irreversible: bool = Field(default=False, description="must be true: terminated "
                                                          "instances cannot be restored")


class FisArgs(_AwsArgs):
    """Arguments of ``fis-start-experiment``."""

    template_id: str = Field(min_length=1, description="experiment template id (EXT…)")
    tags: dict[str, str] = Field(default_factory=dict, description="tags for the experiment")


_CLIENT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=8)
def _session(profile: str | None, region: str | None) -> Any:
    """One boto3 session per profile and region (creating one loads botocore's data files,
    which takes a noticeable fraction of a second)."""
    boto3 = import_sdk("boto3", "boto3")
    return boto3.session.Session(profile_name=profile, region_name=region)


def _client(service: str, params: Mapping[str, JSONValue]) -> Any:
    botocore = import_sdk("botocore.exceptions", "boto3")
    try:
        with _CLIENT_LOCK:  # sessions are not thread-safe while they create clients
            session = _session(params.get("profile"), params.get("region"))
            return session.client(service, endpoint_url=params.get("endpoint_url"))
    except botocore.BotoCoreError as exc:
        raise FaultError(f"cannot create the AWS {service} client: {exc}") from None


def _errors() -> tuple[type[BaseException], ...]:
    botocore = import_sdk("botocore.exceptions", "boto3")
    return botocore.BotoCoreError, botocore.ClientError


def _fail(what: str, exc: BaseException) -> FaultError:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    if error:
        return FaultError(f"{what} failed: {error.get('Code')}: {error.get('Message')}")
    return FaultError(f"{what} failed: {exc}")


def _states(ec2: Any, ids: list[str]) -> dict[str, str]:
    states: dict[str, str] = {}
    for page in ec2.get_paginator("describe_instances").paginate(InstanceIds=ids):
        for reservation in page["Reservations"]:
            for inst in reservation["Instances"]:
                states[inst["InstanceId"]] = inst["State"]["Name"]
    return states


class _Ec2Fault(Fault):
    local: ClassVar[bool] = False
    Args: ClassVar[type[BaseModel]] = Ec2Args
    verb: ClassVar[str]
    target_state: ClassVar[str]

    def __init__(self, a: Ec2Args) -> None:
        self.a = a
        self.aws: dict[str, JSONValue] = {"region": a.region, "profile": a.profile,
                                          "endpoint_url": a.endpoint_url}
        self._targets: list[str] | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> _Ec2Fault:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        return cls(parse_args(Ec2Args, args, kind=cls.kind, where=where))

    def _which(self) -> str:
        which = (", ".join(self.a.instance_ids) if self.a.instance_ids else "instances tagged "
                 + ", ".join(f"{k}={v}" for k, v in sorted(self.a.tags.items())))
        limit = self.a.blast_radius().describe()
        return which + ("" if limit == "all" else f" (blast radius {limit})")

    def _resolve(self) -> list[str]:
        ec2 = _client("ec2", self.aws)
        filters = [{"Name": "instance-state-name", "Values": ["running"]}]
        kwargs: dict[str, Any] = {}
        if self.a.instance_ids:
            kwargs["InstanceIds"] = list(self.a.instance_ids)
        for key, value in self.a.tags.items():
            filters.append({"Name": "tag-key", "Values": [key]} if value == "*"
                           else {"Name": f"tag:{key}", "Values": [value]})
        try:
            ids: list[str] = []
            for page in ec2.get_paginator("describe_instances").paginate(Filters=filters,
                                                                         **kwargs):
                for reservation in page["Reservations"]:
                    ids.extend(i["InstanceId"] for i in reservation["Instances"])
        except _errors() as exc:
            raise _fail(f"describing EC2 instances {self._which()}", exc) from None
        if not ids:
            raise FaultError(f"no running EC2 instance matches: {self._which()}")
        self._targets = self.a.blast_radius().choose(ids)
        return self._targets

    def _call(self, ec2: Any, ids: list[str]) -> None:
        raise NotImplementedError

    def inject(self, cancel: Event) -> str:
        if self._targets is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        ids = self._targets
        ec2 = _client("ec2", self.aws)
        try:
            self._call(ec2, ids)
            if not self.a.wait:
                return f"{self.verb} requested for {', '.join(ids)}"
            seen: dict[str, str] = {}

            def reached() -> bool:
                seen.update(_states(ec2, ids))
                return all(seen.get(i) == self.target_state for i in ids)

            ok = wait_until(reached, timeout=self.a.wait_timeout, interval=self.a.poll_seconds,
                            cancel=cancel)
        except _errors() as exc:
            raise _fail(f"{self.verb} EC2 instances {', '.join(ids)}", exc) from None
        states = ", ".join(f"{i} {seen.get(i, '?')}" for i in ids)
        if not ok:
            raise FaultError(f"EC2 instances did not all reach {self.target_state!r} within "
                             f"{self.a.wait_timeout:g} s: {states}")
        return states


class Ec2Stop(_Ec2Fault):
    """Stop EC2 instances; revert starts them again."""

    kind: ClassVar[str] = "ec2-stop"
    verb: ClassVar[str] = "stop"
    target_state: ClassVar[str] = "stopped"

    def describe(self) -> str:
        return f"stop EC2 {self._which()}; revert starts them"

    def prepare(self) -> Revert:
        ids = self._resolve()
        return Revert(START_INSTANCES, {**self.aws, "instance_ids": ids,
                                        "timeout": self.a.wait_timeout,
                                        "poll_seconds": self.a.poll_seconds},
                      "start EC2 instances " + ", ".join(ids))

    def _call(self, ec2: Any, ids: list[str]) -> None:
        ec2.stop_instances(InstanceIds=ids)


class Ec2Terminate(_Ec2Fault):
    """Terminate EC2 instances — irreversible: needs ``irreversible: true``."""

    kind: ClassVar[str] = "ec2-terminate"
    verb: ClassVar[str] = "terminate"
    target_state: ClassVar[str] = "terminated"
    Args: ClassVar[type[BaseModel]] = Ec2TerminateArgs

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> _Ec2Fault:
        """Build from experiment arguments; refuses without ``irreversible: true``."""
        a = parse_args(Ec2TerminateArgs, args, kind=cls.kind, where=where)
        if not a.irreversible:
            raise config_error(cls.kind, where, "key 'irreversible': terminating instances "
                               "cannot be undone; set irreversible: true to allow it")
        return cls(a)

    def describe(self) -> str:
        return f"terminate EC2 {self._which()}; irreversible"

    def prepare(self) -> Revert:
        ids = self._resolve()
        return Revert(IRREVERSIBLE, {"what": f"terminating EC2 instances {', '.join(ids)}"},
                      "nothing: terminated instances cannot be restored")

    def _call(self, ec2: Any, ids: list[str]) -> None:
        ec2.terminate_instances(InstanceIds=ids)


class FisStartExperiment(Fault):
    """Start an AWS FIS experiment from a template; revert stops it if still active."""

    kind: ClassVar[str] = "fis-start-experiment"
    local: ClassVar[bool] = False
    Args: ClassVar[type[BaseModel]] = FisArgs

    def __init__(self, a: FisArgs) -> None:
        self.a = a
        self.aws: dict[str, JSONValue] = {"region": a.region, "profile": a.profile,
                                          "endpoint_url": a.endpoint_url}
        self._token: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> FisStartExperiment:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        return cls(parse_args(FisArgs, args, kind=cls.kind, where=where))

    def describe(self) -> str:
        return (f"start the AWS FIS experiment template {self.a.template_id}; revert stops "
                "the experiment")

    def prepare(self) -> Revert:
        fis = _client("fis", self.aws)
        try:
            fis.get_experiment_template(id=self.a.template_id)
        except _errors() as exc:
            raise _fail(f"reading FIS experiment template {self.a.template_id}", exc) from None
        self._token = uuid.uuid4().hex
        return Revert(STOP_EXPERIMENT, {**self.aws, "template_id": self.a.template_id,
                                        "token": self._token},
                      f"stop the FIS experiment started from {self.a.template_id}")

    def inject(self, cancel: Event) -> str:
        if self._token is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        fis = _client("fis", self.aws)
        try:
            out = fis.start_experiment(clientToken=self._token,
                                       experimentTemplateId=self.a.template_id,
                                       tags={**self.a.tags, TOKEN_TAG: self._token})
        except _errors() as exc:
            raise _fail(f"starting FIS experiment {self.a.template_id}", exc) from None
        exp = out["experiment"]
        return f"started FIS experiment {exp['id']} ({exp.get('state', {}).get('status')})"


@reverter(START_INSTANCES)
def start_instances(params: Mapping[str, JSONValue]) -> str:
    """Start the recorded instances that are stopped (waiting out ``stopping``)."""
    ids = [str(i) for i in params.get("instance_ids") or []]
    if not ids:
        return "no instance to start"
    ec2 = _client("ec2", params)
    try:
        states = _states(ec2, ids)
        if any(s == "stopping" for s in states.values()):
            def settled() -> bool:
                states.update(_states(ec2, ids))
                return "stopping" not in states.values()

            wait_until(settled, timeout=float(params.get("timeout") or 600.0),
                       interval=float(params.get("poll_seconds") or 5.0))
        stopped = [i for i in ids if states.get(i) == "stopped"]
        if stopped:
            ec2.start_instances(InstanceIds=stopped)
    except _errors() as exc:
        raise _fail(f"starting EC2 instances {', '.join(ids)}", exc) from None
    others = [f"{i} {states.get(i, 'missing')}" for i in ids if i not in stopped]
    parts = ([f"started {', '.join(stopped)}"] if stopped else []) + (
        [f"left as they are: {', '.join(others)}"] if others else [])
    return "; ".join(parts)


@reverter(STOP_EXPERIMENT)
def stop_experiment(params: Mapping[str, JSONValue]) -> str:
    """Stop the experiment this fault started (found by its token tag), if still active."""
    fis = _client("fis", params)
    token = str(params["token"])
    try:
        found = []
        kwargs: dict[str, Any] = {"experimentTemplateId": str(params["template_id"])}
        while True:
            page = fis.list_experiments(**kwargs)
            found += [e for e in page.get("experiments", [])
                      if (e.get("tags") or {}).get(TOKEN_TAG) == token]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        if not found:
            return "no experiment was started; nothing to stop"
        notes = []
        for exp in found:
            status = exp.get("state", {}).get("status")
            if status in ACTIVE_EXPERIMENT:
                fis.stop_experiment(id=exp["id"])
                notes.append(f"stopped FIS experiment {exp['id']} (was {status})")
            else:
                notes.append(f"FIS experiment {exp['id']} is already {status}")
    except _errors() as exc:
        raise _fail("stopping the FIS experiment", exc) from None
    return "; ".join(notes)


FAULTS: tuple[type[Fault], ...] = (Ec2Stop, Ec2Terminate, FisStartExperiment)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
