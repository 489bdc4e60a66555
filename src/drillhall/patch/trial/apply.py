"""Writing passing upgrades back to the user's project (``--apply``).

Called only after every trial has finished. All new file texts are computed first (so a
declaration that cannot be rewritten stops the apply before any file changes); then each file
is replaced atomically. When the project has a ``uv.lock`` and ``uv`` is available, ``uv lock
--upgrade-package NAME==VERSION`` updates the lock for each upgrade; without uv the lock is
left alone and a note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drillhall.patch.trial.env import run_command
from drillhall.patch.trial.pins import rewritten_files, write_atomic
from drillhall.patch.trial.plan import Candidate

UV_LOCK_TIMEOUT = 300.0


@dataclass
class ApplyReport:
    """What ``--apply`` changed: the files rewritten and notes (a lockfile left alone, a
    failed ``uv lock``)."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def apply_upgrades(root: Path, upgrades: Sequence[Candidate], *,
                   uv: str | None = None) -> ApplyReport:
    """Write ``upgrades`` into the manifests of project ``root`` (see the module docstring)."""
    report = ApplyReport()
    if not upgrades:
        return report
    texts = rewritten_files((dep, c.target) for c in upgrades for dep in c.dependencies)
    for path, text in sorted(texts.items()):
        write_atomic(path, text)
        report.files.append(path)
    lock = root / "uv.lock"
    if lock.is_file():
        if uv is None:
            report.notes.append(f"{lock.name} was not updated: uv is not installed (run "
                                "uv lock to refresh it)")
            return report
        argv = [uv, "lock"]
        for c in upgrades:
            argv += ["--upgrade-package", f"{c.name}=={c.target}"]
        result = run_command(argv, cwd=root, timeout=UV_LOCK_TIMEOUT)
        if result.ok:
            report.files.append(lock)
        else:
            report.notes.append(f"uv lock failed (exit status {result.returncode}); "
                                f"{lock.name} is unchanged: {result.output.strip()[-500:]}")
    return report
