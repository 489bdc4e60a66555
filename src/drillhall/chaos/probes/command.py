"""Chaos Toolkit's ``process`` provider: run a command; its exit status is the verdict.

Output: ``{"status": exit code, "stdout": text, "stderr": text}``. The command runs in its own
process group, which is killed (SIGTERM, then SIGKILL) when the activity is pre-empted.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Event

from drillhall.chaos.probes.base import Observation, ProbeError, Provider

OUTPUT_LIMIT = 64_000
"""Characters of stdout/stderr kept for the journal."""


def command_line(path: str, arguments: str | list[str] | Mapping[str, object] | None
                 ) -> list[str]:
    """The argv Chaos Toolkit would build: a list as is, a string split like a shell, a
    mapping as ``--key value`` pairs."""
    argv = [path]
    if isinstance(arguments, str):
        argv += shlex.split(arguments)
    elif isinstance(arguments, list):
        argv += [str(a) for a in arguments]
    elif isinstance(arguments, Mapping):
        for key, value in arguments.items():
            argv.append(str(key) if str(key).startswith("-") else f"--{key}")
            if value not in (None, "", True):
                argv.append(str(value))
    return argv


def kill_group(proc: subprocess.Popen[bytes], grace: float = 0.2) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it started."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class CommandProvider(Provider):
    """Run ``argv``; ``ok`` when it exits 0."""

    kind = "process"
    argv: tuple[str, ...]
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None

    def describe(self) -> str:
        return "run " + shlex.join(self.argv)

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        limit = self.timeout if self.timeout is not None else timeout
        env = {**os.environ, **self.env} if self.env else None
        try:
            proc = subprocess.Popen(list(self.argv), cwd=self.cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise ProbeError(f"cannot run {self.argv[0]!r}: {exc.strerror or exc}") from None
        deadline = None if limit is None else time.monotonic() + limit
        try:
            while True:
                try:
                    out, err = proc.communicate(timeout=0.02)
                    break
                except subprocess.TimeoutExpired:
                    if cancel.is_set():
                        kill_group(proc)
                        return Observation(None, False, "pre-empted: the command was killed")
                    if deadline is not None and time.monotonic() >= deadline:
                        kill_group(proc)
                        return Observation(None, False, f"the command did not finish within "
                                           f"{limit:g} s and was killed")
        finally:
            kill_group(proc)
        output = {"status": proc.returncode,
                  "stdout": out.decode("utf-8", "replace")[:OUTPUT_LIMIT],
                  "stderr": err.decode("utf-8", "replace")[:OUTPUT_LIMIT]}
        return Observation(output, proc.returncode == 0,
                           detail=f"exit status {proc.returncode}")
