"""``drillhall chaos recover JOURNAL``: revert what a dead runner left behind.

The runner writes each fault's revert record to the journal before injecting the fault, and
a ``revert-end`` event with ``status: ok`` once it is reverted. :func:`recover` reads the
journal, finds every revert registered but not recorded as done, registers the reverters
(the built-in ones and those of the fault modules the journal names, imported in this
process), runs each (last registered first) and appends what happened to the same journal —
so running it twice does nothing the second time.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from drillhall.chaos.faultref import load_reverters
from drillhall.chaos.faults.base import Revert, run_revert
from drillhall.chaos.journal import Journal, PendingRevert, pending_reverts, read_journal
from drillhall.chaos.preempt import run_preemptible
from drillhall.chaos.probes.process import pid_alive
from drillhall.errors import ConfigError


@dataclass(frozen=True, slots=True)
class RevertResult:
    """One revert run by ``recover``."""

    id: str
    description: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class RecoverReport:
    """What ``recover`` found and did."""

    journal: Path
    pending: tuple[PendingRevert, ...]
    results: tuple[RevertResult, ...] = ()

    @property
    def faults_left(self) -> int:
        """Reverts still not done (all pending ones on a dry run)."""
        if not self.results:
            return len(self.pending)
        return sum(1 for r in self.results if not r.ok)


def _runner_alive(records: list[dict[str, object]]) -> int | None:
    """The pid of the runner that wrote the journal when it still runs and has not ended."""
    starts = [i for i, r in enumerate(records) if r.get("event") == "experiment-start"]
    last = records[starts[-1]:] if starts else records  # a journal may hold several runs
    if any(r.get("event") == "experiment-end" for r in last):
        return None
    pid = last[0].get("pid") if last else None
    if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid):
        return pid
    return None


def _run(record: Revert, cancel: threading.Event) -> str:
    return run_revert(record)


def recover(path: Path, *, dry_run: bool = False, force: bool = False,
            timeout: float = 120.0) -> RecoverReport:
    """Run every revert of the journal at ``path`` that is not recorded as done."""
    records = read_journal(path)
    pending = tuple(pending_reverts(records))
    if dry_run or not pending:
        return RecoverReport(path, pending)
    alive = _runner_alive(records)
    if alive is not None and not force:
        raise ConfigError(f"{path}: the runner that writes this journal (pid {alive}) is "
                          "still running; stop it first, or pass --force")
    missing = load_reverters(p.module for p in pending if p.module)
    results = []
    with Journal(path) as journal:
        journal.best_effort = True  # a full disk must not stop the reverts
        journal.event("recover-start", pid=os.getpid(), pending=[p.id for p in pending],
                      modules_not_imported=missing)
        for item in pending:
            description = item.revert.description or item.fault or item.revert.kind
            journal.event("revert-start", id=item.id, description=description, by="recover")
            out = run_preemptible(functools.partial(_run, item.revert), timeout=timeout,
                                  name=f"recover-{item.id}", shield=True)
            if out.ending == "done":
                detail = str(out.value or "")
                journal.event("revert-end", id=item.id, status="ok", output=detail,
                              by="recover", seconds=round(out.seconds, 4))
                results.append(RevertResult(item.id, description, True, detail))
                continue
            if out.error is not None:
                diagnostics = getattr(out.error, "diagnostics", None)
                detail = str(diagnostics()) if callable(diagnostics) else str(out.error)
            else:
                detail = out.reason
            journal.event("revert-end", id=item.id, status="failed", error=detail,
                          by="recover", seconds=round(out.seconds, 4))
            results.append(RevertResult(item.id, description, False, detail))
        journal.event("recover-end", faults_left=sum(1 for r in results if not r.ok))
    return RecoverReport(path, pending, tuple(results))
