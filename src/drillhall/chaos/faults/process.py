"""Process faults on this machine: ``process-kill``, ``process-stop`` and ``process-restart``.

Targets are chosen by pid file, exact name or command-line substring, narrowed by the blast
radius (:mod:`drillhall.chaos.faults.targets`). Every fault records the targets' pids *and*
start times in :meth:`prepare`, so a revert run later — even by ``drillhall chaos recover``
in a fresh process — never signals an unrelated process that inherited a pid.

* ``process-kill`` sends ``signal`` (default SIGKILL) and waits until the targets are gone.
  Its revert runs ``restart_command`` (with ``cwd``, ``env``, output appended to ``log_file``)
  unless the service is already up, then waits until it is: the TCP ``health.tcp_port``
  accepts connections, or — without a port — as many processes match the selector as before.
  Killing without a restart command is refused unless ``irreversible: true``.
* ``process-stop`` sends SIGSTOP; its revert sends SIGCONT to the processes it stopped.
* ``process-restart`` sends ``signal`` (default SIGTERM, SIGKILL after ``exit_timeout``), runs
  ``restart_command`` and waits until the service is up; its revert makes sure it is up.
"""

from __future__ import annotations

import functools
import os
import shlex
import signal
import socket
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Any, ClassVar

import psutil
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import IRREVERSIBLE, parse_args, wait_until
from drillhall.chaos.faults.targets import (
    EVERY,
    BlastRadius,
    ProcessInfo,
    ProcessSelector,
    ProcessTargetArgs,
    find_processes,
    is_gone,
    resolve_processes,
    same_process,
)
from drillhall.errors import FaultError

START = "process.start"
CONTINUE = "process.continue"


# ---- arguments ---------------------------------------------------------------------------


def _signal(value: Any) -> str:
    """Normalise ``TERM``, ``sigterm``, ``15`` … to a signal name; ``ValueError`` otherwise."""
    text = str(value).strip().upper()
    try:
        sig = signal.Signals(int(text)) if text.isdigit() else signal.Signals[
            text if text.startswith("SIG") else "SIG" + text]
    except (KeyError, ValueError):
        raise ValueError(f"{value!r} is not a signal name such as SIGTERM or SIGKILL") from None
    return sig.name


class HealthArgs(BaseModel):
    """When a restarted service counts as up."""

    model_config = ConfigDict(extra="forbid")

    tcp_port: int | None = Field(default=None, ge=1, le=65535,
                                 description="up when this TCP port accepts connections")
    host: str = Field(default="127.0.0.1", description="host of tcp_port")
    timeout: float = Field(default=30.0, gt=0, le=3600,
                           description="seconds to wait for the service")


class _RestartFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    restart_command: list[str] | str | None = Field(
        default=None, description="command that starts the service again (a list, or a "
                                  "string split like a shell would; no shell is run)")
    cwd: str | None = Field(default=None,
                            description="working directory of the restart command")
    env: dict[str, str] = Field(default_factory=dict,
                                description="variables added to the restart command's "
                                            "environment (recorded in the journal)")
    log_file: str | None = Field(default=None,
                                 description="append the restarted service's output here "
                                             "(default: discarded)")
    health: HealthArgs = Field(default_factory=HealthArgs,
                               description="when the restarted service counts as up")
    exit_timeout: float = Field(default=10.0, gt=0, le=600,
                                description="seconds to wait for a signalled target to exit "
                                            "before SIGKILL")

    @field_validator("restart_command")
    @classmethod
    def _command(cls, value: list[str] | str | None) -> list[str] | None:
        if value is None:
            return None
        parts = shlex.split(value) if isinstance(value, str) else list(value)
        if not parts or not parts[0]:
            raise ValueError("must not be empty")
        return parts

    def restart_spec(self) -> RestartSpec | None:
        if not self.restart_command:
            return None
        return RestartSpec(tuple(self.restart_command), self.cwd, dict(self.env),
                           self.log_file, self.health.tcp_port, self.health.host,
                           self.health.timeout)


