"""``cpu-stress`` and ``memory-stress``: busy or memory-holding worker processes.

:meth:`inject` starts :mod:`drillhall.chaos.faults.stressor` as the leader of a new process
group; the leader forks ``workers`` workers into that group and returns once it has written
its process-group id. The workers burn CPU (``cpu-stress``) or allocate and touch memory
(``memory-stress``: ``size_mb`` in all, or enough to bring the machine's memory use up to
``percent``, never leaving less than ``min_available_mb`` available).

The fault ends on its own after ``duration`` seconds, or when the runner that started it
dies (the leader watches its parent; workers use ``PR_SET_PDEATHSIG`` on Linux). The revert,
recorded in :meth:`prepare` with a unique token and the path of the process-group id file,
kills the group; it finds the processes by the token on their command line, so it works from
a fresh process and never hits an unrelated group that reused the id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from threading import Event
from typing import Any, ClassVar

import psutil
from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import parse_args, wait_until
from drillhall.chaos.faults.targets import is_gone
from drillhall.errors import FaultError

STOP_STRESS = "stress.stop"
STRESSOR = Path(__file__).with_name("stressor.py")
TOKEN_PREFIX = "drillhall-stress-"  # noqa: S105 (a command-line marker, not a secret)
MB = 1024 * 1024


class CpuStressArgs(BaseModel):
    """Arguments of ``cpu-stress``."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(default=1, ge=1, le=512, description="busy worker processes")
    duration: float = Field(gt=0, le=86_400, description="seconds until the workers stop "
                                                         "on their own")


class MemoryStressArgs(BaseModel):
    """Arguments of ``memory-stress``: exactly one of ``size_mb`` or ``percent``."""

    model_config = ConfigDict(extra="forbid")

    size_mb: float | None = Field(default=None, gt=0, description="memory to hold, in all")
    percent: float | None = Field(default=None, gt=0, lt=100,
                                  description="hold enough to bring memory use to this")
    workers: int = Field(default=1, ge=1, le=64, description="processes sharing the memory")
    duration: float = Field(gt=0, le=86_400, description="seconds until it is released on "
                                                         "its own")
    min_available_mb: float = Field(default=256.0, ge=0,
                                    description="never leave less than this available")

    @model_validator(mode="after")
    def _one_amount(self) -> MemoryStressArgs:
        if (self.percent is None) == (self.size_mb is None):
            raise ValueError("give exactly one of size_mb or percent")
        return self


def memory_to_hold(total: int, available: int, *, size_mb: float | None = None,
                   percent: float | None = None, min_available_mb: float = 256.0
                   ) -> tuple[float, bool]:
    """Megabytes to allocate for a machine with ``total`` and ``available`` bytes, and
    whether the safety margin capped it."""
    if percent is not None:
        wanted = total * percent / 100.0 - (total - available)
    else:
        wanted = (size_mb or 0.0) * MB
    room = available - min_available_mb * MB
    return max(0.0, min(wanted, room)) / MB, wanted > room


class _Stress(Fault):
    mode: ClassVar[str]

    def __init__(self, workers: int, duration: float) -> None:
        self.workers = workers
        self.duration = duration
        self._token: str | None = None
        self._pgid_file: Path | None = None

    def prepare(self) -> Revert:
        self._token = TOKEN_PREFIX + uuid.uuid4().hex[:16]
        state = Path(tempfile.gettempdir()) / "drillhall-chaos"
        state.mkdir(mode=0o700, exist_ok=True)
        self._pgid_file = state / f"{self._token}.pgid"
        return Revert(STOP_STRESS, {"token": self._token, "pgid_file": str(self._pgid_file)},
                      f"kill the {self.kind} worker processes")

    def _megabytes(self) -> tuple[float, str]:
        return 0.0, ""

    def inject(self, cancel: Event) -> str:
        if self._token is None or self._pgid_file is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        megabytes, note = self._megabytes()
        if cancel.is_set():
            raise FaultError(f"{self.kind} was cancelled before it started")
        cmd = [sys.executable, str(STRESSOR), "--mode", self.mode,
               "--workers", str(self.workers), "--duration", str(self.duration),
               "--megabytes", f"{megabytes / self.workers:.3f}", "--parent", str(os.getpid()),
               "--pgid-file", str(self._pgid_file), "--token", self._token]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True,
                                    close_fds=True)
        except OSError as exc:
            raise FaultError(f"{self.kind}: cannot start the stress process: {exc}") from None
        threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
        pgid_file = self._pgid_file
        started = wait_until(lambda: pgid_file.exists() or proc.poll() is not None,
                             timeout=10.0, interval=0.01, cancel=cancel)
        if cancel.is_set():
            stop_stress({"token": self._token, "pgid_file": str(pgid_file)})
            raise FaultError(f"{self.kind} was cancelled while starting")
        if not started or proc.poll() is not None:
            stop_stress({"token": self._token, "pgid_file": str(pgid_file)})
            raise FaultError(f"{self.kind}: the stress process did not start "
                             f"(exit status {proc.poll()})")
        what = f"{megabytes:.0f} MB held by " if self.mode == "memory" else ""
        return (f"{what}{self.workers} worker(s) in process group {proc.pid} for "
                f"{self.duration:g} s{note}")


