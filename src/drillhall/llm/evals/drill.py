"""The eval drill: answer accuracy on a golden set, and drift of the guard's live signals.

``[drills.eval]`` in drillhall.toml (or ``drillhall llm eval``) does one or both of:

* **Golden set** (``target`` and ``golden``): ask the target every question of the golden set
  (:mod:`drillhall.llm.evals.golden`), score the answers (exact, contains, regex, embedding
  similarity or an LLM judge), store ``eval.score``, ``eval.pass_rate``, ``eval.items`` and
  ``eval.forbidden`` with a journal entry per item (answer redacted), report forbidden content
  as findings, and test whether the pass rate dropped significantly against the earlier runs
  of the same target and golden set (:mod:`drillhall.llm.evals.regression`).
* **Drift** (``drift = true`` and ``service``): compare the guard's newest summaries with a
  baseline window (:mod:`drillhall.llm.evals.drift`); each shifted signal is a finding and
  every signal a metric ``eval.drift.<signal>``.

The API keys come only from environment variables; they, the planted canaries and personal
data are masked in everything the drill reports or stores.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Status,
    utcnow,
)
from drillhall.core.paths import resolve_input
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, DrillError, InputError, StoreError
from drillhall.llm.evals import rules
from drillhall.llm.evals.drift import DriftSettings, SignalDrift, check_drift, split_windows
from drillhall.llm.evals.golden import GoldenSet, Scoring, load_golden, with_scoring
from drillhall.llm.evals.history import (
    KEY_EVENT,
    guard_windows,
    item_entry,
    open_history,
    previous_runs,
)
from drillhall.llm.evals.judge import EvalJudge
from drillhall.llm.evals.regression import DropTest, DropTestKind, compare
from drillhall.llm.evals.runner import EvalSettings, ItemResult, evaluate, summarise
from drillhall.llm.evals.similarity import (
    DEFAULT_THRESHOLDS,
    Similarity,
    SimilarityMode,
    open_similarity,
)
from drillhall.llm.targets.base import safe_uri
from drillhall.llm.types import Target

NAME = "eval"
TARGET_EVENT = "target"
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class EvalOptions(BaseModel):
    """The ``[drills.eval]`` table."""

    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(default=None, min_length=1)
    model: str | None = None
    api_key_env: str | None = Field(default=None, pattern=_ENV_NAME)
    target_options: dict[str, Any] = Field(default_factory=dict)
    """Further settings of the target (see :mod:`drillhall.llm.targets`)."""
    label: str | None = Field(default=None, min_length=1, max_length=200)
    """A stable name for the target in reports and history (default: host and model); runs
    are compared with earlier runs of the same label and golden set."""
    system_prompt: str | None = None
    system_prompt_file: str | None = None
    canaries: list[str] = Field(default_factory=list)
    """Tokens planted in the application: masked wherever an answer is shown or stored."""
    golden: str | None = Field(default=None, min_length=1)
    scoring: Scoring | None = None
    """Score every item this way instead of by each item's own method."""
    similarity: SimilarityMode = "auto"
    similarity_threshold: float | None = Field(default=None, ge=0, le=1)
    judge: str | None = None
    judge_model: str | None = None
    judge_api_key_env: str | None = Field(default=None, pattern=_ENV_NAME)
    judge_threshold: float = Field(default=0.5, ge=0, le=1)
    concurrency: int = Field(default=4, ge=1, le=256)
    timeout: float = Field(default=60.0, gt=0, le=3600)
    max_tokens: int | None = Field(default=512, ge=1)
    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    compare: bool = True
    compare_runs: int = Field(default=3, ge=1, le=50)
    drop_test: DropTestKind = "two-proportion"
    alpha: float = Field(default=0.05, gt=0, lt=1)
    min_drop: float = Field(default=0.05, ge=0, le=1)
    drift: bool = False
    service: str | None = Field(default=None, min_length=1)
    """The guard's service name (its summaries are stored under it)."""
    baseline_window: int = Field(default=10, ge=3, le=10_000)
    recent_window: int = Field(default=3, ge=1, le=10_000)
    drift_alpha: float = Field(default=0.01, gt=0, lt=1)
    min_rate_change: float = Field(default=0.01, ge=0, le=1)
    z_threshold: float = Field(default=3.0, gt=0)
    min_relative_change: float = Field(default=0.2, ge=0)
    vector_threshold: float = Field(default=0.1, gt=0, le=2)
    store_url: str | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> EvalOptions:
        if self.golden and not self.target:
            raise ValueError("a golden set needs a target to ask (target = URL)")
        if self.target and not self.golden:
            raise ValueError("a target needs a golden set to ask it (golden = FILE.jsonl)")
        if not self.golden and not self.drift:
            raise ValueError("give a target and a golden set, or drift = true with a service")
        if self.drift and not self.service:
            raise ValueError("drift needs the guard's service name (service = NAME)")
        return self


