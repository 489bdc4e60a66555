"""Blast radius: which targets a fault hits, shared by every fault family.

A fault names its candidates — processes by pid file, name or command line; containers by
name or labels; pods, deployments and nodes by name or label selector; EC2 instances by id or
tags — and then narrows them with a :class:`BlastRadius`: all of them (the default),
``count: N`` of them, or ``percentage: P`` of them (rounded up, at least one), chosen at
random — reproducibly when ``seed`` is given. The choice is made once, in
:meth:`~drillhall.chaos.faults.base.Fault.prepare`, and recorded in the revert.

Processes are matched by :func:`find_processes`, which never returns the calling process or
any of its ancestors, so ``cmdline: python`` cannot take the runner down with its target.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil
from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.errors import FaultError

T = TypeVar("T")


class SelectionArgs(BaseModel):
    """The ``count`` / ``percentage`` / ``seed`` arguments every multi-target fault accepts."""

    model_config = ConfigDict(extra="forbid")

    count: int | None = Field(default=None, ge=1,
                              description="hit at most this many matching targets")
    percentage: float | None = Field(
        default=None, gt=0, le=100,
        description="hit this share of the matching targets (rounded up)")
    seed: int | None = Field(default=None,
                             description="seed for a reproducible random choice")

    @model_validator(mode="after")
    def _one_limit(self) -> SelectionArgs:
        if self.count is not None and self.percentage is not None:
            raise ValueError("give count or percentage, not both")
        return self

    def blast_radius(self) -> BlastRadius:
        """The selection as a domain value."""
        return BlastRadius(self.count, self.percentage, self.seed)


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """How many of the matching targets a fault hits: all (no limit), ``count`` or
    ``percentage`` (rounded up, at least one when anything matched)."""

    count: int | None = None
    percentage: float | None = None
    seed: int | None = None

    def size(self, matching: int) -> int:
        """How many of ``matching`` candidates are hit."""
        if matching <= 0:
            return 0
        if self.count is not None:
            return min(self.count, matching)
        if self.percentage is not None:
            return max(1, min(matching, math.ceil(matching * self.percentage / 100 - 1e-9)))
        return matching

    def choose(self, items: Sequence[T], key: Callable[[T], Any] = str) -> list[T]:
        """Pick the targets: all of ``items``, or a random subset of :meth:`size` items. The
        candidates are sorted by ``key`` first so that a seed gives the same choice whatever
        order a platform lists them in. The result keeps that sorted order."""
        ordered = sorted(items, key=key)
        n = self.size(len(ordered))
        if n >= len(ordered):
            return ordered
        # the choice of targets is not a security decision: a seeded PRNG is what we want
        rng = (random.Random(self.seed) if self.seed is not None  # noqa: S311
               else random.SystemRandom())
        picked = sorted(rng.sample(range(len(ordered)), n))
        return [ordered[i] for i in picked]

    def describe(self) -> str:
        """``all``, ``1`` or ``50%`` — for plans and journals."""
        if self.count is not None:
            return str(self.count)
        if self.percentage is not None:
            return f"{self.percentage:g}%"
        return "all"


EVERY = BlastRadius()
"""No limit: every matching target."""


def matches_labels(labels: Mapping[str, str] | None, selector: Mapping[str, str]) -> bool:
    """Whether every ``key: value`` of ``selector`` is among ``labels`` (tags); a value of
    ``"*"`` only requires the key."""
    have = labels or {}
    return all(k in have and (v == "*" or have[k] == v) for k, v in selector.items())


# ---- processes ---------------------------------------------------------------------------


class ProcessTargetArgs(SelectionArgs):
    """Exactly one of ``pid_file``, ``name`` or ``cmdline`` selects the processes."""

    pid_file: str | None = Field(default=None, description="file holding the pid of the target")
    name: str | None = Field(default=None, min_length=1,
                             description="exact process name, e.g. nginx")
    cmdline: str | None = Field(default=None, min_length=1,
                                description="substring of the full command line")

    @model_validator(mode="after")
    def _one_selector(self) -> ProcessTargetArgs:
        given = [k for k in ("pid_file", "name", "cmdline") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of pid_file, name or cmdline to select the "
                             f"process (got {', '.join(given) or 'none'})")
        return self

    def selector(self) -> ProcessSelector:
        """The selection as a domain value."""
        return ProcessSelector(self.pid_file, self.name, self.cmdline)


@dataclass(frozen=True, slots=True)
class ProcessSelector:
    """Which processes a fault is about; exactly one field is set."""

    pid_file: str | None = None
    name: str | None = None
    cmdline: str | None = None

    def describe(self) -> str:
        if self.pid_file:
            return f"the process in pid file {self.pid_file}"
        if self.name:
            return f"processes named {self.name!r}"
        return f"processes whose command line contains {self.cmdline!r}"

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("pid_file", self.pid_file), ("name", self.name),
                                  ("cmdline", self.cmdline)) if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcessSelector:
        return cls(data.get("pid_file"), data.get("name"), data.get("cmdline"))


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One matched process. ``create_time`` tells it from a later process given the same pid."""

    pid: int
    create_time: float
    name: str
    cmdline: str

    def as_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "create_time": self.create_time, "name": self.name,
                "cmdline": self.cmdline}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcessInfo:
        return cls(int(data["pid"]), float(data["create_time"]), str(data.get("name", "")),
                   str(data.get("cmdline", "")))

    def label(self) -> str:
        return f"pid {self.pid} ({self.name})"


