"""The policy gate: applies ``[policy]`` of drillhall.toml to a run's results.

Rules, each producing a :class:`~drillhall.core.model.PolicyViolation` when broken:

* ``fail_on``: no finding at or above this severity (``--fail-on`` overrides; ``none`` disables);
* ``max_severity``: per drill, the highest severity allowed (``"*"`` applies to every drill);
* ``metrics``: bounds on metrics (``"secrets.findings" = 0`` means at most 0); a bound on a
  metric that no drill measured is itself a violation (fail closed);
* ``required``: drills that must have run and finished (passed or failed);
* any drill that ended in ``error`` or ``interrupted`` breaks the policy, and so does a skip
  when ``allow_skipped = false`` (the CLI's ``--strict``).

The verdict is ``none`` only when there is nothing to judge: no threshold and no rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drillhall.core.config import PolicySection
from drillhall.core.model import DrillResult, PolicyViolation, Status, Verdict


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    violations: tuple[PolicyViolation, ...]


def _fmt(value: float) -> str:
    return f"{value:g}"


def evaluate(policy: PolicySection, results: Sequence[DrillResult],
             scope: frozenset[str] | None = None) -> Decision:
    """Judge ``results`` against ``policy``.

    ``scope`` names the drills a partial run was asked for (``drillhall secrets PATH``,
    ``drillhall run --only``): required drills and metric bounds outside it are not judged.
    A metric measured in the run is always judged; one not measured is judged only when the
    drill named by its prefix (``secrets.findings`` → ``secrets``) is in scope.
    """
    violations: list[PolicyViolation] = []
    by_name = {r.drill: r for r in results}

    for r in results:
        if r.status is Status.ERROR:
            violations.append(PolicyViolation(
                "drill-error", f"drill {r.drill!r} ended in error: {r.diagnostics or 'unknown'}",
                r.drill))
        elif r.status is Status.INTERRUPTED:
            violations.append(PolicyViolation(
                "drill-interrupted", f"drill {r.drill!r} was interrupted", r.drill))
        elif r.status is Status.SKIPPED and not policy.allow_skipped:
            violations.append(PolicyViolation(
                "drill-skipped", f"drill {r.drill!r} was skipped ({r.reason or 'no reason'})",
                r.drill))

    if policy.fail_on is not None:
        for r in results:
            worst = [f for f in r.findings if f.severity.at_least(policy.fail_on)]
            if worst:
                violations.append(PolicyViolation(
                    "fail-on",
                    f"drill {r.drill!r} has {len(worst)} finding(s) at or above "
                    f"{policy.fail_on.value}",
                    r.drill))

    for drill, allowed in policy.max_severity.items():
        targets = results if drill == "*" else [by_name[drill]] if drill in by_name else []
        for r in targets:
            over = [f for f in r.findings if f.severity.rank > allowed.rank]
            if over:
                top = max((f.severity for f in over), key=lambda s: s.rank)
                violations.append(PolicyViolation(
                    "max-severity",
                    f"drill {r.drill!r} has {len(over)} finding(s) above {allowed.value} "
                    f"(worst: {top.value})",
                    r.drill))

    measured = {m.name: (m.value, r.drill) for r in results for m in r.metrics}
    for name, bound in policy.metrics.items():
        if scope is not None and name not in measured and name.split(".", 1)[0] not in scope:
            continue
        if name not in measured:
            violations.append(PolicyViolation(
                "metric-missing", f"metric {name!r} has a bound but was not measured"))
            continue
        value, drill = measured[name]
        if bound.max is not None and value > bound.max:
            violations.append(PolicyViolation(
                "metric-max", f"metric {name!r} is {_fmt(value)}, above its maximum "
                f"{_fmt(bound.max)}", drill))
        if bound.min is not None and value < bound.min:
            violations.append(PolicyViolation(
                "metric-min", f"metric {name!r} is {_fmt(value)}, below its minimum "
                f"{_fmt(bound.min)}", drill))

    for drill in policy.required:
        if scope is not None and drill not in scope:
            continue
        found = by_name.get(drill)
        if found is None:
            violations.append(PolicyViolation(
                "required", f"required drill {drill!r} did not run", drill))
        elif found.status not in (Status.PASSED, Status.FAILED):
            violations.append(PolicyViolation(
                "required", f"required drill {drill!r} did not finish ({found.status.value})",
                drill))

    judged = bool(policy.fail_on is not None or policy.max_severity or policy.metrics
                  or policy.required or violations)
    if violations:
        return Decision(Verdict.FAILED, tuple(violations))
    return Decision(Verdict.PASSED if judged else Verdict.NONE, ())

