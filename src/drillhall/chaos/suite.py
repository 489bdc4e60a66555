"""Several chaos experiments as one drill: ``experiments = [...]`` in ``[drills.chaos]``.

The experiments run one after another, each with its own journal and guaranteed rollback; a
cancelled run (Ctrl-C, SIGTERM, timeout) starts no further experiment. The combined result
keeps every experiment's findings and journal (each introduced by an ``experiment`` entry
naming its file) and sums or maximises the metrics so that a policy reads them as for one
experiment: ``chaos.deviated`` is 1 when any experiment deviated, ``chaos.faults_left`` counts
the faults left by all of them, the timings are the worst. ``chaos.experiments`` and
``chaos.experiments_held`` say how many ran and held.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillhall.chaos.drill import ChaosDrill
from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Metric, Status, utcnow

_WORST = (Status.ERROR, Status.INTERRUPTED, Status.FAILED, Status.PASSED, Status.SKIPPED)
_SUMMED = frozenset({"chaos.faults_injected", "chaos.faults_left", "chaos.activities_failed",
                     "chaos.duration_seconds"})


class ChaosSuite:
    """Run several :class:`ChaosDrill` experiments in order (see the module docstring)."""

    name = "chaos"

    def __init__(self, drills: Sequence[ChaosDrill]) -> None:
        self.drills = tuple(drills)
        # the core runner waits this long for reverts after Ctrl-C, SIGTERM or a timeout
        self.cleanup_grace = max(d.cleanup_grace for d in self.drills)

    def run(self, ctx: DrillContext) -> DrillResult:
        results: list[DrillResult] = []
        for index, drill in enumerate(self.drills):
            if ctx.cancelled():
                break
            ctx.progress(f"experiment {index + 1} of {len(self.drills)}: "
                         f"{drill.experiment.title}", index / len(self.drills))
            results.append(drill.run(ctx))
        return combine(results, planned=len(self.drills))


def combine(results: Sequence[DrillResult], *, planned: int) -> DrillResult:
    """One drill result from the experiments' results (see the module docstring)."""
    statuses = {r.status for r in results}
    status = next((s for s in _WORST if s in statuses), Status.SKIPPED)
    if len(results) < planned and status is not Status.ERROR:
        status = Status.INTERRUPTED
    values: dict[str, float] = {}
    units: dict[str, str] = {}
    for r in results:
        for m in r.metrics:
            units[m.name] = m.unit
            if m.name in _SUMMED:
                values[m.name] = values.get(m.name, 0.0) + m.value
            else:
                values[m.name] = max(values.get(m.name, m.value), m.value)
    metrics = [Metric(n, round(v, 4), units[n]) for n, v in values.items()]
    metrics += [Metric("chaos.experiments", len(results)),
                Metric("chaos.experiments_held",
                       sum(1 for r in results if r.status is Status.PASSED))]
    why = "; ".join(str(r.reason or r.diagnostics) for r in results
                    if r.status is not Status.PASSED and (r.reason or r.diagnostics)) or None
    if len(results) < planned and why is None:
        why = f"{planned - len(results)} of {planned} experiments did not start"
    first = results[0].started if results else utcnow()
    return DrillResult(
        "chaos", status,
        findings=tuple(f for r in results for f in r.findings),
        metrics=tuple(metrics),
        journal=tuple(j for r in results for j in r.journal),
        started=first, finished=utcnow(),
        reason=why if status is not Status.ERROR else None,
        diagnostics=why if status is Status.ERROR else None,
    )