def _protected() -> set[int]:
    """This process and its ancestors: never a target."""
    me = psutil.Process()
    return {me.pid, *(p.pid for p in me.parents())}


def _is_alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _info(proc: psutil.Process) -> ProcessInfo | None:
    try:
        with proc.oneshot():
            if proc.status() == psutil.STATUS_ZOMBIE:
                return None
            try:
                cmdline = " ".join(proc.cmdline())
            except psutil.AccessDenied:  # another user's process: its name is still known
                cmdline = ""
            return ProcessInfo(proc.pid, proc.create_time(), proc.name(), cmdline)
    except psutil.Error:
        return None


def read_pid_file(path: str) -> int | None:
    """The pid written in ``path``, or ``None`` when the file is missing or holds no pid."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    first = text.split()[0] if text else ""
    return int(first) if first.isdigit() else None


def find_processes(selector: ProcessSelector) -> list[ProcessInfo]:
    """Every live process ``selector`` matches, sorted by pid; never this process or its
    ancestors."""
    protected = _protected()
    found: list[ProcessInfo] = []
    if selector.pid_file:
        pid = read_pid_file(selector.pid_file)
        if pid is None or pid in protected:
            return []
        try:
            info = _info(psutil.Process(pid))
        except psutil.Error:
            return []
        return [info] if info else []
    for proc in psutil.process_iter():
        if proc.pid in protected:
            continue
        info = _info(proc)
        if info is None:
            continue
        if (selector.name and info.name == selector.name) or (
                selector.cmdline and selector.cmdline in info.cmdline):
            found.append(info)
    return sorted(found, key=lambda i: i.pid)


def same_process(info: ProcessInfo) -> psutil.Process | None:
    """The live process ``info`` recorded, or ``None`` when it has exited (or its pid now
    belongs to another process)."""
    try:
        proc = psutil.Process(info.pid)
        if abs(proc.create_time() - info.create_time) > 0.01 or not _is_alive(proc):
            return None
        return proc
    except psutil.Error:
        return None


def is_gone(proc: psutil.Process) -> bool:
    """Whether ``proc`` has exited; reaps it when it is a child of this process."""
    try:
        proc.wait(timeout=0)
        return True
    except psutil.TimeoutExpired:
        return not _is_alive(proc)
    except psutil.Error:
        return True


def resolve_processes(selector: ProcessSelector, radius: BlastRadius) -> tuple[
        list[ProcessInfo], int]:
    """The processes a fault hits and how many matched in all; :class:`FaultError` when none
    matches."""
    matching = find_processes(selector)
    if not matching:
        raise FaultError(f"no running process matches: {selector.describe()}")
    return radius.choose(matching, key=lambda i: i.pid), len(matching)
