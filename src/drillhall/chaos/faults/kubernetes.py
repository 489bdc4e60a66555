"""Kubernetes faults through the official client (``pip install 'drillhall[chaos-cloud]'``).

* ``k8s-pod-delete`` deletes pods matching ``label_selector`` in ``namespace`` (narrowed by
  ``count`` / ``percentage``). Its revert waits until as many matching pods are Ready as
  were Ready before (the controller replaces deleted pods), or does nothing with
  ``wait_ready: false``.
* ``k8s-scale-to-zero`` scales a ``deployment`` (or the deployments matching
  ``label_selector``) to zero replicas; the revert scales each back to the replica count
  recorded in :meth:`prepare`.
* ``k8s-node-cordon`` marks a ``node`` (or the nodes matching ``label_selector``)
  unschedulable; the revert uncordons the nodes it cordoned (never one that was cordoned
  before).

The cluster is the one ``kubeconfig`` / ``context`` name (default: ``KUBECONFIG`` or
``~/.kube/config``; inside a pod, its service account). These faults are ``local = False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from threading import Event
from typing import Any, ClassVar

from pydantic import BaseModel, Field, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import import_sdk, parse_args, wait_until
from drillhall.chaos.faults.targets import BlastRadius, SelectionArgs
from drillhall.errors import FaultError

WAIT_READY = "k8s.wait-ready"
SCALE = "k8s.scale"
UNCORDON = "k8s.uncordon"


class _ClusterArgs(SelectionArgs):
    kubeconfig: str | None = Field(default=None, description="kubeconfig file (default: "
                                   "KUBECONFIG, ~/.kube/config, or in-cluster)")
    context: str | None = Field(default=None, description="kubeconfig context")
    request_timeout: float = Field(default=30.0, gt=0, le=600,
                                   description="seconds per API request")


class PodDeleteArgs(_ClusterArgs):
    """Arguments of ``k8s-pod-delete``."""

    namespace: str = Field(default="default", min_length=1, description="namespace of the "
                                                                         "pods")
    label_selector: str = Field(min_length=1, description="e.g. app=web,tier=frontend")
    grace_period_seconds: int | None = Field(default=None, ge=0,
                                             description="deletion grace period")
    wait_ready: bool = Field(default=True, description="revert waits for replacements to be "
                             "Ready")
    ready_timeout: float = Field(default=120.0, gt=0, le=3600,
                                 description="seconds the revert waits")


class ScaleArgs(_ClusterArgs):
    """Arguments of ``k8s-scale-to-zero``: exactly one of ``deployment`` or
    ``label_selector``."""

    namespace: str = Field(default="default", min_length=1,
                           description="namespace of the deployments")
    deployment: str | None = Field(default=None, min_length=1, description="deployment name")
    label_selector: str | None = Field(default=None, min_length=1,
                                      description="select deployments by label")

    @model_validator(mode="after")
    def _one(self) -> ScaleArgs:
        if bool(self.deployment) == bool(self.label_selector):
            raise ValueError("give exactly one of deployment or label_selector")
        return self


class CordonArgs(_ClusterArgs):
    """Arguments of ``k8s-node-cordon``: exactly one of ``node`` or ``label_selector``."""

    node: str | None = Field(default=None, min_length=1, description="node name")
    label_selector: str | None = Field(default=None, min_length=1,
                                      description="select nodes by label")

    @model_validator(mode="after")
    def _one(self) -> CordonArgs:
        if bool(self.node) == bool(self.label_selector):
            raise ValueError("give exactly one of node or label_selector")
        return self


# ---- client ----------------------------------------------------------------------------


class _Cluster:
    """The client SDK and an API client for one kubeconfig/context."""

    def __init__(self, kubeconfig: str | None, context: str | None, timeout: float) -> None:
        self.k8s = import_sdk("kubernetes", "kubernetes")
        self.timeout = timeout
        urllib3 = import_sdk("urllib3", "kubernetes")
        self.errors: tuple[type[BaseException], ...] = (
            self.k8s.client.ApiException, urllib3.exceptions.HTTPError)
        config = self.k8s.config
        try:
            default = Path(config.KUBE_CONFIG_DEFAULT_LOCATION).expanduser()
            if kubeconfig or context or default.exists():
                self.api = config.new_client_from_config(config_file=kubeconfig,
                                                         context=context)
            else:
                conf = self.k8s.client.Configuration()
                config.load_incluster_config(client_configuration=conf)
                self.api = self.k8s.client.ApiClient(conf)
        except (config.ConfigException, OSError) as exc:
            raise FaultError(f"cannot load the Kubernetes configuration "
                             f"{kubeconfig or ''}: {exc}".replace("  ", " ")) from None

    def core(self) -> Any:
        return self.k8s.client.CoreV1Api(self.api)

    def apps(self) -> Any:
        return self.k8s.client.AppsV1Api(self.api)

    def fail(self, what: str, exc: BaseException) -> FaultError:
        status = getattr(exc, "status", None)
        reason = getattr(exc, "reason", None) or exc
        return FaultError(f"{what} failed: {f'HTTP {status} ' if status else ''}{reason}")

    def not_found(self, exc: BaseException) -> bool:
        return getattr(exc, "status", None) == 404

    def close(self) -> None:
        self.api.close()


def _cluster(params: Mapping[str, JSONValue]) -> _Cluster:
    return _Cluster(params.get("kubeconfig"), params.get("context"),
                    float(params.get("request_timeout") or 30.0))


def _ready(pod: Any) -> bool:
    if pod.metadata.deletion_timestamp is not None:
        return False
    conditions = (pod.status.conditions if pod.status else None) or []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


class _ClusterFault(Fault):
    local: ClassVar[bool] = False

    def __init__(self, radius: BlastRadius, kubeconfig: str | None, context: str | None,
                 request_timeout: float) -> None:
        self.radius = radius
        self.cluster_params: dict[str, JSONValue] = {
            "kubeconfig": kubeconfig, "context": context, "request_timeout": request_timeout}
        self._targets: list[str] | None = None

    def _limit(self) -> str:
        limit = self.radius.describe()
        return "" if limit == "all" else f" (blast radius {limit})"

    def _prepared(self) -> list[str]:
        if self._targets is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        return self._targets


class K8sPodDelete(_ClusterFault):
    """Delete pods by label selector; revert waits until the replacements are Ready."""

    kind: ClassVar[str] = "k8s-pod-delete"
    Args: ClassVar[type[BaseModel]] = PodDeleteArgs

    def __init__(self, a: PodDeleteArgs) -> None:
        super().__init__(a.blast_radius(), a.kubeconfig, a.context, a.request_timeout)
        self.a = a

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> K8sPodDelete:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        return cls(parse_args(PodDeleteArgs, args, kind=cls.kind, where=where))

    def describe(self) -> str:
        then = ("waits until replacements are Ready" if self.a.wait_ready
                else "does nothing (the controller replaces the pods)")
        return (f"delete pods {self.a.label_selector!r} in namespace {self.a.namespace!r}"
                f"{self._limit()}; revert {then}")

    def prepare(self) -> Revert:
        cluster = _cluster(self.cluster_params)
        try:
            pods = cluster.core().list_namespaced_pod(
                self.a.namespace, label_selector=self.a.label_selector,
                _request_timeout=cluster.timeout).items
        except cluster.errors as exc:
            raise cluster.fail(f"listing pods {self.a.label_selector!r}", exc) from None
        finally:
            cluster.close()
        live = [p for p in pods if p.metadata.deletion_timestamp is None]
        if not live:
            raise FaultError(f"no pod matches {self.a.label_selector!r} in namespace "
                             f"{self.a.namespace!r}")
        self._targets = self.radius.choose([str(p.metadata.name) for p in live])
        ready = sum(1 for p in live if _ready(p))
        return Revert(WAIT_READY, {**self.cluster_params, "namespace": self.a.namespace,
                                   "label_selector": self.a.label_selector, "ready": ready,
                                   "deleted": list(self._targets), "wait": self.a.wait_ready,
                                   "timeout": self.a.ready_timeout},
                      f"wait until {ready} pod(s) {self.a.label_selector!r} are Ready"
                      if self.a.wait_ready else "nothing: the controller replaces the pods")

    def inject(self, cancel: Event) -> str:
        names = self._prepared()
        cluster = _cluster(self.cluster_params)
        notes: list[str] = []
        try:
            for name in names:
                if cancel.is_set():
                    raise FaultError(f"{self.kind} was cancelled after {len(notes)} pod(s)")
                try:
                    cluster.core().delete_namespaced_pod(
                        name, self.a.namespace, grace_period_seconds=self.a.grace_period_seconds,
                        _request_timeout=cluster.timeout)
                    notes.append(f"deleted pod {name}")
                except cluster.errors as exc:
                    if not cluster.not_found(exc):
                        raise cluster.fail(f"deleting pod {name}", exc) from None
                    notes.append(f"pod {name} was already gone")
        finally:
            cluster.close()
        return "; ".join(notes)


class K8sScaleToZero(_ClusterFault):
    """Scale deployments to zero replicas; revert scales them back to the recorded count."""

    kind: ClassVar[str] = "k8s-scale-to-zero"
    Args: ClassVar[type[BaseModel]] = ScaleArgs

    def __init__(self, a: ScaleArgs) -> None:
        super().__init__(a.blast_radius(), a.kubeconfig, a.context, a.request_timeout)
        self.a = a
        self._replicas: dict[str, int] = {}

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> K8sScaleToZero:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        return cls(parse_args(ScaleArgs, args, kind=cls.kind, where=where))

    def _which(self) -> str:
        return (f"deployment {self.a.deployment!r}" if self.a.deployment
                else f"deployments {self.a.label_selector!r}")

    def describe(self) -> str:
        return (f"scale {self._which()} in namespace {self.a.namespace!r} to zero"
                f"{self._limit()}; revert restores the replica count")

    def prepare(self) -> Revert:
        cluster = _cluster(self.cluster_params)
        apps = cluster.apps()
        try:
            if self.a.deployment:
                names = [self.a.deployment]
            else:
                names = [str(d.metadata.name) for d in apps.list_namespaced_deployment(
                    self.a.namespace, label_selector=self.a.label_selector,
                    _request_timeout=cluster.timeout).items]
            chosen = self.radius.choose(names)
            replicas = {}
            for name in chosen:
                scale = apps.read_namespaced_deployment_scale(
                    name, self.a.namespace, _request_timeout=cluster.timeout)
                replicas[name] = int((scale.spec.replicas if scale.spec else 0) or 0)
        except cluster.errors as exc:
            if cluster.not_found(exc):
                raise FaultError(f"{self._which()} does not exist in namespace "
                                 f"{self.a.namespace!r}") from None
            raise cluster.fail(f"reading {self._which()}", exc) from None
        finally:
            cluster.close()
        if not replicas:
            raise FaultError(f"no deployment matches {self.a.label_selector!r} in namespace "
                             f"{self.a.namespace!r}")
        self._targets, self._replicas = list(replicas), replicas
        return Revert(SCALE, {**self.cluster_params, "namespace": self.a.namespace,
                              "replicas": dict(replicas)},
                      "scale " + ", ".join(f"{n} back to {r}" for n, r in replicas.items()))

    def inject(self, cancel: Event) -> str:
        names = self._prepared()
        cluster = _cluster(self.cluster_params)
        try:
            for name in names:
                if cancel.is_set():
                    raise FaultError(f"{self.kind} was cancelled")
                try:
                    cluster.apps().patch_namespaced_deployment_scale(
                        name, self.a.namespace, {"spec": {"replicas": 0}},
                        _request_timeout=cluster.timeout)
                except cluster.errors as exc:
                    raise cluster.fail(f"scaling deployment {name} to zero", exc) from None
        finally:
            cluster.close()
        return "; ".join(f"scaled {n} from {self._replicas[n]} to 0" for n in names)


class K8sNodeCordon(_ClusterFault):
    """Cordon nodes (mark them unschedulable); revert uncordons the nodes it cordoned."""

    kind: ClassVar[str] = "k8s-node-cordon"
    Args: ClassVar[type[BaseModel]] = CordonArgs

    def __init__(self, a: CordonArgs) -> None:
        super().__init__(a.blast_radius(), a.kubeconfig, a.context, a.request_timeout)
        self.a = a

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> K8sNodeCordon:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        return cls(parse_args(CordonArgs, args, kind=cls.kind, where=where))

    def _which(self) -> str:
        return f"node {self.a.node!r}" if self.a.node else f"nodes {self.a.label_selector!r}"

    def describe(self) -> str:
        return f"cordon {self._which()}{self._limit()}; revert uncordons them"

    def prepare(self) -> Revert:
        cluster = _cluster(self.cluster_params)
        core = cluster.core()
        try:
            if self.a.node:
                nodes = [core.read_node(self.a.node, _request_timeout=cluster.timeout)]
            else:
                nodes = core.list_node(label_selector=self.a.label_selector,
                                       _request_timeout=cluster.timeout).items
        except cluster.errors as exc:
            if cluster.not_found(exc):
                raise FaultError(f"{self._which()} does not exist") from None
            raise cluster.fail(f"reading {self._which()}", exc) from None
        finally:
            cluster.close()
        schedulable = [str(n.metadata.name) for n in nodes
                       if not (n.spec and n.spec.unschedulable)]
        if not schedulable:
            raise FaultError(f"no schedulable node matches: {self._which()}")
        self._targets = self.radius.choose(schedulable)
        return Revert(UNCORDON, {**self.cluster_params, "nodes": list(self._targets)},
                      "uncordon " + ", ".join(self._targets))

    def inject(self, cancel: Event) -> str:
        names = self._prepared()
        cluster = _cluster(self.cluster_params)
        try:
            for name in names:
                if cancel.is_set():
                    raise FaultError(f"{self.kind} was cancelled")
                try:
                    cluster.core().patch_node(name, {"spec": {"unschedulable": True}},
                                              _request_timeout=cluster.timeout)
                except cluster.errors as exc:
                    raise cluster.fail(f"cordoning node {name}", exc) from None
        finally:
            cluster.close()
        return "cordoned " + ", ".join(names)


# ---- reverters ---------------------------------------------------------------------------


@reverter(WAIT_READY)
def wait_ready(params: Mapping[str, JSONValue]) -> str:
    """Wait until as many matching pods are Ready as before the deletion."""
    if not params.get("wait", True):
        return "nothing to do: the controller replaces deleted pods"
    want = int(params.get("ready") or 0)
    namespace, selector = str(params["namespace"]), str(params["label_selector"])
    cluster = _cluster(params)
    seen = [0]

    def enough() -> bool:
        try:
            pods = cluster.core().list_namespaced_pod(
                namespace, label_selector=selector, _request_timeout=cluster.timeout).items
        except cluster.errors as exc:
            raise cluster.fail(f"listing pods {selector!r}", exc) from None
        seen[0] = sum(1 for p in pods if _ready(p))
        return seen[0] >= want

    try:
        ok = wait_until(enough, timeout=float(params.get("timeout") or 120.0), interval=0.25)
    finally:
        cluster.close()
    if not ok:
        raise FaultError(f"only {seen[0]} of {want} pod(s) {selector!r} in namespace "
                         f"{namespace!r} were Ready after {params.get('timeout')} s")
    return f"{seen[0]} pod(s) {selector!r} are Ready (wanted {want})"


@reverter(SCALE)
def scale_back(params: Mapping[str, JSONValue]) -> str:
    """Scale each recorded deployment back to its recorded replica count."""
    namespace = str(params["namespace"])
    cluster = _cluster(params)
    notes = []
    try:
        for name, replicas in dict(params.get("replicas") or {}).items():
            try:
                cluster.apps().patch_namespaced_deployment_scale(
                    name, namespace, {"spec": {"replicas": int(replicas)}},
                    _request_timeout=cluster.timeout)
                notes.append(f"scaled {name} to {replicas}")
            except cluster.errors as exc:
                if not cluster.not_found(exc):
                    raise cluster.fail(f"scaling deployment {name} back", exc) from None
                notes.append(f"deployment {name} no longer exists")
    finally:
        cluster.close()
    return "; ".join(notes) or "no deployment to scale"


@reverter(UNCORDON)
def uncordon(params: Mapping[str, JSONValue]) -> str:
    """Mark each recorded node schedulable again."""
    cluster = _cluster(params)
    notes = []
    try:
        for name in params.get("nodes") or []:
            try:
                cluster.core().patch_node(name, {"spec": {"unschedulable": False}},
                                          _request_timeout=cluster.timeout)
                notes.append(f"uncordoned {name}")
            except cluster.errors as exc:
                if not cluster.not_found(exc):
                    raise cluster.fail(f"uncordoning node {name}", exc) from None
                notes.append(f"node {name} no longer exists")
    finally:
        cluster.close()
    return "; ".join(notes) or "no node to uncordon"


FAULTS: tuple[type[Fault], ...] = (K8sPodDelete, K8sScaleToZero, K8sNodeCordon)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
