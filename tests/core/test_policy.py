from __future__ import annotations

from drillhall.core.config import MetricBound, PolicySection
from drillhall.core.model import DrillResult, Finding, Metric, Severity, Status, Verdict
from drillhall.core.policy import evaluate


def result(name: str = "secrets", *sevs: Severity, status: Status = Status.FAILED,
           metrics: tuple[Metric, ...] = ()) -> DrillResult:
    findings = tuple(Finding(f"DH-T-{i}", "t", s) for i, s in enumerate(sevs))
    return DrillResult(name, status if findings or status is not Status.FAILED
                       else Status.PASSED, findings, metrics)


def test_fail_on_threshold() -> None:
    policy = PolicySection(fail_on=Severity.HIGH)
    assert evaluate(policy, [result("secrets", Severity.MEDIUM)]).verdict is Verdict.PASSED
    decision = evaluate(policy, [result("secrets", Severity.CRITICAL)])
    assert decision.verdict is Verdict.FAILED
    assert decision.violations[0].rule == "fail-on"


def test_nothing_to_judge_is_none() -> None:
    assert evaluate(PolicySection(fail_on=None), [result()]).verdict is Verdict.NONE


def test_max_severity_per_drill_and_star() -> None:
    policy = PolicySection(fail_on=None, max_severity={"*": Severity.MEDIUM})
    d = evaluate(policy, [result("a", Severity.LOW), result("b", Severity.HIGH)])
    assert [v.drill for v in d.violations] == ["b"]
    assert "worst: high" in d.violations[0].message


def test_metric_bounds_and_missing_metric_fails_closed() -> None:
    policy = PolicySection(fail_on=None, metrics={
        "secrets.findings": MetricBound(max=0), "secrets.coverage": MetricBound(min=0.5),
        "llm.asr": MetricBound(max=0.05)})
    r = result(metrics=(Metric("secrets.findings", 2), Metric("secrets.coverage", 0.9)))
    rules = {v.rule for v in evaluate(policy, [r]).violations}
    assert rules == {"metric-max", "metric-missing"}
    scoped = evaluate(policy, [r], scope=frozenset({"secrets"}))
    assert {v.rule for v in scoped.violations} == {"metric-max"}


def test_required_error_and_strict_skips() -> None:
    policy = PolicySection(fail_on=None, required=["secrets", "patch"], allow_skipped=False)
    d = evaluate(policy, [
        DrillResult("secrets", Status.ERROR, diagnostics="boom"),
        DrillResult("chaos", Status.SKIPPED, reason="no experiments"),
    ])
    rules = sorted(v.rule for v in d.violations)
    assert rules == ["drill-error", "drill-skipped", "required", "required"]
