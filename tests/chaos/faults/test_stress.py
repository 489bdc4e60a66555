"""CPU and memory stress: real worker processes that really burn CPU or hold memory, die with
the revert, on their own after ``duration``, and when the process that started them dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.registry import build_fault
from drillhall.chaos.faults.stress import memory_to_hold
from drillhall.errors import ConfigError
from tests.chaos.faults.conftest import ROOT, alive, revert_in_fresh_process, wait_for

MB = 1024 * 1024


def _cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def test_cpu_stress_burns_cpu_and_revert_kills_every_worker() -> None:
    fault = build_fault("cpu-stress", {"workers": 2, "duration": 30})
    revert = fault.prepare()
    token = revert.params["token"]
    try:
        out = fault.inject(threading.Event())
        assert "2 worker(s)" in out
        assert Path(revert.params["pgid_file"]).exists()
        procs = alive(token)
        assert len(procs) == 3  # the group leader and two workers
        leader = min(procs, key=lambda p: p.pid)
        workers = [p for p in procs if p.pid != leader.pid]
        assert all(w.ppid() == leader.pid for w in workers)
        # each worker busy: 0.1 CPU seconds each comes within a few seconds even on a loaded
        # machine, while the (sleeping) leader stays near zero
        base = {w.pid: _cpu_seconds([w]) for w in workers}
        lead = _cpu_seconds([leader])
        assert wait_for(lambda: all(_cpu_seconds([w]) - base[w.pid] >= 0.1 for w in workers),
                        8.0), "a stress worker is not burning CPU"
        burnt = min(_cpu_seconds([w]) - base[w.pid] for w in workers)
        assert _cpu_seconds([leader]) - lead < burnt / 2
        # all in the leader's own process group, not ours
        assert {os.getpgid(p.pid) for p in procs} == {leader.pid} != {os.getpgid(0)}
    finally:
        result = run_revert(revert)
    assert "killed 3 stress process(es)" in result
    assert not alive(token)
    assert not Path(revert.params["pgid_file"]).exists()
    assert run_revert(revert) == "no stress process was running"


def test_stress_reverted_from_a_fresh_process() -> None:
    fault = build_fault("cpu-stress", {"workers": 1, "duration": 30})
    revert = fault.prepare()
    fault.inject(threading.Event())
    assert len(alive(revert.params["token"])) == 2
    done = revert_in_fresh_process(revert)
    assert done.returncode == 0, done.stderr
    assert "killed 2 stress process(es)" in done.stdout
    assert wait_for(lambda: not alive(revert.params["token"]), 2.0)


def test_stress_ends_on_its_own_after_duration() -> None:
    fault = build_fault("cpu-stress", {"workers": 1, "duration": 0.4})
    revert = fault.prepare()
    fault.inject(threading.Event())
    assert alive(revert.params["token"])
    assert wait_for(lambda: not alive(revert.params["token"]), 3.0)
    assert not Path(revert.params["pgid_file"]).exists()
    run_revert(revert)


def test_stress_dies_with_the_process_that_started_it() -> None:
    code = ("import threading, sys\n"
            "from drillhall.chaos.faults.registry import build_fault\n"
            "f = build_fault('cpu-stress', {'workers': 2, 'duration': 60})\n"
            "r = f.prepare(); f.inject(threading.Event())\n"
            "print(r.params['token'], flush=True)\n"
            "sys.stdin.read()\n")
    runner = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert runner.stdout is not None
        token = runner.stdout.readline().strip()
        assert len(alive(token)) == 3
        runner.kill()  # like SIGKILL of the experiment runner
        runner.wait(timeout=5)
        assert wait_for(lambda: not alive(token), 3.0), "stress outlived its runner"
    finally:
        runner.kill()
        if runner.stdin:
            runner.stdin.close()
        if runner.stdout:
            runner.stdout.close()


def test_memory_stress_holds_memory_until_reverted() -> None:
    fault = build_fault("memory-stress", {"size_mb": 40, "duration": 30})
    revert = fault.prepare()
    token = revert.params["token"]
    try:
        assert "40 MB held" in fault.inject(threading.Event())

        def held() -> float:
            return sum(p.memory_info().rss for p in alive(token)) / MB

        assert wait_for(lambda: held() >= 40, 5.0), f"only {held():.0f} MB held"
    finally:
        run_revert(revert)
    assert not alive(token)


def test_memory_arithmetic() -> None:
    gib = 1024 * MB
    # 8 GiB machine, 6 GiB available (25% used): 50% means 2 GiB more
    assert memory_to_hold(8 * gib, 6 * gib, percent=50) == (2048.0, False)
    # never below the safety margin
    mb, capped = memory_to_hold(8 * gib, 1 * gib, size_mb=4096, min_available_mb=256)
    assert (mb, capped) == (768.0, True)
    # already above the target
    assert memory_to_hold(8 * gib, 1 * gib, percent=50)[0] == 0.0


@pytest.mark.parametrize(("kind", "args", "expected"), [
    ("cpu-stress", {"workers": 2}, "missing required key 'duration'"),
    ("cpu-stress", {"workers": 0, "duration": 5}, "key 'workers'"),
    ("memory-stress", {"duration": 5}, "exactly one of size_mb or percent"),
    ("memory-stress", {"percent": 120, "duration": 5}, "key 'percent'"),
])
def test_bad_stress_arguments(kind: str, args: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_fault(kind, args, where="chaos.yaml: method[3]")
    assert err.value.diagnostics().startswith(f"chaos.yaml: method[3]: fault {kind!r}:")
    assert expected in str(err.value)
