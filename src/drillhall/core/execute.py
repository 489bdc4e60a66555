"""One library call from configuration to a judged :class:`~drillhall.core.model.Run`.

The command line and the dashboard both go through :func:`execute`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drillhall.__about__ import __version__
from drillhall.core.config import CONFIG_NAME, Config
from drillhall.core.drill import Drill, Registry
from drillhall.core.model import DrillResult, Run, Severity, Verdict, new_run_id, utcnow
from drillhall.core.policy import Decision, evaluate
from drillhall.core.runner import RunnerOptions, run_drills
from drillhall.errors import ConfigError


@dataclass(frozen=True)
class Plan:
    """The drills a run will execute, built and validated before anything runs."""

    drills: tuple[Drill, ...]
    scope: frozenset[str] | None
    governed: bool = False
    """Whether ``[governance]`` is judged with this run: runs of the configuration
    (``drillhall run``), not one-drill commands such as ``drillhall secrets PATH``."""


def _expand_families(config: Config, registry: Registry, only: Sequence[str]) -> list[str]:
    """``--only`` names drills or whole families (``patch``, ``chaos``, ``llm``, ``ml``): a
    family stands for its configured drills. A drill's own name wins over a family's."""
    out: list[str] = []
    for name in only:
        if name in registry:
            out.append(name)
            continue
        family = [n for n in registry.names() if registry.get(n).family == name]
        members = [n for n in family if n in config.drills]
        if family and not members:
            raise ConfigError(f"{config.source_name}: --only names the {name} family, but none "
                              f"of its drills ({', '.join(family)}) is configured")
        out.extend(members or [name])  # an unknown name falls through to the error below
    return list(dict.fromkeys(out))


def plan_configured(config: Config, registry: Registry, only: Sequence[str] = ()) -> Plan:
    """Build every drill configured in ``[drills.*]`` (or those in ``only``: drill or family
    names), in the registry's order. Bad options fail here, before any drill starts."""
    only = _expand_families(config, registry, only)
    for name in (*config.drills, *only):
        registry.get(name)  # unknown names → ConfigError listing the known ones
    wanted = [n for n in registry.names() if n in config.drills and (not only or n in only)]
    missing = [n for n in only if n not in config.drills]
    if missing:
        raise ConfigError(
            f"{config.source_name}: --only names {', '.join(missing)}, which has no "
            f"[drills.{missing[0]}] table")
    if not wanted:
        raise ConfigError(f"{config.source_name}: no drills configured; add a [drills.NAME] "
                          "table (drillhall init writes an example)")
    drills = tuple(_build(registry, n, config) for n in wanted)
    return Plan(drills, frozenset(only) if only else None, governed=True)


def _build(registry: Registry, name: str, config: Config) -> Drill:
    """Build one configured drill; its errors name the configuration file actually used."""
    try:
        return registry.get(name).build(config.drills[name], config.root)
    except ConfigError as exc:
        text = str(exc)
        if config.source is not None and text.startswith(CONFIG_NAME + ":"):
            raise ConfigError(f"{config.source}{text[len(CONFIG_NAME):]}") from None
        raise


def plan_single(registry: Registry, name: str, options: Mapping[str, Any], root: Path) -> Plan:
    """A plan of one drill built from command-line options."""
    return Plan((registry.get(name).build(options, root),), frozenset({name}))


def check_policy_names(config: Config, registry: Registry) -> None:
    """A drill named in ``[policy]`` that drillhall does not know is a typo: fail loudly
    instead of silently not judging it."""
    named = [*config.policy.required, *(n for n in config.policy.max_severity if n != "*")]
    for name in named:
        if name not in registry:
            known = ", ".join(registry.names())
            raise ConfigError(f"{config.source_name}: [policy] names unknown drill {name!r} "
                              f"(known drills: {known})")


StoredEvidence = Callable[[str, frozenset[str]], Mapping[str, tuple[str, DrillResult]]]
"""``(service, drills) → {drill: (run id, newest stored result)}``, e.g.
:meth:`drillhall.store.Store.latest_results`."""

EVIDENCE_DRILLS = frozenset({"data", "secrets", "redteam", "endpoint", "guard", "eval"})
"""Drills whose results governance checks read."""


def _with_governance(config: Config, results: tuple[DrillResult, ...],
                     stored: StoredEvidence | None) -> tuple[DrillResult, ...]:
    from drillhall.governance.checks import EvidenceItem
    from drillhall.governance.result import governance_result, newest_results

    assert config.governance is not None
    evidence = newest_results(results)
    missing = EVIDENCE_DRILLS - set(evidence)
    if stored is not None and missing:
        for drill, (run_id, result) in stored(config.service.name, frozenset(missing)).items():
            evidence[drill] = EvidenceItem(result, run_id)
    source = config.source.name if config.source else CONFIG_NAME
    return (*results, governance_result(config.governance, evidence, config.drills,
                                        source=source))


def execute(config: Config, plan: Plan, *, runner: RunnerOptions | None = None,
            fail_on: Severity | str | None = "policy", strict: bool = False,
            registry: Registry | None = None, evidence: StoredEvidence | None = None) -> Run:
    """Run the plan and judge it with the configuration's policy and governance.

    ``fail_on`` overrides the policy's threshold (``None`` disables it; the string
    ``"policy"`` keeps the policy's own). ``strict`` makes skipped drills break the policy.
    With a ``[governance]`` table and a plan of the configuration (``plan.governed``), a
    ``governance`` result judging the decisions is added: from this run's results and, for
    drills the run did not include, from ``evidence``.
    """
    check_policy_names(config, registry or Registry.default())
    policy = config.policy
    if fail_on != "policy":
        policy = policy.model_copy(update={"fail_on": fail_on})
    if strict:
        policy = policy.model_copy(update={"allow_skipped": False})
    runner = runner or RunnerOptions()
    if runner.timeout is None:
        runner = replace(runner, timeout=config.run.timeout)
    started = utcnow()
    results = run_drills(plan.drills, config.root, runner)
    # a dry run produces no evidence, so there is nothing to judge
    if runner.dry_run:
        decision = Decision(Verdict.NONE, ())
    else:
        governed = plan.governed and config.governance is not None
        if governed:
            results = _with_governance(config, results, evidence)
        decision = evaluate(policy, results, plan.scope)
        if governed:
            from drillhall.governance.result import governance_violations

            broken = governance_violations(results[-1])
            if broken:
                decision = Decision(Verdict.FAILED, (*decision.violations, *broken))
    return Run(
        id=new_run_id(started),
        service=config.service.name,
        started=started,
        finished=utcnow(),
        results=results,
        verdict=decision.verdict,
        violations=decision.violations,
        drillhall_version=__version__,
    )
