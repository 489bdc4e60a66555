"""What the history store says about earlier evals and about the guard's live traffic.

An eval result records what it compared: an ``eval-key`` journal entry (the target's label and
the golden set's file name) and one ``item`` entry per golden item, a JSON object
``{"id", "passed", "score", "method", "forbidden", "error", "answer"}`` with the answer
redacted. :func:`previous_runs` reads those back for the same key.

The guard proxy stores periodic summary runs under its service name: one result named
``guard`` with the metrics ``guard.requests``, ``guard.refusal_rate`` … and
``guard.answer_vector.0`` … ``.15``. :func:`guard_windows` reads them back, oldest first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from drillhall.core.model import JournalEntry, Status, utcnow
from drillhall.llm.evals.regression import PastRun
from drillhall.llm.evals.runner import ItemResult

if TYPE_CHECKING:
    from drillhall.store import Store

__all__ = ["GUARD_DRILL", "ITEM_EVENT", "KEY_EVENT", "GuardWindow", "guard_windows",
           "item_entry", "open_history", "previous_runs"]

KEY_EVENT = "eval-key"
ITEM_EVENT = "item"
GUARD_DRILL = "guard"
LOOK_BACK = 200
"""Newest stored runs searched for earlier evals of the same key."""


def item_entry(result: ItemResult) -> JournalEntry:
    """The journal entry recording one item's outcome (its answer is already redacted)."""
    doc = {"id": result.id, "passed": result.passed, "score": round(result.score, 4),
           "method": result.method, "forbidden": len(result.forbidden),
           "error": result.error is not None, "refused": result.refused,
           "answer": result.answer,
           "detail": result.detail}
    return JournalEntry(utcnow(), ITEM_EVENT, json.dumps(doc, ensure_ascii=False))


def _outcome(detail: str) -> tuple[str, bool] | None:
    try:
        doc = json.loads(detail)
    except json.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        return None
    if doc.get("error"):
        return None
    return doc["id"], bool(doc.get("passed"))


@contextmanager
def open_history(url: str | None, root: Path, *, create: bool = False
                 ) -> Iterator[Store | None]:
    """The history store (``None`` when it is the default SQLite file and that does not
    exist yet, unless ``create``). Raises :class:`~drillhall.errors.StoreError`."""
    from drillhall.store import Store, resolve_url
    from drillhall.store.engine import DEFAULT_RELATIVE, ENV_VAR

    explicit = (url or "").strip() or os.environ.get(ENV_VAR, "").strip()
    if not explicit and not create and not (root / DEFAULT_RELATIVE).is_file():
        yield None
        return
    with Store.open(resolve_url(url, root), root=root) as store:
        yield store


def previous_runs(store: Store, key: str, *, limit: int = 3, drill: str = "eval"
                  ) -> list[PastRun]:
    """The newest ``limit`` finished eval results with this ``eval-key``, newest first."""
    found: list[PastRun] = []
    for summary in store.runs(limit=LOOK_BACK):
        if len(found) >= limit:
            break
        if drill not in summary.drills:
            continue
        run = store.get(summary.id)
        for result in run.results:
            if (result.drill != drill or result.status not in (Status.PASSED, Status.FAILED)
                    or not any(e.event == KEY_EVENT and e.detail == key
                               for e in result.journal)):
                continue
            outcomes = dict(o for e in result.journal if e.event == ITEM_EVENT
                            if (o := _outcome(e.detail)) is not None)
            if outcomes:
                found.append(PastRun(run.id, run.started, outcomes))
            break
    return found


@dataclass(frozen=True, slots=True)
class GuardWindow:
    """One stored guard summary: its run and its ``guard.*`` metrics."""

    run_id: str
    started: datetime
    metrics: Mapping[str, float]

    def get(self, name: str) -> float | None:
        return self.metrics.get(name)


def guard_windows(store: Store, service: str, count: int) -> list[GuardWindow]:
    """The newest ``count`` guard summaries of ``service``, oldest first."""
    windows: list[GuardWindow] = []
    for summary in store.runs(service=service, limit=max(count * 3, count + 50)):
        if GUARD_DRILL not in summary.drills or "guard.requests" not in summary.metrics:
            continue
        metrics = {k: v for k, v in summary.metrics.items() if k.startswith("guard.")}
        windows.append(GuardWindow(summary.id, summary.started, metrics))
        if len(windows) >= count:
            break
    return windows[::-1]
