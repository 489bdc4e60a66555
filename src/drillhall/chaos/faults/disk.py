"""``disk-fill``: fill the filesystem holding a directory with a ballast file.

The ballast is a file named ``.drillhall-ballast-<id>.bin`` in the given directory, sized so
that the filesystem reaches ``percent`` use (as ``df`` counts it: used / (used + available))
or grows by ``size_mb``. It is allocated with ``posix_fallocate`` where the filesystem
supports it, else written in chunks (checking for cancellation between them). It never leaves
less than ``min_free_mb`` available: a larger request is capped and the output says so.
The path ``/`` itself is refused unless ``allow_root: true``.

The ballast's path is chosen in :meth:`DiskFill.prepare` and recorded in the revert, which
deletes it — also from a fresh process (``drillhall chaos recover``).
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.chaos.faults.base import Fault, JSONValue, Revert, reverter
from drillhall.chaos.faults.support import config_error, parse_args
from drillhall.errors import FaultError

REMOVE_BALLAST = "disk.remove-ballast"
MB = 1024 * 1024
CHUNK = 4 * MB
BALLAST_PREFIX = ".drillhall-ballast-"


class DiskFillArgs(BaseModel):
    """Arguments of ``disk-fill``: ``path`` and exactly one of ``percent`` or ``size_mb``."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, description="directory on the filesystem to fill; the "
                                                "ballast file is written here")
    percent: float | None = Field(default=None, gt=0, lt=100,
                                  description="fill until the filesystem is this full")
    size_mb: float | None = Field(default=None, gt=0, description="write this many MB")
    min_free_mb: float = Field(default=100.0, ge=0,
                               description="never leave less than this available")
    allow_root: bool = Field(default=False, description="allow path '/' itself")

    @model_validator(mode="after")
    def _one_amount(self) -> DiskFillArgs:
        if (self.percent is None) == (self.size_mb is None):
            raise ValueError("give exactly one of percent or size_mb")
        return self


@dataclass(frozen=True, slots=True)
class FillPlan:
    """How big the ballast is and why. Percentages are of used + available, like ``df``."""

    ballast_bytes: int
    before_percent: float
    after_percent: float
    capped: bool
    reason: str = ""


def plan_fill(total: int, used: int, free: int, *, percent: float | None = None,
              size_mb: float | None = None, min_free_mb: float = 100.0) -> FillPlan:
    """Size the ballast for a filesystem with ``used`` and ``free`` bytes (``total`` is only
    reported by ``shutil.disk_usage``; root-reserved blocks count as neither)."""
    capacity = max(1, used + free)
    before = 100.0 * used / capacity
    if percent is not None:
        wanted = int(capacity * percent / 100.0) - used
        if wanted <= 0:
            return FillPlan(0, before, before, False,
                            f"the filesystem is already {before:.1f}% full")
    else:
        wanted = int((size_mb or 0.0) * MB)
    room = free - int(min_free_mb * MB)
    capped = wanted > room
    size = max(0, min(wanted, room))
    after = 100.0 * (used + size) / capacity
    reason = (f"capped to keep {min_free_mb:g} MB available" if capped else "")
    return FillPlan(size, before, after, capped, reason)


def _allocate(fd: int, size: int, cancel: Event) -> None:
    try:
        os.posix_fallocate(fd, 0, size)
        return
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
    block = b"\0" * CHUNK
    written = 0
    while written < size:
        if cancel.is_set():
            raise FaultError("filling the disk was cancelled before the ballast was complete")
        written += os.write(fd, block[: min(CHUNK, size - written)])
    os.fsync(fd)


