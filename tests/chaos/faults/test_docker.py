"""Docker faults through the real Docker SDK against a fake Docker Engine API on 127.0.0.1
(constructed responses in the shape of the Engine API reference; see fakedocker.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.registry import build_fault
from drillhall.errors import FaultError

pytest.importorskip("docker", reason="the docker SDK (extra chaos-cloud) is not installed")

from tests.chaos.faults.fakedocker import FakeEngine, fake_engine


@pytest.fixture
def engine() -> Iterator[tuple[str, FakeEngine]]:
    with fake_engine() as served:
        yield served


def test_stop_by_label_and_start_again(engine: tuple[str, FakeEngine]) -> None:
    url, state = engine
    fault = build_fault("docker-stop", {"labels": {"app": "web"}, "base_url": url})
    assert not fault.local
    revert = fault.prepare()
    assert sorted(c["name"] for c in revert.params["containers"]) == ["web-1", "web-2"]
    assert state.calls == []

    out = fault.inject(threading.Event())

    assert out == "stop web-1; stop web-2"
    assert (state.status("web-1"), state.status("web-2"), state.status("db")) == (
        "exited", "exited", "running")
    assert run_revert(revert) == "started web-1; started web-2"
    assert state.status("web-1") == state.status("web-2") == "running"
    assert run_revert(revert) == "web-1 is running; web-2 is running"


def test_kill_one_by_count(engine: tuple[str, FakeEngine]) -> None:
    url, state = engine
    fault = build_fault("docker-kill", {"labels": {"tier": "*"}, "count": 1, "seed": 3,
                                        "base_url": url, "signal": "sigterm"})
    revert = fault.prepare()
    [target] = revert.params["containers"]
    fault.inject(threading.Event())
    assert state.calls == [("kill", target["name"])]
    assert state.status(target["name"]) == "exited"
    run_revert(revert)
    assert state.status(target["name"]) == "running"


def test_pause_by_exact_name_and_unpause(engine: tuple[str, FakeEngine]) -> None:
    url, state = engine
    fault = build_fault("docker-pause", {"name": "web-1", "base_url": url})
    revert = fault.prepare()
    assert [c["name"] for c in revert.params["containers"]] == ["web-1"]
    # Docker's name filter is a substring match ("web" lists web-1 and web-2): the fault
    # keeps exact names only
    with pytest.raises(FaultError, match="container 'web'"):
        build_fault("docker-pause", {"name": "web", "base_url": url}).prepare()
    fault.inject(threading.Event())
    assert state.status("web-1") == "paused"
    assert run_revert(revert) == "unpaused web-1"
    assert state.status("web-1") == "running"


def test_restart_and_revert_is_a_no_op(engine: tuple[str, FakeEngine]) -> None:
    url, state = engine
    fault = build_fault("docker-restart", {"name": "db", "base_url": url})
    revert = fault.prepare()
    assert fault.inject(threading.Event()) == "restart db"
    assert state.calls == [("restart", "db")]
    assert run_revert(revert) == "db is running"


def test_nothing_matches(engine: tuple[str, FakeEngine]) -> None:
    url, _ = engine
    fault = build_fault("docker-stop", {"labels": {"app": "cache"}, "base_url": url})
    with pytest.raises(FaultError, match="no running container matches: containers labelled "
                                         "app=cache"):
        fault.prepare()


def test_removed_container_counts_as_reverted(engine: tuple[str, FakeEngine]) -> None:
    url, state = engine
    fault = build_fault("docker-stop", {"name": "web-2", "base_url": url})
    revert = fault.prepare()
    fault.inject(threading.Event())
    del state.containers[state.by_name("web-2")["Id"]]
    assert run_revert(revert) == "web-2 no longer exists"


def test_unreachable_engine_is_one_sentence() -> None:
    fault = build_fault("docker-stop", {"name": "web", "base_url": "tcp://127.0.0.1:9",
                                        "timeout": 2})
    with pytest.raises(FaultError) as err:
        fault.prepare()
    assert "tcp://127.0.0.1:9" in err.value.diagnostics()
