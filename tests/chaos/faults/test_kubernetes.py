"""Kubernetes faults through the real ``kubernetes`` client against a fake API server on
127.0.0.1 (constructed responses in the shape of the API reference; see fakekube.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.registry import build_fault
from drillhall.errors import FaultError

pytest.importorskip("kubernetes", reason="the kubernetes client (extra chaos-cloud) is not "
                                         "installed")

from tests.chaos.faults.fakekube import FakeCluster, fake_cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, FakeCluster]]:
    with fake_cluster(tmp_path) as (kubeconfig, state):
        yield str(kubeconfig), state


def test_delete_one_pod_and_wait_for_its_replacement(cluster: tuple[str, FakeCluster]
                                                     ) -> None:
    kubeconfig, state = cluster
    fault = build_fault("k8s-pod-delete", {"namespace": "shop", "label_selector": "app=web",
                                           "count": 1, "seed": 1, "kubeconfig": kubeconfig,
                                           "ready_timeout": 10})
    assert not fault.local
    revert = fault.prepare()
    assert revert.params["ready"] == 3
    [victim] = revert.params["deleted"]
    assert state.calls == []

    assert fault.inject(threading.Event()) == f"deleted pod {victim}"

    assert state.calls == [("delete-pod", victim)]
    assert victim not in state.pods
    assert state.ready_pods() == 2  # the replacement is not Ready yet
    assert run_revert(revert) == "3 pod(s) 'app=web' are Ready (wanted 3)"
    assert state.ready_pods() == 3
    assert "are Ready" in run_revert(revert)  # twice is harmless


def test_pod_delete_revert_times_out_when_no_replacement_gets_ready(tmp_path: Path) -> None:
    with fake_cluster(tmp_path, ready_delay=None) as (kubeconfig, _):
        fault = build_fault("k8s-pod-delete", {"namespace": "shop", "label_selector":
                                               "app=web", "percentage": 50,
                                               "kubeconfig": str(kubeconfig),
                                               "ready_timeout": 0.5})
        revert = fault.prepare()
        assert len(revert.params["deleted"]) == 2  # 50% of 3, rounded up
        fault.inject(threading.Event())
        with pytest.raises(FaultError, match=r"only 1 of 3 pod\(s\) 'app=web'"):
            run_revert(revert)


def test_pod_delete_without_wait_reverts_to_nothing(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, _ = cluster
    fault = build_fault("k8s-pod-delete", {"namespace": "shop", "label_selector": "app=web",
                                           "wait_ready": False, "kubeconfig": kubeconfig})
    revert = fault.prepare()
    assert "deleted pod" in fault.inject(threading.Event())
    assert run_revert(revert) == "nothing to do: the controller replaces deleted pods"


def test_no_pod_matches(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, _ = cluster
    fault = build_fault("k8s-pod-delete", {"namespace": "shop", "label_selector": "app=api",
                                           "kubeconfig": kubeconfig})
    with pytest.raises(FaultError, match="no pod matches 'app=api' in namespace 'shop'"):
        fault.prepare()


def test_scale_to_zero_and_back(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, state = cluster
    fault = build_fault("k8s-scale-to-zero", {"namespace": "shop", "deployment": "web",
                                              "kubeconfig": kubeconfig})
    revert = fault.prepare()
    assert revert.params["replicas"] == {"web": 3}

    assert fault.inject(threading.Event()) == "scaled web from 3 to 0"

    assert state.deployments["web"]["spec"]["replicas"] == 0
    assert run_revert(revert) == "scaled web to 3"
    assert state.deployments["web"]["spec"]["replicas"] == 3
    assert run_revert(revert) == "scaled web to 3"
    assert state.calls == [("scale", "web=0"), ("scale", "web=3"), ("scale", "web=3")]


def test_scale_by_label_selector(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, state = cluster
    fault = build_fault("k8s-scale-to-zero", {"namespace": "shop",
                                              "label_selector": "team=storefront",
                                              "kubeconfig": kubeconfig})
    revert = fault.prepare()
    assert revert.params["replicas"] == {"cart": 2, "web": 3}
    fault.inject(threading.Event())
    assert {d["spec"]["replicas"] for d in state.deployments.values()} == {0}
    run_revert(revert)
    assert state.deployments["cart"]["spec"]["replicas"] == 2


def test_missing_deployment(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, _ = cluster
    fault = build_fault("k8s-scale-to-zero", {"namespace": "shop", "deployment": "nope",
                                              "kubeconfig": kubeconfig})
    with pytest.raises(FaultError, match="deployment 'nope' does not exist"):
        fault.prepare()


def test_cordon_skips_nodes_already_cordoned(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, state = cluster
    fault = build_fault("k8s-node-cordon", {"label_selector": "pool=general",
                                            "kubeconfig": kubeconfig})
    revert = fault.prepare()
    # node-c was cordoned before the experiment: not a target, never uncordoned by us
    assert revert.params["nodes"] == ["node-a", "node-b"]
    assert fault.inject(threading.Event()) == "cordoned node-a, node-b"
    assert all(n["spec"].get("unschedulable") for n in state.nodes.values())

    assert run_revert(revert) == "uncordoned node-a; uncordoned node-b"

    assert not state.nodes["node-a"]["spec"]["unschedulable"]
    assert not state.nodes["node-b"]["spec"]["unschedulable"]
    assert state.nodes["node-c"]["spec"]["unschedulable"] is True


def test_cordon_one_node_by_name(cluster: tuple[str, FakeCluster]) -> None:
    kubeconfig, state = cluster
    fault = build_fault("k8s-node-cordon", {"node": "node-b", "kubeconfig": kubeconfig})
    revert = fault.prepare()
    fault.inject(threading.Event())
    assert state.nodes["node-b"]["spec"]["unschedulable"] is True
    run_revert(revert)
    assert state.nodes["node-b"]["spec"]["unschedulable"] is False
    with pytest.raises(FaultError, match="no schedulable node matches: node 'node-c'"):
        build_fault("k8s-node-cordon", {"node": "node-c", "kubeconfig": kubeconfig}).prepare()


def test_bad_kubeconfig_is_one_sentence(tmp_path: Path) -> None:
    fault = build_fault("k8s-node-cordon", {"node": "a",
                                            "kubeconfig": str(tmp_path / "missing")})
    with pytest.raises(FaultError, match="cannot load the Kubernetes configuration"):
        fault.prepare()