class KillArgs(_RestartFields, ProcessTargetArgs):
    """Arguments of ``process-kill``."""

    signal: str = Field(default="SIGKILL", description="signal to send")
    irreversible: bool = Field(default=False, description="allow a kill that no revert can undo "
                                                  "(no restart_command)")

    @field_validator("signal", mode="before")
    @classmethod
    def _sig(cls, value: Any) -> str:
        return _signal(value)

    @model_validator(mode="after")
    def _revertible(self) -> KillArgs:
        if not self.restart_command and not self.irreversible:
            raise ValueError("process-kill needs a restart_command to revert it; set "
                             "irreversible: true to kill without one")
        return self


class StopArgs(ProcessTargetArgs):
    """Arguments of ``process-stop``."""


class RestartArgs(_RestartFields, ProcessTargetArgs):
    """Arguments of ``process-restart``."""

    signal: str = Field(default="SIGTERM", description="signal that ends the running process")

    @field_validator("signal", mode="before")
    @classmethod
    def _sig(cls, value: Any) -> str:
        return _signal(value)

    @model_validator(mode="after")
    def _has_command(self) -> RestartArgs:
        if not self.restart_command:
            raise ValueError("process-restart needs a restart_command")
        return self


# ---- domain values -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestartSpec:
    """How to start a service again and tell that it is up."""

    command: tuple[str, ...]
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    log_file: str | None = None
    tcp_port: int | None = None
    host: str = "127.0.0.1"
    timeout: float = 30.0

    def as_dict(self) -> dict[str, JSONValue]:
        """The journaled form: the environment by variable *name* only (values can be
        secrets); :meth:`private` holds the values for a revert in this process."""
        return {"command": list(self.command), "cwd": self.cwd, "env_names": sorted(self.env),
                "log_file": self.log_file, "tcp_port": self.tcp_port, "host": self.host,
                "timeout": self.timeout}

    def private(self) -> dict[str, JSONValue]:
        return {"env": dict(self.env)}

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> RestartSpec:
        """From revert params. Without the private ``env`` (a revert rebuilt by
        ``drillhall chaos recover``), each variable named in ``env_names`` takes its value from
        the recovering process's environment, so run recover with the same environment."""
        port = data.get("tcp_port")
        env = data.get("env")
        if not isinstance(env, Mapping):
            env = {name: os.environ[name] for name in data.get("env_names") or []
                   if name in os.environ}
        return cls(tuple(str(p) for p in data["command"]), data.get("cwd"),
                   {str(k): str(v) for k, v in env.items()}, data.get("log_file"),
                   int(port) if port is not None else None, str(data.get("host", "127.0.0.1")),
                   float(data.get("timeout", 30.0)))

    def text(self) -> str:
        return shlex.join(self.command)


def _tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _is_up(spec: RestartSpec, selector: ProcessSelector, matched: int) -> bool:
    if spec.tcp_port is not None:
        return _tcp_open(spec.host, spec.tcp_port)
    return len(find_processes(selector)) >= max(1, matched)


def _up_text(spec: RestartSpec, selector: ProcessSelector) -> str:
    if spec.tcp_port is not None:
        return f"{spec.host}:{spec.tcp_port} accepts connections"
    return f"{selector.describe()} are running"


def _launch(spec: RestartSpec) -> subprocess.Popen[bytes]:
    """Start the restart command in its own session (so the runner's Ctrl-C does not reach
    it); a daemon thread reaps it when it exits."""
    env = {**os.environ, **spec.env}
    try:
        out = (Path(spec.log_file).open("ab") if spec.log_file  # noqa: SIM115
               else subprocess.DEVNULL)
        try:
            proc = subprocess.Popen(list(spec.command), cwd=spec.cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    start_new_session=True, close_fds=True)
        finally:
            if not isinstance(out, int):
                out.close()
    except OSError as exc:
        raise FaultError(f"restart command {spec.text()!r} could not be started: "
                         f"{exc.strerror or exc}") from None
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc


def ensure_up(spec: RestartSpec, selector: ProcessSelector, matched: int,
              cancel: Event | None = None) -> str:
    """Start the service with ``spec`` unless it is already up, and wait until it is."""
    if _is_up(spec, selector, matched):
        return f"already up ({_up_text(spec, selector)}); nothing restarted"
    proc = _launch(spec)
    up = wait_until(lambda: proc.poll() not in (None, 0) or _is_up(spec, selector, matched),
                    timeout=spec.timeout, interval=0.05, cancel=cancel)
    if up and _is_up(spec, selector, matched):
        return f"restarted with {spec.text()!r} (pid {proc.pid}); {_up_text(spec, selector)}"
    if proc.poll() not in (None, 0):
        raise FaultError(f"restart command {spec.text()!r} exited with status "
                         f"{proc.returncode} before the service came up")
    if cancel is not None and cancel.is_set():
        raise FaultError(f"waiting for {spec.text()!r} to come up was cancelled")
    raise FaultError(f"restart command {spec.text()!r} ran but the service was not up within "
                     f"{spec.timeout:g} s (waiting until {_up_text(spec, selector)})")


