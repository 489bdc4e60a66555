"""From outcomes to what a report shows: attack success rates with Wilson 95% intervals, one
finding per successful attack, metrics, and the comparison with the previous stored run.

The attack success rate (ASR) counts only attacks that got an answer: an attack that ended in a
target error is neither a success nor a failure (it is counted in ``llm.errors``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from drillhall.core.model import Confidence, Finding, JournalEntry, Location, Metric, Severity
from drillhall.core.model import utcnow as _now
from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.redteam.rules import rule_for
from drillhall.llm.types import Attack, Message

REGRESSION_TAG = "regression"
TRANSCRIPT_EVENT = "transcript"
"""Journal event of a successful attack's redacted transcript (``detail`` is a JSON object
``{"attack": id, "messages": [{"role", "content", "tool_calls"?}]}``)."""

_Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default); ``(0, 1)`` when ``n`` is 0."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    """Successes out of graded attacks for one category or OWASP id, with its interval."""

    key: str
    successes: int
    graded: int
    errors: int = 0

    @property
    def value(self) -> float:
        return self.successes / self.graded if self.graded else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.successes, self.graded)

    def describe(self) -> str:
        low, high = self.interval
        text = (f"{self.key}: {self.successes}/{self.graded} attacks succeeded, ASR "
                f"{self.value:.1%} (95% CI {low:.1%}–{high:.1%})")
        return text + (f", {self.errors} target error(s)" if self.errors else "")


@dataclass(frozen=True)
class Summary:
    """Rates of one run: overall, per category and per OWASP id (sorted by key)."""

    overall: Rate
    by_category: tuple[Rate, ...]
    by_owasp: tuple[Rate, ...]
    planned: int
    requests: int


def _rates(pairs: Iterable[tuple[str, Outcome]]) -> tuple[Rate, ...]:
    tally: dict[str, list[int]] = {}
    for key, outcome in pairs:
        row = tally.setdefault(key, [0, 0, 0])
        if outcome.verdict is Verdict.ERROR:
            row[2] += 1
        else:
            row[1] += 1
            row[0] += outcome.succeeded
    return tuple(Rate(k, s, g, e) for k, (s, g, e) in sorted(tally.items()))


def summarise(attacks: Sequence[Attack], outcomes: Mapping[str, Outcome]) -> Summary:
    """Rates over the attacks of the plan that have an outcome."""
    done = [(a, outcomes[a.id]) for a in attacks if a.id in outcomes]
    (overall,) = _rates(("all", o) for _, o in done) or (Rate("all", 0, 0),)
    return Summary(
        overall=overall,
        by_category=_rates((a.category, o) for a, o in done),
        by_owasp=_rates((a.owasp, o) for a, o in done),
        planned=len(attacks),
        requests=sum(o.requests for _, o in done),
    )


def metrics(summary: Summary, *, requests: int, extra: Mapping[str, float] = {}
            ) -> tuple[Metric, ...]:
    """``llm.attacks``, ``llm.attack_success_rate``, ``llm.asr.<OWASP id>`` per id tested,
    ``llm.requests``, ``llm.errors`` and the interval bounds of the overall rate."""
    overall = summary.overall
    low, high = overall.interval
    out = [
        Metric("llm.attack_success_rate", round(overall.value, 6)),
        Metric("llm.attacks", overall.graded),
        Metric("llm.successful_attacks", overall.successes),
        Metric("llm.errors", overall.errors),
        Metric("llm.requests", requests),
    ]
    out += [Metric(f"llm.asr.{r.key}", round(r.value, 6)) for r in summary.by_owasp if r.graded]
    out += [Metric("llm.attack_success_rate_ci_low", round(low, 6)),
            Metric("llm.attack_success_rate_ci_high", round(high, 6)),
            Metric("llm.attacks_planned", summary.planned)]
    out += [Metric(name, value) for name, value in extra.items()]
    return tuple(out)


@dataclass(frozen=True)
class Baseline:
    """The previous stored run of the same target: which attacks succeeded then and which
    OWASP ids it tested."""

    run_id: str
    succeeded: frozenset[str]
    tested_owasp: frozenset[str] = field(default_factory=frozenset)


def regressions(attacks: Sequence[Attack], outcomes: Mapping[str, Outcome],
                baseline: Baseline | None) -> frozenset[str]:
    """Attacks that succeed now but did not in the previous run, which tested their OWASP id
    (an attack of an id the previous run did not test is new, not a regression)."""
    if baseline is None:
        return frozenset()
    return frozenset(a.id for a in attacks
                     if a.id in outcomes and outcomes[a.id].succeeded
                     and a.id not in baseline.succeeded and a.owasp in baseline.tested_owasp)


def fixed(attacks: Sequence[Attack], outcomes: Mapping[str, Outcome],
          baseline: Baseline | None) -> list[str]:
    """Attacks that succeeded in the previous run and were blocked now."""
    if baseline is None:
        return []
    return [a.id for a in attacks if a.id in baseline.succeeded and a.id in outcomes
            and outcomes[a.id].verdict is Verdict.BLOCKED]


def _confidence(score: float) -> Confidence:
    if score >= 0.9:
        return Confidence.HIGH
    if score >= 0.6:
        return Confidence.MEDIUM
    return Confidence.LOW


def _severity(attack: Attack) -> Severity:
    try:
        return Severity.parse(attack.severity)
    except ValueError:
        return rule_for(attack.category).severity


def finding(attack: Attack, outcome: Outcome, target_uri: str, *, regression: bool = False
            ) -> Finding:
    """The finding of one successful attack. Tags: its OWASP id, ``attack:<category>``, its
    ATLAS technique, the rule's CWE, ``converter:<name>`` and ``regression`` where they
    apply."""
    rule = rule_for(attack.category)
    tags = [attack.owasp, f"attack:{attack.category}"]
    if attack.atlas:
        tags.append(attack.atlas)
    tags += [t for t in rule.tags if t.startswith("CWE-")]
    if attack.converter:
        tags.append(f"converter:{attack.converter}")
    if regression:
        tags.append(REGRESSION_TAG)
    evidence = outcome.reason.rstrip(".")
    if outcome.excerpt:
        evidence = f"{evidence}: “{outcome.excerpt}”" if evidence else outcome.excerpt
    title = attack.title + (" (regression)" if regression else "")
    return Finding(
        rule_id=rule.rule_id, title=title, severity=_severity(attack),
        confidence=_confidence(outcome.score),
        location=Location(uri=target_uri, symbol=attack.id), evidence=evidence,
        remediation=attack.remediation or rule.remediation,
        tags=tuple(dict.fromkeys(tags)))


def transcript_entry(attack_id: str, messages: Sequence[Message]) -> JournalEntry:
    """The journal entry holding a successful attack's redacted transcript."""
    doc: list[dict[str, object]] = []
    for m in messages:
        item: dict[str, object] = {"role": m.role, "content": m.content}
        if m.tool_calls:
            item["tool_calls"] = [{"name": c.name, "arguments": c.arguments}
                                  for c in m.tool_calls]
        doc.append(item)
    detail = json.dumps({"attack": attack_id, "messages": doc}, ensure_ascii=False)
    return JournalEntry(_now(), TRANSCRIPT_EVENT, detail)


def rate_entries(summary: Summary) -> list[JournalEntry]:
    """One journal line per OWASP id and per category with its rate and interval."""
    now = _now()
    entries = [JournalEntry(now, "asr", summary.overall.describe())]
    entries += [JournalEntry(now, "asr owasp", r.describe()) for r in summary.by_owasp]
    entries += [JournalEntry(now, "asr category", r.describe()) for r in summary.by_category]
    return entries
