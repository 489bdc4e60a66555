"""The rules of the chaos drill: what an experiment's findings mean."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

DEVIATION = "DH-CHAOS-DEVIATION"
GATE_FAILED = "DH-CHAOS-GATE-FAILED"
STOP_CONDITION = "DH-CHAOS-STOP-CONDITION"
FAULT_LEFT = "DH-CHAOS-FAULT-LEFT"
NOT_RECOVERED = "DH-CHAOS-NOT-RECOVERED"
ROLLBACK_FAILED = "DH-CHAOS-ROLLBACK-FAILED"
ACTIVITY_FAILED = "DH-CHAOS-ACTIVITY-FAILED"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        DEVIATION, "The system deviated from its steady state under a fault",
        "While the experiment's faults were in place, a steady-state probe went outside its "
        "tolerance: the hypothesis that the system tolerates this failure does not hold. The "
        "journal shows which probe broke, when, and how long detection took.",
        "Treat it as a resilience bug: add the missing timeout, retry, fallback or redundancy, "
        "then run the experiment again until it passes.",
        Severity.HIGH, ("chaos:deviation",)),
    RuleInfo(
        GATE_FAILED, "The steady state did not hold before the experiment",
        "The steady-state probes failed before any fault was injected, so the experiment "
        "refused to start: the system was already unhealthy, or the probes are wrong.",
        "Fix the system or the probe first; an experiment on an unhealthy system teaches "
        "nothing and may hurt.",
        Severity.HIGH, ("chaos:gate",)),
    RuleInfo(
        STOP_CONDITION, "A stop condition ended the experiment",
        "A stop condition (a guard such as an error-rate alarm) tripped while the faults were "
        "in place; the runner pre-empted the running activity and reverted every fault.",
        "Read the journal: the blast radius was larger than planned. Reduce it, or fix what "
        "made the guard trip, before running the experiment again.",
        Severity.HIGH, ("chaos:stop-condition",)),
    RuleInfo(
        FAULT_LEFT, "A fault was not reverted",
        "Reverting an injected fault failed or timed out, so the fault may still be in "
        "place. The journal holds the revert record.",
        "Revert it now with `drillhall chaos recover JOURNAL` (it retries every revert not "
        "recorded as done) or by hand following the journal, and check the system.",
        Severity.CRITICAL, ("chaos:fault-left",)),
    RuleInfo(
        NOT_RECOVERED, "The steady state did not come back after the rollback",
        "After every fault was reverted, the steady-state probes still failed when the "
        "recovery time ran out: the system does not heal by itself from this failure.",
        "Find what stays broken (stuck connections, poisoned caches, a crashed process with "
        "no supervisor) and make recovery automatic.",
        Severity.HIGH, ("chaos:recovery",)),
    RuleInfo(
        ROLLBACK_FAILED, "A rollback action failed",
        "One of the experiment's declared rollback actions failed or timed out.",
        "Check the journal for its error and repair by hand; fix the rollback action.",
        Severity.HIGH, ("chaos:rollback",)),
    RuleInfo(
        ACTIVITY_FAILED, "An activity of the method failed",
        "A probe or action of the method raised, failed or hit its timeout (and was "
        "pre-empted). As in Chaos Toolkit the method went on, but the experiment may not have "
        "tested what it meant to.",
        "Read the activity's error in the journal and fix the experiment.",
        Severity.LOW, ("chaos:activity",)),
)
