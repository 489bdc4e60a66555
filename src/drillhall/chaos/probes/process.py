"""The ``process-alive`` probe: is a process running? By pid file or by name.

A name matches a process whose executable name (``/proc/PID/comm``) equals it or whose command
line contains it. Output: ``{"alive": bool, "pids": [..]}``. Name lookup reads ``/proc``
(Linux); elsewhere only pid files work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from threading import Event

from drillhall.chaos.probes.base import Observation, ProbeError, Provider


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (and is not a zombie, where that is visible)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def pids_by_name(name: str) -> list[int]:
    """Ids of running processes whose name is ``name`` or whose command line contains it."""
    proc = Path("/proc")
    if not proc.is_dir():
        raise ProbeError("finding processes by name needs /proc (Linux); use pid_file")
    me = os.getpid()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace").strip()
        except OSError:
            continue
        if (comm == name or name in cmdline) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


@dataclass(frozen=True)
class ProcessAliveProvider(Provider):
    """``ok`` when the process named by ``pid_file`` or ``name`` runs."""

    kind = "process-alive"
    pid_file: str | None = None
    name: str | None = None

    def describe(self) -> str:
        what = f"pid file {self.pid_file}" if self.pid_file else f"name {self.name!r}"
        return f"check a process is alive ({what})"

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        if self.pid_file:
            try:
                text = Path(self.pid_file).read_text().strip()
            except OSError:
                return Observation({"alive": False, "pids": []}, False,
                                   detail=f"pid file {self.pid_file} is missing")
            if not text.isdigit():
                return Observation({"alive": False, "pids": []}, False,
                                   detail=f"pid file {self.pid_file} holds no pid")
            pids = [int(text)] if pid_alive(int(text)) else []
        else:
            pids = pids_by_name(self.name or "")
        return Observation({"alive": bool(pids), "pids": pids}, bool(pids),
                           detail=f"pids {pids}" if pids else "no such process")
