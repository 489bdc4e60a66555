"""Process faults against a real TCP service: kill and restart, stop and continue, restart;
reverts from a fresh process and reverts run twice."""

from __future__ import annotations

import sys
import threading

import psutil
import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.process import ProcessKill, ProcessRestart, ProcessStop
from drillhall.chaos.faults.registry import build_fault
from drillhall.errors import ConfigError, FaultError
from tests.chaos.faults.conftest import (
    Service,
    alive,
    answers,
    revert_in_fresh_process,
    wait_for,
)


def _kill(service: Service, **extra: object) -> ProcessKill:
    fault = build_fault("process-kill", {"cmdline": service.marker,
                                         "restart_command": service.command,
                                         "health": {"tcp_port": service.port, "timeout": 10},
                                         **extra}, where="exp.yaml: method[0]")
    assert isinstance(fault, ProcessKill)
    return fault


def test_kill_then_revert_restarts_the_service(service: Service) -> None:
    first = service.start()
    fault = _kill(service)
    revert = fault.prepare()
    assert revert.params["targets"][0]["pid"] == first.pid
    assert answers(service.port)  # prepare changes nothing

    out = fault.inject(threading.Event())

    assert f"pid {first.pid}" in out and "SIGKILL" in out
    first.wait(timeout=5)
    assert not psutil.pid_exists(first.pid)
    assert not answers(service.port)
    result = run_revert(revert)
    assert "restarted" in result
    assert answers(service.port)
    [again] = alive(service.marker)
    assert again.pid != first.pid
    # a second revert sees the service up and starts nothing
    assert "already up" in run_revert(revert)
    assert [p.pid for p in alive(service.marker)] == [again.pid]


def test_kill_reverted_from_a_fresh_process(service: Service) -> None:
    first = service.start()
    fault = _kill(service, signal="TERM")
    revert = fault.prepare()
    fault.inject(threading.Event())
    first.wait(timeout=5)
    assert not answers(service.port)

    done = revert_in_fresh_process(revert)

    assert done.returncode == 0, done.stderr
    assert "restarted" in done.stdout
    assert answers(service.port)


def test_kill_by_pid_file_without_port_waits_for_the_process(service: Service) -> None:
    first = service.start()
    fault = build_fault("process-kill", {"pid_file": str(service.pid_file),
                                         "restart_command": service.command})
    revert = fault.prepare()
    fault.inject(threading.Event())
    first.wait(timeout=5)
    out = run_revert(revert)
    assert "restarted" in out
    assert wait_for(lambda: answers(service.port))
    assert len(alive(service.marker)) == 1


def test_revert_before_inject_is_harmless(service: Service) -> None:
    first = service.start()
    revert = _kill(service).prepare()
    assert "already up" in run_revert(revert)
    assert [p.pid for p in alive(service.marker)] == [first.pid]


def test_failing_restart_command_is_a_fault_error(service: Service) -> None:
    first = service.start()
    fault = build_fault("process-kill", {
        "cmdline": service.marker, "health": {"tcp_port": service.port, "timeout": 5},
        "restart_command": [sys.executable, "-c", "raise SystemExit(3)"]})
    revert = fault.prepare()
    fault.inject(threading.Event())
    first.wait(timeout=5)
    with pytest.raises(FaultError, match="exited with status 3"):
        run_revert(revert)


def test_irreversible_kill_needs_the_flag(service: Service) -> None:
    with pytest.raises(ConfigError) as err:
        build_fault("process-kill", {"name": "nginx"}, where="exp.yaml: method[1]")
    text = err.value.diagnostics()
    assert text.startswith("exp.yaml: method[1]: fault 'process-kill':")
    assert "irreversible: true" in text

    first = service.start()
    fault = build_fault("process-kill", {"cmdline": service.marker, "irreversible": True})
    revert = fault.prepare()
    assert revert.kind == "fault.irreversible"
    fault.inject(threading.Event())
    first.wait(timeout=5)
    assert "irreversible" in run_revert(revert)
    assert not alive(service.marker)


def test_stop_and_continue(service: Service) -> None:
    first = service.start()
    fault = build_fault("process-stop", {"cmdline": service.marker})
    assert isinstance(fault, ProcessStop)
    revert = fault.prepare()

    assert "stopped" in fault.inject(threading.Event())

    assert psutil.Process(first.pid).status() == psutil.STATUS_STOPPED
    assert not answers(service.port)
    done = revert_in_fresh_process(revert)
    assert done.returncode == 0, done.stderr
    assert f"continued pid {first.pid}" in done.stdout
    assert psutil.Process(first.pid).status() != psutil.STATUS_STOPPED
    assert answers(service.port)
    assert "continued" in run_revert(revert)  # twice is harmless


def test_restart_replaces_the_process(service: Service) -> None:
    first = service.start()
    fault = build_fault("process-restart", {"cmdline": service.marker,
                                            "restart_command": service.command,
                                            "health": {"tcp_port": service.port}})
    assert isinstance(fault, ProcessRestart)
    revert = fault.prepare()

    out = fault.inject(threading.Event())

    assert "ended by SIGTERM" in out and "restarted" in out
    first.wait(timeout=5)
    assert not psutil.pid_exists(first.pid)
    assert answers(service.port)
    assert "already up" in run_revert(revert)


def test_blast_radius_count_hits_one_of_several(service: Service) -> None:
    procs = [service.start()]
    # a second instance on another port, same marker
    from tests.chaos.faults.conftest import free_port

    other = free_port()
    cmd = [*service.command]
    cmd[2] = str(other)
    procs.append(psutil.Popen(cmd))  # type: ignore[arg-type]
    assert wait_for(lambda: answers(other))
    fault = build_fault("process-stop", {"cmdline": service.marker, "count": 1, "seed": 7})
    revert = fault.prepare()
    assert len(revert.params["targets"]) == 1
    fault.inject(threading.Event())
    stopped = [p for p in alive(service.marker) if p.status() == psutil.STATUS_STOPPED]
    assert len(stopped) == 1
    run_revert(revert)
    assert not [p for p in alive(service.marker) if p.status() == psutil.STATUS_STOPPED]


def test_no_matching_process_is_a_fault_error() -> None:
    fault = build_fault("process-stop", {"cmdline": "no-such-process-7f3a9c"})
    with pytest.raises(FaultError, match="no running process matches"):
        fault.prepare()


def test_never_targets_the_runner_itself() -> None:
    # this test process's own command line contains "pytest"
    fault = build_fault("process-stop", {"cmdline": "drillhall-never-matches-self-" + "x"})
    with pytest.raises(FaultError):
        fault.prepare()
    from drillhall.chaos.faults.targets import ProcessSelector, find_processes

    me = psutil.Process()
    mine = " ".join(me.cmdline())
    pids = {p.pid for p in find_processes(ProcessSelector(cmdline=mine))}
    assert me.pid not in pids
    assert not pids & {p.pid for p in me.parents()}