def _end(targets: Sequence[ProcessInfo], sig: signal.Signals, timeout: float,
         cancel: Event) -> list[str]:
    """Send ``sig`` to the targets still alive and wait until they exit (SIGKILL after
    ``timeout``). Returns one note per target."""
    notes: list[str] = []
    procs: list[tuple[ProcessInfo, psutil.Process]] = []
    for info in targets:
        proc = same_process(info)
        if proc is None:
            notes.append(f"{info.label()} had already exited")
            continue
        try:
            proc.send_signal(sig)
        except psutil.NoSuchProcess:
            notes.append(f"{info.label()} had already exited")
            continue
        except psutil.AccessDenied:
            raise FaultError(f"not allowed to send {sig.name} to {info.label()}") from None
        procs.append((info, proc))
    wait_until(lambda: all(is_gone(p) for _, p in procs), timeout=timeout, interval=0.02,
               cancel=cancel)
    for info, proc in procs:
        if not is_gone(proc):
            proc.kill()
            if not wait_until(functools.partial(is_gone, proc), timeout=5.0, interval=0.02):
                raise FaultError(f"{info.label()} did not exit after {sig.name} and SIGKILL")
            notes.append(f"{info.label()} ignored {sig.name}; killed with SIGKILL")
        else:
            notes.append(f"{info.label()} ended by {sig.name}")
    return notes


class _ProcessFault(Fault):
    def __init__(self, selector: ProcessSelector, radius: BlastRadius) -> None:
        self.selector = selector
        self.radius = radius
        self._targets: list[ProcessInfo] | None = None
        self._matched = 0

    def _scope(self) -> str:
        limit = self.radius.describe()
        return self.selector.describe() + ("" if limit == "all" else f" (blast radius {limit})")

    def _resolve(self) -> list[ProcessInfo]:
        self._targets, self._matched = resolve_processes(self.selector, self.radius)
        return self._targets

    def _prepared(self) -> list[ProcessInfo]:
        if self._targets is None:
            raise FaultError(f"{self.kind}: prepare() must run before inject()")
        return self._targets

    def _start_revert(self, spec: RestartSpec, targets: Sequence[ProcessInfo]) -> Revert:
        params: dict[str, JSONValue] = {**spec.as_dict(), "selector": self.selector.as_dict(),
                                        "matched": self._matched,
                                        "targets": [t.as_dict() for t in targets]}
        return Revert(START, params, f"start {self.selector.describe()} again with "
                                     f"{spec.text()!r} unless already up",
                      private=spec.private())


class ProcessKill(_ProcessFault):
    """Kill processes (default SIGKILL); revert runs ``restart_command`` and waits until the
    service is up. Without a restart command the kill needs ``irreversible: true``."""

    kind: ClassVar[str] = "process-kill"
    Args: ClassVar[type[BaseModel]] = KillArgs

    def __init__(self, selector: ProcessSelector, radius: BlastRadius = EVERY,
                 sig: signal.Signals = signal.SIGKILL, restart: RestartSpec | None = None,
                 exit_timeout: float = 10.0) -> None:
        super().__init__(selector, radius)
        self.signal = sig
        self.restart = restart
        self.exit_timeout = exit_timeout

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> ProcessKill:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(KillArgs, args, kind=cls.kind, where=where)
        return cls(a.selector(), a.blast_radius(), signal.Signals[a.signal], a.restart_spec(),
                   a.exit_timeout)

    def describe(self) -> str:
        then = (f"; revert restarts it with {self.restart.text()!r}" if self.restart
                else "; irreversible (no restart command)")
        return f"send {self.signal.name} to {self._scope()}{then}"

    def prepare(self) -> Revert:
        targets = self._resolve()
        if self.restart is None:
            return Revert(IRREVERSIBLE, {"what": self.describe()},
                          f"nothing: killing {self.selector.describe()} is irreversible")
        return self._start_revert(self.restart, targets)

    def inject(self, cancel: Event) -> str:
        notes = _end(self._prepared(), self.signal, self.exit_timeout, cancel)
        return "; ".join(notes)