class EvalDrill:
    """Golden-set accuracy and live drift (see the module docstring)."""

    name = NAME

    def __init__(self, options: EvalOptions, root: Path,
                 environ: Mapping[str, str] | None = None) -> None:
        self.options = options
        self.root = root
        self._environ = environ if environ is not None else os.environ
        canaries = tuple(dict.fromkeys(c.strip() for c in options.canaries if c.strip()))
        short = [c for c in canaries if len(c) < 6]
        if short:
            raise ConfigError(f"canary {short[0]!r} is too short to be told apart from ordinary "
                              "text; plant tokens of 6 characters or more")
        self.canaries = canaries
        self.system_prompt = self._system_prompt()
        self.golden: GoldenSet | None = None
        self._label = ""
        if options.golden:
            golden = load_golden(resolve_input(options.golden, root), options.golden)
            if options.scoring is not None:
                golden = with_scoring(golden, options.scoring)
            if not options.judge and any(i.scoring == "judge" for i in golden.items):
                first = next(i for i in golden.items if i.scoring == "judge")
                raise ConfigError(f"{golden.path}:{first.line}: item {first.id!r} is scored "
                                  "by a judge, but no judge is configured (judge = URL)")
            self.golden = golden
            # checks the target options and the key variable before anything is sent
            self._label = self.open_target().name

    def _system_prompt(self) -> str | None:
        o = self.options
        if not o.system_prompt_file:
            return o.system_prompt
        path = resolve_input(o.system_prompt_file, self.root)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{o.system_prompt_file}: system prompt file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{o.system_prompt_file}: cannot read the system prompt file "
                             f"({exc.__class__.__name__})") from None

    def secrets(self) -> list[str]:
        """Values masked everywhere: the API keys and the canaries."""
        values = list(self.canaries)
        for env in (self.options.api_key_env, self.options.judge_api_key_env):
            if env and self._environ.get(env, "").strip():
                values.append(self._environ[env].strip())
        return values

    def redact(self, text: str) -> str:
        """``text`` with credentials, personal data, keys and canaries masked."""
        from drillhall.pii.text import redact_text

        return redact_text(text, known=self.secrets())

    # -- targets ---------------------------------------------------------------------------
    def _spec(self, url: str, model: str | None, key_env: str | None, role: str,
              extra: Mapping[str, Any]) -> Target:
        from drillhall.llm.targets import TargetSpec, open_target

        where = f"drillhall.toml: [drills.eval] {role}"
        data: dict[str, Any] = {**TargetSpec.parse(url, where).model_dump(exclude_defaults=True),
                                "timeout": self.options.timeout,
                                "concurrency": self.options.concurrency}
        if model:
            data["model"] = model
        if key_env:
            data["api_key_env"] = key_env
        data.update(extra)
        return open_target(TargetSpec.parse(data, where), environ=self._environ)

    def open_target(self) -> Target:
        """The target the options describe (not yet connected)."""
        o = self.options
        assert o.target is not None
        extra = dict(o.target_options)
        if o.label:
            extra["label"] = o.label
        return self._spec(o.target, o.model, o.api_key_env, "target", extra)

    def open_judge(self) -> Target | None:
        """The judge model, when configured."""
        o = self.options
        if not o.judge:
            return None
        return self._spec(o.judge, o.judge_model, o.judge_api_key_env, "judge", {})

    # -- run -------------------------------------------------------------------------------
    def describe(self) -> str:
        """What the drill will do, in one line (no key: targets are shown by label)."""
        parts = []
        if self.golden is not None:
            methods = sorted({i.scoring for i in self.golden.items})
            parts.append(f"{len(self.golden)} golden question(s) from {self.golden.name} "
                         f"({', '.join(methods)}) against {self._label}")
        if self.options.drift:
            parts.append(f"drift of the guard summaries of service {self.options.service!r} "
                         f"(recent {self.options.recent_window} against baseline "
                         f"{self.options.baseline_window})")
        return "; ".join(parts)

    def run(self, ctx: DrillContext) -> DrillResult:
        """Run the golden set and/or the drift check (with ``ctx.dry_run``, only plan)."""
        started = utcnow()
        journal = [JournalEntry(started, "plan", self.describe())]
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, journal=tuple(journal),
                               started=started, finished=utcnow(), reason="dry run")
        findings: list[Finding] = []
        metrics: list[Metric] = []
        status, reason = Status.PASSED, None
        if self.golden is not None:
            complete = self._golden(self.golden, ctx, findings, metrics, journal)
            if not complete:
                status, reason = Status.INTERRUPTED, "interrupted before every golden " \
                                                     "question was answered"
        if self.options.drift and status is not Status.INTERRUPTED:
            note = self._drift(findings, metrics, journal)
            if note is not None and self.golden is None:
                return DrillResult(self.name, Status.SKIPPED, (), tuple(metrics),
                                   tuple(journal), started, utcnow(), reason=note)
        if findings and status is Status.PASSED:
            status = Status.FAILED
        return DrillResult(self.name, status, tuple(findings), tuple(metrics), tuple(journal),
                           started, utcnow(), reason=reason)

    def _golden(self, golden: GoldenSet, ctx: DrillContext, findings: list[Finding],
                metrics: list[Metric], journal: list[JournalEntry]) -> bool:
        o = self.options
        similarity = self._similarity(golden)
        if similarity is not None:
            limit = (o.similarity_threshold if o.similarity_threshold is not None
                     else DEFAULT_THRESHOLDS[similarity.name])
            how = ("all-MiniLM-L6-v2 embeddings" if similarity.name == "minilm" else
                   "TF-IDF cosine: the llm-embed extra is not installed or tfidf was chosen")
            journal.append(JournalEntry(utcnow(), "similarity", (
                f"similarity scored by {similarity.name} ({how}), pass at {limit:.2f}")))
        settings = EvalSettings(concurrency=o.concurrency, max_tokens=o.max_tokens,
                                system_prompt=self.system_prompt,
                                similarity_threshold=o.similarity_threshold,
                                item_timeout=o.timeout * 2 + 30)
        total = len(golden)
        done = [0]

        def on_item(_result: ItemResult) -> None:
            done[0] += 1
            ctx.progress(f"{done[0]}/{total} golden questions", done[0] / total)

        async def go() -> tuple[list[ItemResult], list[str]]:
            target = self.open_target()
            judge_target = self.open_judge()
            judge = None if judge_target is None else EvalJudge(
                judge_target, threshold=o.judge_threshold, secrets=self.secrets())
            try:
                results = await evaluate(target, golden, settings=settings, redact=self.redact,
                                         similarity=similarity, judge=judge,
                                         cancel=ctx.cancel, on_item=on_item)
            finally:
                for opened in (target, judge_target):
                    if opened is not None:
                        await opened.aclose()
            labels = [target.name] + ([judge_target.name] if judge_target else [])
            return results, labels

        ctx.progress(f"0/{total} golden questions", 0.0)
        results, labels = asyncio.run(go())
        for label in labels:
            journal.append(JournalEntry(utcnow(), TARGET_EVENT, label))
        key = f"{labels[0]} | {golden.name}"
        journal.append(JournalEntry(utcnow(), KEY_EVENT, key))
        journal.append(JournalEntry(utcnow(), "golden", (
            f"{golden.name}: {total} item(s), digest {golden.digest}")))
        if results and all(r.error is not None for r in results):
            raise DrillError(f"the target {labels[0]} answered none of the {len(results)} "
                             f"golden questions; first error: {results[0].error}")
        summary = summarise(results)
        metrics += [Metric("eval.score", summary.score), Metric("eval.pass_rate",
                                                                 summary.pass_rate),
                    Metric("eval.items", summary.items), Metric("eval.passed", summary.passed),
                    Metric("eval.forbidden", summary.forbidden),
                    Metric("eval.errors", summary.errors),
                    Metric("eval.refusals", summary.refusals),
                    Metric("eval.latency_ms_p50", summary.latency_p50_ms, "ms")]
        journal += [item_entry(r) for r in results]
        if summary.errors:
            first = next(r for r in results if r.error is not None)
            journal.append(JournalEntry(utcnow(), "target errors", (
                f"{summary.errors} question(s) ended in a target error, count as failed and "
                f"are left out of the comparison with earlier runs; first: {first.error}")))
        uri = safe_uri(o.target or "")
        by_id = {i.id: i for i in golden.items}
        for r in results:
            if r.forbidden:
                findings.append(self._forbidden(golden, by_id[r.id], r, uri))
        if o.min_pass_rate is not None and summary.pass_rate < o.min_pass_rate:
            findings.append(Finding(
                rules.BELOW_TARGET.rule_id, rules.BELOW_TARGET.title, rules.BELOW_TARGET.severity,
                Confidence.HIGH, Location(path=golden.name, uri=uri, symbol="eval.pass_rate"),
                f"{summary.passed}/{summary.items} golden questions passed "
                f"({summary.pass_rate:.0%}), below the target of {o.min_pass_rate:.0%}",
                rules.BELOW_TARGET.remediation, rules.BELOW_TARGET.tags))
        if o.compare:
            self._compare(key, results, golden, uri, findings, metrics, journal)
        return len(results) == total

    def _similarity(self, golden: GoldenSet) -> Similarity | None:
        if not any(i.scoring == "similarity" for i in golden.items):
            return None
        corpus = [t for i in golden.items for t in (i.question, i.reference)]
        return open_similarity(self.options.similarity, corpus)

    def _forbidden(self, golden: GoldenSet, item: Any, result: ItemResult, uri: str
                   ) -> Finding:
        shown = ", ".join(repr(self.redact(item.forbidden[i])) for i in result.forbidden)
        rule = rules.FORBIDDEN
        return Finding(rule.rule_id, f"{rule.title}: {item.id}", rule.severity, Confidence.HIGH,
                       Location(path=golden.name, line=item.line, uri=uri, symbol=item.id),
                       f"forbidden content {shown} in the answer: {result.answer}",
                       rule.remediation, (*rule.tags, "eval:forbidden"))

    def _compare(self, key: str, results: Sequence[ItemResult], golden: GoldenSet, uri: str,
                 findings: list[Finding], metrics: list[Metric],
                 journal: list[JournalEntry]) -> None:
        o = self.options
        try:
            with open_history(o.store_url, self.root) as store:
                previous = [] if store is None else previous_runs(store, key,
                                                                  limit=o.compare_runs)
        except StoreError as exc:
            journal.append(JournalEntry(utcnow(), "history",
                                        f"not compared with earlier runs: {exc.diagnostics()}"))
            return
        current = {r.id: r.passed for r in results if r.error is None}
        test = compare(current, previous, test=o.drop_test, alpha=o.alpha, min_drop=o.min_drop)
        if test is None:
            journal.append(JournalEntry(utcnow(), "history",
                                        "no earlier run of this target and golden set to "
                                        "compare with"))
            return
        metrics += [Metric("eval.drop", round(test.drop, 4)),
                    Metric("eval.drop_p_value", test.p_value),
                    Metric("eval.regressions", len(test.regressions))]
        journal.append(JournalEntry(utcnow(), "history", (
            f"compared with run(s) {', '.join(test.baseline_runs)}: {test.describe()}"
            + ("" if not test.regressions else
               f"; regressed: {', '.join(test.regressions[:50])}"))))
        if test.significant:
            findings.append(self._drop_finding(test, golden, uri))

    def _drop_finding(self, test: DropTest, golden: GoldenSet, uri: str) -> Finding:
        rule = rules.ACCURACY_DROP
        listed = ", ".join(test.regressions[:20]) + (", …" if len(test.regressions) > 20
                                                     else "")
        evidence = test.describe() + (f"; items that regressed: {listed}" if listed else "")
        return Finding(rule.rule_id, rule.title, rule.severity, Confidence.HIGH,
                       Location(path=golden.name, uri=uri, symbol="eval.pass_rate"),
                       evidence, rule.remediation,
                       (*rule.tags, *(f"regressed:{i}" for i in test.regressions[:20])))

    def _drift(self, findings: list[Finding], metrics: list[Metric],
               journal: list[JournalEntry]) -> str | None:
        """Add drift findings and metrics; a note when drift could not be judged."""
        o = self.options
        assert o.service is not None
        settings = DriftSettings(baseline=o.baseline_window, recent=o.recent_window,
                                 alpha=o.drift_alpha, min_rate_change=o.min_rate_change,
                                 z_threshold=o.z_threshold,
                                 min_relative_change=o.min_relative_change,
                                 vector_threshold=o.vector_threshold)
        try:
            with open_history(o.store_url, self.root) as store:
                windows = ([] if store is None else
                           guard_windows(store, o.service, settings.baseline + settings.recent))
        except StoreError as exc:
            raise DrillError(f"cannot read the guard summaries: {exc.diagnostics()}") from None
        base, recent = split_windows(windows, settings)
        if len(base) < 3 or not recent:
            note = (f"drift not judged: the history store holds {len(windows)} guard "
                    f"summar{'y' if len(windows) == 1 else 'ies'} of service {o.service!r}, "
                    f"and {settings.recent} recent plus at least 3 baseline ones are needed")
            journal.append(JournalEntry(utcnow(), "drift", note))
            return note
        journal.append(JournalEntry(utcnow(), "drift", (
            f"service {o.service!r}: recent runs {recent[0].run_id} … {recent[-1].run_id} "
            f"against {len(base)} baseline run(s) {base[0].run_id} … {base[-1].run_id}")))
        signals = check_drift(base, recent, settings)
        metrics += [Metric("eval.drift.baseline_windows", len(base)),
                    Metric("eval.drift.recent_windows", len(recent)),
                    Metric("eval.drift.shifted", sum(s.shifted for s in signals))]
        for s in signals:
            metrics.append(Metric(f"eval.drift.{s.signal}", s.statistic))
            journal.append(JournalEntry(utcnow(), "drift",
                                        ("SHIFTED: " if s.shifted else "stable: ")
                                        + s.describe()))
            if s.shifted:
                findings.append(self._drift_finding(s, o.service))
        return None

    @staticmethod
    def _drift_finding(s: SignalDrift, service: str) -> Finding:
        rule = rules.DRIFT_RULES[s.signal]
        return Finding(rule.rule_id, f"{rule.title} ({s.signal})", rule.severity,
                       Confidence.MEDIUM if s.kind == "vector" else Confidence.HIGH,
                       Location(uri=f"service:{service}", symbol=f"guard.{s.signal}"),
                       s.describe(), rule.remediation, (*rule.tags, f"signal:{s.signal}"))


def from_config(options: Mapping[str, Any], root: Path) -> EvalDrill:
    """Build the drill from its ``[drills.eval]`` table; checks the options, the golden set,
    the system prompt file and the key variables before anything is sent."""
    parsed = parse_section(EvalOptions, options, source="drillhall.toml",
                           section="drills.eval")
    return EvalDrill(parsed, root)
