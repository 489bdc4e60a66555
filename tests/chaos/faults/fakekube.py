"""A fake Kubernetes API server on 127.0.0.1 for the kubernetes-fault tests.

The real ``kubernetes`` client talks to it through a kubeconfig whose server is
``http://127.0.0.1:PORT``. It serves the routes these faults use — pods (list, delete),
deployments (list, read and patch ``/scale``), nodes (list, read, patch) — over objects
loaded from ``fixtures/kubernetes/*.json``. Those JSON documents are constructed in the
shape of the Kubernetes API reference, not recorded from a cluster. The fake also plays the
ReplicaSet controller: a deleted pod is replaced by a new one that turns Ready after
``ready_delay`` seconds (``None``: never).
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).with_name("fixtures") / "kubernetes"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def _selected(labels: dict[str, str], selector: str) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        key, _, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value


class FakeCluster:
    """The objects, the calls that changed them, and the controller's behaviour."""

    def __init__(self, ready_delay: float | None = 0.3) -> None:
        self.pods = {p["metadata"]["name"]: p for p in _load("pods.json")["items"]}
        self.deployments = {d["metadata"]["name"]: d for d in _load("deployments.json")["items"]}
        self.nodes = {n["metadata"]["name"]: n for n in _load("nodes.json")["items"]}
        self.ready_delay = ready_delay
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def ready_pods(self) -> int:
        return sum(1 for p in self.pods.values() if any(
            c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"]))

    def _replace(self, old: dict[str, Any]) -> None:
        new = copy.deepcopy(old)
        name = f"{old['metadata']['generateName']}{uuid.uuid4().hex[:5]}"
        new["metadata"].update(name=name, uid=str(uuid.uuid4()),
                               creationTimestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                               time.gmtime()))
        new["status"]["phase"] = "Pending"
        for cond in new["status"]["conditions"]:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond["status"] = "False"
        self.pods[name] = new
        if self.ready_delay is None:
            return

        def ready() -> None:
            with self.lock:
                new["status"]["phase"] = "Running"
                for cond in new["status"]["conditions"]:
                    cond["status"] = "True"

        timer = threading.Timer(self.ready_delay, ready)
        timer.daemon = True
        timer.start()

    def delete_pod(self, name: str) -> dict[str, Any] | None:
        pod = self.pods.pop(name, None)
        if pod is None:
            return None
        self.calls.append(("delete-pod", name))
        gone = copy.deepcopy(pod)
        gone["metadata"]["deletionTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                              time.gmtime())
        gone["metadata"]["deletionGracePeriodSeconds"] = 30
        if pod["metadata"].get("ownerReferences"):
            self._replace(pod)
        return gone

    def scale(self, name: str) -> dict[str, Any]:
        dep = self.deployments[name]
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": name, "namespace": dep["metadata"]["namespace"],
                             "uid": dep["metadata"]["uid"],
                             "resourceVersion": dep["metadata"]["resourceVersion"],
                             "creationTimestamp": dep["metadata"]["creationTimestamp"]},
                "spec": {"replicas": dep["spec"]["replicas"]},
                "status": {"replicas": dep["status"]["replicas"],
                           "selector": ",".join(f"{k}={v}" for k, v in
                                                dep["spec"]["selector"]["matchLabels"].items())}}


def _not_found(kind: str, name: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f'{kind} "{name}" not found', "reason": "NotFound",
            "details": {"name": name, "kind": kind}, "code": 404}


def _handler(cluster: FakeCluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"null") if length else None

        def _listing(self, kind: str, api: str, items: list[dict[str, Any]],
                     selector: str) -> dict[str, Any]:
            chosen = [i for i in items if _selected(i["metadata"].get("labels", {}), selector)]
            return {"kind": kind, "apiVersion": api, "metadata": {"resourceVersion": "48300"},
                    "items": chosen}

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            parts = [unquote(p) for p in url.path.strip("/").split("/")]
            selector = parse_qs(url.query).get("labelSelector", [""])[0]
            body = self._body()
            with cluster.lock:
                # /api/v1/namespaces/{ns}/pods[/{name}]
                if parts[:3] == ["api", "v1", "namespaces"] and len(parts) >= 5 and \
                        parts[4] == "pods":
                    pods = [p for p in cluster.pods.values()
                            if p["metadata"]["namespace"] == parts[3]]
                    if len(parts) == 5 and method == "GET":
                        return self._send(200, self._listing("PodList", "v1", pods, selector))
                    if len(parts) == 6 and method == "DELETE":
                        gone = cluster.delete_pod(parts[5])
                        return self._send(200, gone) if gone else self._send(
                            404, _not_found("pods", parts[5]))
                # /apis/apps/v1/namespaces/{ns}/deployments[/{name}/scale]
                if parts[:4] == ["apis", "apps", "v1", "namespaces"] and len(parts) >= 6 \
                        and parts[5] == "deployments":
                    deps = [d for d in cluster.deployments.values()
                            if d["metadata"]["namespace"] == parts[4]]
                    if len(parts) == 6 and method == "GET":
                        return self._send(200, self._listing("DeploymentList", "apps/v1", deps,
                                                             selector))
                    if len(parts) == 8 and parts[7] == "scale":
                        name = parts[6]
                        if name not in cluster.deployments or \
                                cluster.deployments[name]["metadata"]["namespace"] != parts[4]:
                            return self._send(404, _not_found("deployments.apps", name))
                        if method == "PATCH":
                            replicas = int(body["spec"]["replicas"])
                            dep = cluster.deployments[name]
                            dep["spec"]["replicas"] = replicas
                            dep["status"]["replicas"] = replicas
                            cluster.calls.append(("scale", f"{name}={replicas}"))
                        return self._send(200, cluster.scale(name))
                # /api/v1/nodes[/{name}]
                if parts[:3] == ["api", "v1", "nodes"]:
                    if len(parts) == 3 and method == "GET":
                        return self._send(200, self._listing("NodeList", "v1",
                                                             list(cluster.nodes.values()),
                                                             selector))
                    name = parts[3]
                    if name not in cluster.nodes:
                        return self._send(404, _not_found("nodes", name))
                    if method == "PATCH":
                        _merge(cluster.nodes[name], body)
                        cluster.calls.append(("patch-node", f"{name}:{json.dumps(body)}"))
                    return self._send(200, cluster.nodes[name])
                return self._send(404, _not_found("route", url.path))

        def do_GET(self) -> None:
            self._route("GET")

        def do_DELETE(self) -> None:
            self._route("DELETE")

        def do_PATCH(self) -> None:
            self._route("PATCH")

    return Handler


@contextmanager
def fake_cluster(tmp: Path, ready_delay: float | None = 0.3
                 ) -> Iterator[tuple[Path, FakeCluster]]:
    """Serve a fresh fake cluster; yields a kubeconfig pointing at it and its state."""
    cluster = FakeCluster(ready_delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cluster))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    kubeconfig = tmp / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {
            "server": f"http://127.0.0.1:{server.server_address[1]}"}}],
        "users": [{"name": "fake", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
    }), encoding="utf-8")
    try:
        yield kubeconfig, cluster
    finally:
        server.shutdown()
        server.server_close()