class ProcessStop(_ProcessFault):
    """Freeze processes with SIGSTOP; revert sends SIGCONT to the processes it stopped."""

    kind: ClassVar[str] = "process-stop"
    Args: ClassVar[type[BaseModel]] = StopArgs

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> ProcessStop:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(StopArgs, args, kind=cls.kind, where=where)
        return cls(a.selector(), a.blast_radius())

    def describe(self) -> str:
        return f"freeze (SIGSTOP) {self._scope()}; revert sends SIGCONT"

    def prepare(self) -> Revert:
        targets = self._resolve()
        running = [t for t in targets if not _stopped(t)]
        return Revert(CONTINUE, {"targets": [t.as_dict() for t in running]},
                      f"send SIGCONT to {self.selector.describe()}")

    def inject(self, cancel: Event) -> str:
        notes = []
        for info in self._prepared():
            proc = same_process(info)
            if proc is None:
                notes.append(f"{info.label()} had already exited")
                continue
            try:
                proc.suspend()
            except psutil.AccessDenied:
                raise FaultError(f"not allowed to send SIGSTOP to {info.label()}") from None
            except psutil.NoSuchProcess:
                notes.append(f"{info.label()} had already exited")
                continue
            wait_until(functools.partial(_stopped, info), timeout=2.0, interval=0.01)
            notes.append(f"stopped {info.label()}")
        return "; ".join(notes)


def _stopped(info: ProcessInfo) -> bool:
    proc = same_process(info)
    try:
        return proc is not None and proc.status() == psutil.STATUS_STOPPED
    except psutil.Error:
        return False


class ProcessRestart(_ProcessFault):
    """End processes (default SIGTERM, SIGKILL after ``exit_timeout``) and start the service
    again with ``restart_command``; revert makes sure it is up."""

    kind: ClassVar[str] = "process-restart"
    Args: ClassVar[type[BaseModel]] = RestartArgs

    def __init__(self, selector: ProcessSelector, restart: RestartSpec,
                 radius: BlastRadius = EVERY, sig: signal.Signals = signal.SIGTERM,
                 exit_timeout: float = 10.0) -> None:
        super().__init__(selector, radius)
        self.restart = restart
        self.signal = sig
        self.exit_timeout = exit_timeout

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> ProcessRestart:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(RestartArgs, args, kind=cls.kind, where=where)
        spec = a.restart_spec()
        assert spec is not None  # the model requires restart_command
        return cls(a.selector(), spec, a.blast_radius(), signal.Signals[a.signal],
                   a.exit_timeout)

    def describe(self) -> str:
        return (f"restart {self._scope()}: {self.signal.name}, then {self.restart.text()!r}; "
                "revert makes sure it is up")

    def prepare(self) -> Revert:
        return self._start_revert(self.restart, self._resolve())

    def inject(self, cancel: Event) -> str:
        notes = _end(self._prepared(), self.signal, self.exit_timeout, cancel)
        up = ensure_up(self.restart, self.selector, self._matched, cancel)
        return "; ".join([*notes, up])


# ---- reverters ---------------------------------------------------------------------------


@reverter(START)
def start_again(params: Mapping[str, JSONValue]) -> str:
    """Run the restart command unless the service is already up; wait until it is."""
    spec = RestartSpec.from_dict(params)
    selector = ProcessSelector.from_dict(params.get("selector") or {})
    return ensure_up(spec, selector, int(params.get("matched") or 1))


@reverter(CONTINUE)
def continue_processes(params: Mapping[str, JSONValue]) -> str:
    """SIGCONT to each recorded process still alive (a no-op for running ones)."""
    notes = []
    for data in params.get("targets") or []:
        info = ProcessInfo.from_dict(data)
        proc = same_process(info)
        if proc is None:
            notes.append(f"{info.label()} has exited")
            continue
        try:
            proc.resume()
        except psutil.NoSuchProcess:
            notes.append(f"{info.label()} has exited")
            continue
        notes.append(f"continued {info.label()}")
    return "; ".join(notes) or "no process to continue"



FAULTS: tuple[type[Fault], ...] = (ProcessKill, ProcessStop, ProcessRestart)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
