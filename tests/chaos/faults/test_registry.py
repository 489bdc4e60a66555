"""The registry: every kind buildable, one-sentence errors, kind descriptions, reverters
loaded in a fresh process; and the blast-radius selection every fault shares."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from drillhall.chaos.faults import registry
from drillhall.chaos.faults.base import Fault
from drillhall.chaos.faults.registry import FAULT_KINDS, build_fault, describe_kinds
from drillhall.chaos.faults.targets import BlastRadius, matches_labels
from drillhall.errors import ConfigError
from tests.chaos.faults.conftest import ROOT

LOCAL = {"process-kill", "process-stop", "process-restart", "disk-fill", "cpu-stress",
         "memory-stress"}
REMOTE = {"docker-stop", "docker-kill", "docker-pause", "docker-restart", "k8s-pod-delete",
          "k8s-scale-to-zero", "k8s-node-cordon", "ec2-stop", "ec2-terminate",
          "fis-start-experiment"}

# one valid argument set per built-in kind (building touches nothing)
VALID: dict[str, dict[str, Any]] = {
    "process-kill": {"name": "nginx", "restart_command": "nginx -g 'daemon off;'"},
    "process-stop": {"pid_file": "/run/app.pid"},
    "process-restart": {"cmdline": "gunicorn app:api", "restart_command": ["gunicorn"]},
    "disk-fill": {"path": "/var/tmp", "percent": 90},
    "cpu-stress": {"workers": 2, "duration": 30},
    "memory-stress": {"size_mb": 256, "duration": 30},
    "docker-stop": {"labels": {"app": "web"}, "count": 1},
    "docker-kill": {"name": "web-1", "signal": "SIGTERM"},
    "docker-pause": {"name": "web-1"},
    "docker-restart": {"labels": {"tier": "*"}, "percentage": 50},
    "k8s-pod-delete": {"label_selector": "app=web", "count": 1},
    "k8s-scale-to-zero": {"deployment": "web"},
    "k8s-node-cordon": {"node": "node-a"},
    "ec2-stop": {"tags": {"env": "staging"}, "region": "eu-west-1"},
    "ec2-terminate": {"instance_ids": ["i-0abc"], "irreversible": True},
    "fis-start-experiment": {"template_id": "EXT123", "region": "eu-west-1"},
}


def test_every_builtin_kind_is_registered_and_buildable() -> None:
    assert set(VALID) == LOCAL | REMOTE
    assert set(FAULT_KINDS) >= LOCAL | REMOTE
    for kind, args in VALID.items():
        fault = build_fault(kind, {"type": "fault", "kind": kind, **args}, where="x.yaml")
        assert isinstance(fault, Fault)
        assert fault.kind == kind
        assert fault.local is (kind in LOCAL), kind
        assert fault.describe()


def test_proxy_faults_are_included_when_installed() -> None:
    try:
        from drillhall.chaos.faults.proxy import FAULTS
    except ImportError:
        pytest.skip("drillhall.chaos.faults.proxy is not installed")
    assert set(FAULTS) <= set(FAULT_KINDS)


def test_unknown_kind_names_where_and_suggests() -> None:
    with pytest.raises(ConfigError) as err:
        build_fault("disk-fil", {}, where="experiment.yaml: method[2]")
    text = err.value.diagnostics()
    assert text.startswith("experiment.yaml: method[2]: unknown fault kind 'disk-fil'; "
                           "did you mean 'disk-fill'?")
    assert text.count(".") <= 2  # one sentence (kind names contain no dots)


@pytest.mark.parametrize(("kind", "args", "expected"), [
    ("process-stop", {}, "give exactly one of pid_file, name or cmdline"),
    ("process-stop", {"name": "a", "cmdline": "b"}, "(got name, cmdline)"),
    ("process-stop", {"name": "a", "count": 1, "percentage": 5}, "count or percentage"),
    ("process-stop", {"name": "a", "percentage": 0}, "key 'percentage'"),
    ("process-kill", {"name": "a", "irreversible": True, "signal": "SIGNOPE"},
     "'SIGNOPE' is not a signal name"),
    ("process-restart", {"name": "a"}, "process-restart needs a restart_command"),
    ("process-kill", {"name": "a", "restart_command": ""}, "key 'restart_command'"),
    ("process-kill", {"name": "a", "restart_command": "x", "health": {"tcp_port": 0}},
     "key 'health.tcp_port'"),
    ("docker-stop", {}, "exactly one of name or labels"),
    ("k8s-pod-delete", {}, "missing required key 'label_selector'"),
    ("k8s-scale-to-zero", {"deployment": "a", "label_selector": "b"}, "exactly one of"),
    ("ec2-stop", {"instance_ids": ["i-1"], "tags": {"a": "b"}}, "exactly one of instance_ids"),
    ("ec2-terminate", {"instance_ids": ["i-1"]}, "key 'irreversible'"),
    ("fis-start-experiment", {"template_id": ""}, "key 'template_id'"),
])
def test_bad_arguments_are_one_sentence(kind: str, args: dict[str, Any], expected: str
                                        ) -> None:
    with pytest.raises(ConfigError) as err:
        build_fault(kind, args, where="exp.yaml: method[4]")
    text = err.value.diagnostics()
    assert text.startswith(f"exp.yaml: method[4]: fault {kind!r}: "), text
    assert expected in text
    assert "\n" not in text


def test_without_where_the_kind_still_leads() -> None:
    with pytest.raises(ConfigError, match=r"^fault 'cpu-stress': missing required key"):
        build_fault("cpu-stress", {})


def test_describe_kinds_lists_arguments() -> None:
    infos = {i.kind: i for i in describe_kinds()}
    assert set(infos) == set(FAULT_KINDS)
    kill = infos["process-kill"]
    names = {a.name: a for a in kill.arguments}
    assert {"pid_file", "name", "cmdline", "count", "percentage", "seed", "restart_command",
            "health.tcp_port", "health.timeout", "irreversible", "signal"} <= set(names)
    assert names["signal"].default == "'SIGKILL'"
    assert not names["irreversible"].required
    assert infos["cpu-stress"].arguments[1].name == "duration"
    assert [a.required for a in infos["cpu-stress"].arguments] == [False, True]
    assert infos["ec2-stop"].line().startswith("ec2-stop") and "remote" in infos[
        "ec2-stop"].line()
    assert all(i.summary for i in infos.values())


def test_load_reverters_in_a_fresh_process() -> None:
    code = ("from drillhall.chaos.faults import base, registry\n"
            "mods = registry.load_reverters()\n"
            "print(sorted(base._REVERTERS))\n"
            "print(len(mods))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    added, count = done.stdout.splitlines()
    for kind in ("process.start", "process.continue", "disk.remove-ballast", "stress.stop",
                 "docker.start", "k8s.wait-ready", "k8s.scale", "k8s.uncordon", "ec2.start",
                 "fis.stop-experiment", "fault.irreversible"):
        assert repr(kind) in added
    assert int(count) >= len(registry.BUILTIN_MODULES)
    # importing the registry imported no SDK
    probe = ("import sys\nfrom drillhall.chaos.faults import registry\nregistry.load_reverters()\n"
             "print([m for m in ('docker', 'kubernetes', 'boto3') if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_blast_radius_sizes_and_seeded_choice() -> None:
    items = [f"pod-{i}" for i in range(10)]
    assert BlastRadius().choose(items) == sorted(items)
    assert len(BlastRadius(count=3).choose(items)) == 3
    assert len(BlastRadius(count=30).choose(items)) == 10
    assert BlastRadius(percentage=50).size(3) == 2  # rounded up
    assert BlastRadius(percentage=1).size(10) == 1  # at least one
    assert BlastRadius(percentage=100).size(0) == 0
    a = BlastRadius(count=4, seed=42).choose(items)
    b = BlastRadius(count=4, seed=42).choose(list(reversed(items)))
    assert a == b  # the same seed picks the same targets whatever the listing order
    picks = {tuple(BlastRadius(count=4, seed=s).choose(items)) for s in range(20)}
    assert len(picks) > 1
    assert BlastRadius(percentage=25).describe() == "25%"


def test_label_matching() -> None:
    assert matches_labels({"app": "web", "tier": "front"}, {"app": "web"})
    assert matches_labels({"app": "web"}, {"app": "*"})
    assert not matches_labels({"app": "api"}, {"app": "web"})
    assert not matches_labels(None, {"app": "*"})
    assert matches_labels(None, {})