class DiskFill(Fault):
    """Fill a directory's filesystem to ``percent`` or by ``size_mb`` with a ballast file;
    revert deletes the ballast."""

    kind: ClassVar[str] = "disk-fill"
    Args: ClassVar[type[BaseModel]] = DiskFillArgs

    def __init__(self, path: Path, *, percent: float | None = None,
                 size_mb: float | None = None, min_free_mb: float = 100.0) -> None:
        self.path = path
        self.percent = percent
        self.size_mb = size_mb
        self.min_free_mb = min_free_mb
        self._ballast: Path | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, where: str = "") -> DiskFill:
        """Build from experiment arguments (:class:`ConfigError` names ``where``)."""
        a = parse_args(DiskFillArgs, args, kind=cls.kind, where=where)
        path = Path(a.path).expanduser().absolute()
        if Path(os.path.normpath(path)) == Path(path.anchor) and not a.allow_root:
            raise config_error(cls.kind, where, f"key 'path': refusing to fill {a.path!r} "
                                                "(the root directory); set allow_root: true "
                                                "to allow it")
        return cls(path, percent=a.percent, size_mb=a.size_mb, min_free_mb=a.min_free_mb)

    def describe(self) -> str:
        amount = (f"to {self.percent:g}% full" if self.percent is not None
                  else f"by {self.size_mb:g} MB")
        return (f"fill the filesystem holding {self.path} {amount} with a ballast file "
                f"(keeping {self.min_free_mb:g} MB free); revert deletes it")

    def prepare(self) -> Revert:
        if not self.path.is_dir():
            raise FaultError(f"disk-fill: {self.path} is not an existing directory")
        self._ballast = self.path / f"{BALLAST_PREFIX}{uuid.uuid4().hex[:12]}.bin"
        return Revert(REMOVE_BALLAST, {"ballast": str(self._ballast)},
                      f"delete the ballast file {self._ballast}")

    def inject(self, cancel: Event) -> str:
        ballast = self._ballast
        if ballast is None:
            raise FaultError("disk-fill: prepare() must run before inject()")
        usage = shutil.disk_usage(self.path)
        plan = plan_fill(usage.total, usage.used, usage.free, percent=self.percent,
                         size_mb=self.size_mb, min_free_mb=self.min_free_mb)
        if plan.ballast_bytes <= 0:
            if plan.capped:
                raise FaultError(f"disk-fill: the filesystem holding {self.path} has no room "
                                 f"above the {self.min_free_mb:g} MB safety margin")
            return f"nothing written: {plan.reason}"
        if cancel.is_set():
            raise FaultError("disk-fill was cancelled before it started")
        try:
            fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise FaultError(f"disk-fill: cannot create {ballast}: {exc.strerror}") from None
        try:
            _allocate(fd, plan.ballast_bytes, cancel)
        except OSError as exc:
            os.close(fd)
            ballast.unlink(missing_ok=True)
            raise FaultError(f"disk-fill: writing {ballast} failed: {exc.strerror}") from None
        except FaultError:
            os.close(fd)
            ballast.unlink(missing_ok=True)
            raise
        os.close(fd)
        note = f" ({plan.reason})" if plan.reason else ""
        return (f"wrote {plan.ballast_bytes / MB:.1f} MB ballast {ballast.name}{note}; "
                f"filesystem {plan.before_percent:.1f}% -> {plan.after_percent:.1f}% full")


@reverter(REMOVE_BALLAST)
def remove_ballast(params: Mapping[str, JSONValue]) -> str:
    """Delete the ballast file; a missing one counts as reverted."""
    ballast = Path(str(params["ballast"]))
    if not ballast.name.startswith(BALLAST_PREFIX):
        raise FaultError(f"refusing to delete {ballast}: not a drillhall ballast file")
    try:
        size = ballast.stat().st_size
        ballast.unlink()
    except FileNotFoundError:
        return f"ballast {ballast.name} was already gone"
    return f"deleted ballast {ballast.name} ({size / MB:.1f} MB)"


FAULTS: tuple[type[Fault], ...] = (DiskFill,)
"""The fault kinds of this module (collected by :mod:`drillhall.chaos.faults.registry`)."""