class CpuStress(_Stress):
    """Keep ``workers`` processes busy for ``duration`` seconds; revert kills them."""

    kind: ClassVar[str] = "cpu-stress"
    mode: ClassVar[str] = "cpu"
    Args: ClassVar[type[BaseModel]] = CpuStressArgs

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> CpuStress:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(CpuStressArgs, args, kind=cls.kind, where=where)
        return cls(a.workers, a.duration)

    def describe(self) -> str:
        return (f"run {self.workers} busy CPU worker(s) for {self.duration:g} s; revert kills "
                "them")


class MemoryStress(_Stress):
    """Hold ``size_mb`` (or up to ``percent`` use) of memory for ``duration`` seconds;
    revert kills the holders."""

    kind: ClassVar[str] = "memory-stress"
    mode: ClassVar[str] = "memory"
    Args: ClassVar[type[BaseModel]] = MemoryStressArgs

    def __init__(self, workers: int, duration: float, *, size_mb: float | None = None,
                 percent: float | None = None, min_available_mb: float = 256.0) -> None:
        super().__init__(workers, duration)
        self.size_mb = size_mb
        self.percent = percent
        self.min_available_mb = min_available_mb

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> MemoryStress:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(MemoryStressArgs, args, kind=cls.kind, where=where)
        return cls(a.workers, a.duration, size_mb=a.size_mb, percent=a.percent,
                   min_available_mb=a.min_available_mb)

    def describe(self) -> str:
        amount = (f"{self.size_mb:g} MB" if self.size_mb is not None
                  else f"memory up to {self.percent:g}% use")
        return (f"hold {amount} in {self.workers} process(es) for {self.duration:g} s "
                f"(keeping {self.min_available_mb:g} MB available); revert kills them")

    def _megabytes(self) -> tuple[float, str]:
        vm = psutil.virtual_memory()
        mb, capped = memory_to_hold(vm.total, vm.available, size_mb=self.size_mb,
                                    percent=self.percent,
                                    min_available_mb=self.min_available_mb)
        if mb <= 0:
            raise FaultError(f"memory-stress: nothing to allocate (memory use is already at "
                             f"{vm.percent:.0f}% or below the {self.min_available_mb:g} MB "
                             "safety margin)")
        return mb, (f" (capped to keep {self.min_available_mb:g} MB available)" if capped
                    else "")


def _marked(token: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if token in proc.cmdline() and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
    return found


@reverter(STOP_STRESS)
def stop_stress(params: Mapping[str, JSONValue]) -> str:
    """Kill the stress process group (found by its token); nothing left counts as reverted."""
    token = str(params["token"])
    if not token.startswith(TOKEN_PREFIX):
        raise FaultError(f"refusing to stop {token!r}: not a drillhall stress token")
    pgid_file = Path(str(params.get("pgid_file") or ""))
    procs = _marked(token)
    groups = set()
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            groups.add(os.getpgid(proc.pid))
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    gone = wait_until(lambda: all(is_gone(p) for p in procs), timeout=10.0, interval=0.02)
    if str(pgid_file) not in ("", ".") and pgid_file.name.startswith(TOKEN_PREFIX):
        pgid_file.unlink(missing_ok=True)
    if not gone:
        left = [p.pid for p in procs if not is_gone(p)]
        raise FaultError(f"stress processes {left} did not exit after SIGKILL")
    if not procs:
        return "no stress process was running"
    return f"killed {len(procs)} stress process(es) in group(s) {sorted(groups)}"


FAULTS: tuple[type[Fault], ...] = (CpuStress, MemoryStress)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
