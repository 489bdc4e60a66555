"""The previous stored red-team run of the same target, read from the history store.

A red-team result names its target in a ``target`` journal entry (host and model, never a
key); successful attacks are its findings (``location.symbol`` is the attack id) and the OWASP
ids it tested are its ``llm.asr.*`` metrics. Only finished runs (passed or failed) count.
"""

from __future__ import annotations

import os
from pathlib import Path

from drillhall.core.model import DrillResult, Status
from drillhall.llm.redteam.results import Baseline

TARGET_EVENT = "target"
LOOK_BACK = 30


def _matches(result: DrillResult, drill: str, target: str) -> bool:
    return (result.drill == drill and result.status in (Status.PASSED, Status.FAILED)
            and any(e.event == TARGET_EVENT and e.detail == target for e in result.journal))


def baseline_of(result: DrillResult, run_id: str) -> Baseline:
    """What a stored red-team result says about its attacks."""
    return Baseline(
        run_id=run_id,
        succeeded=frozenset(f.location.symbol for f in result.findings if f.location.symbol),
        tested_owasp=frozenset(m.name.removeprefix("llm.asr.") for m in result.metrics
                               if m.name.startswith("llm.asr.")))


def previous_run(url: str | None, root: Path, target: str, *, drill: str = "redteam"
                 ) -> Baseline | None:
    """The newest stored finished red-team run of ``target``, or ``None``. The default SQLite
    store is not created when it does not exist yet. Raises
    :class:`~drillhall.errors.StoreError` when the store cannot be read."""
    from drillhall.store import Store, resolve_url
    from drillhall.store.engine import DEFAULT_RELATIVE, ENV_VAR

    explicit = (url or "").strip() or os.environ.get(ENV_VAR, "").strip()
    if not explicit and not (root / DEFAULT_RELATIVE).is_file():
        return None
    with Store.open(resolve_url(url, root), root=root) as store:
        for summary in store.runs(limit=LOOK_BACK):
            if drill not in summary.drills:
                continue
            run = store.get(summary.id)
            for result in run.results:
                if _matches(result, drill, target):
                    return baseline_of(result, run.id)
    return None
