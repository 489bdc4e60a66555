"""The blameless review of a Chaos Day, built from the plan, the experiment runs and the log.

:func:`build_review` gathers what happened — a merged timeline, hypothesis against outcome
for every planned experiment with its detection, recovery and revert times, what was learnt,
what to improve and the backlog with owners — and :func:`render_markdown` /
:func:`render_html` write it. The review speaks of systems and signals, not of people's
mistakes: entries are attributed to the role or name their author gave, and the prompts in
the document ask what made the right action hard, not who got it wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from drillhall.chaos.day.plan import DayPlan, PlannedExperiment
from drillhall.core.model import DayEntry, DrillResult, Run, Status

CHAOS_DRILL = "chaos"


@dataclass(frozen=True, slots=True)
class ExperimentRun:
    """One stored run of a planned experiment."""

    run_id: str
    started: datetime
    status: Status
    outcome: str
    detect_seconds: float | None
    recover_seconds: float | None
    revert_seconds: float | None
    faults_left: float | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class ExperimentReview:
    planned: PlannedExperiment
    runs: tuple[ExperimentRun, ...]

    @property
    def outcome(self) -> str:
        """The last run's outcome, or ``not run``."""
        return self.runs[-1].outcome if self.runs else "not run"

    @property
    def held(self) -> bool | None:
        if not self.runs:
            return None
        return self.runs[-1].status is Status.PASSED


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Review:
    plan: DayPlan
    entries: tuple[DayEntry, ...]
    experiments: tuple[ExperimentReview, ...]
    timeline: tuple[TimelineItem, ...]
    generated: datetime
    extra_runs: tuple[str, ...] = field(default=())
    """Chaos runs of the day that match no planned experiment."""

    def of_kind(self, *kinds: str) -> list[DayEntry]:
        return [e for e in self.entries if e.kind in kinds]

    @property
    def backlog(self) -> list[DayEntry]:
        return self.of_kind("backlog")

    @property
    def open_incidents(self) -> list[DayEntry]:
        return [e for e in self.of_kind("incident") if e.status == "open"]


def _outcome(result: DrillResult) -> str:
    if result.status is Status.PASSED:
        return "hypothesis held"
    if result.status is Status.FAILED:
        if (result.metric("chaos.gate_failed") or 0) >= 1:
            return "steady state did not hold before the fault (gate failed)"
        if (result.metric("chaos.faults_left") or 0) >= 1:
            return "deviated, and a fault was left behind"
        return "hypothesis did not hold (deviated)"
    if result.status is Status.INTERRUPTED:
        return "interrupted"
    if result.status is Status.SKIPPED:
        return f"skipped: {result.reason or 'no reason given'}"
    return f"error: {result.diagnostics or result.reason or 'no diagnostics'}"


def _experiment_run(run: Run, result: DrillResult) -> ExperimentRun:
    return ExperimentRun(
        run_id=run.id, started=result.started, status=result.status,
        outcome=_outcome(result),
        detect_seconds=result.metric("chaos.detect_seconds"),
        recover_seconds=result.metric("chaos.recover_seconds"),
        revert_seconds=result.metric("chaos.revert_seconds"),
        faults_left=result.metric("chaos.faults_left"),
        reason=result.reason,
    )


def _mentions(result: DrillResult, plan: DayPlan, planned: PlannedExperiment) -> bool:
    """Whether a chaos result ran this planned experiment (its file named in the journal)."""
    path = plan.experiment_path(planned)
    if path is None:
        return False
    needles = {str(path), path.name}
    texts = [result.reason or "", *(f"{j.event} {j.detail}" for j in result.journal)]
    return any(n in t for n in needles for t in texts)


def build_review(plan: DayPlan, entries: Sequence[DayEntry], runs: Iterable[Run], *,
                 now: datetime) -> Review:
    """Assemble the review. ``runs`` are the stored runs of the day; those linked by a ``run``
    log entry, or whose chaos journal names a planned experiment's file, are attached to it."""
    linked = {e.run_id: e.experiment for e in entries if e.run_id and e.experiment}
    per_experiment: dict[str, list[ExperimentRun]] = {p.id: [] for p in plan.spec.experiments}
    extra: list[str] = []
    timeline = [TimelineItem(e.at, f"{e.kind} · {e.author}", _entry_line(e)) for e in entries]
    for run in sorted(runs, key=lambda r: r.started):
        result = run.result(CHAOS_DRILL)
        if result is None:
            continue
        experiment_id = linked.get(run.id) or next(
            (p.id for p in plan.spec.experiments if _mentions(result, plan, p)), None)
        if experiment_id is None:
            extra.append(run.id)
            continue
        item = _experiment_run(run, result)
        per_experiment[experiment_id].append(item)
        timeline.append(TimelineItem(result.started, f"experiment · {experiment_id}",
                                     f"run {run.id}: {item.outcome}"))
        for j in result.journal:
            if j.event in _TIMELINE_EVENTS:
                timeline.append(TimelineItem(j.at, f"journal · {experiment_id}",
                                             f"{j.event}: {j.detail}"[:300]))
    timeline.sort(key=lambda t: t.at)
    reviews = tuple(ExperimentReview(p, tuple(per_experiment[p.id]))
                    for p in plan.spec.experiments)
    return Review(plan, tuple(entries), reviews, tuple(timeline), now, tuple(extra))


_TIMELINE_EVENTS = frozenset({
    "gate-failed", "deviation", "deviated", "stop-condition", "fault-injected", "fault-reverted",
    "revert", "reverted", "rollback", "recovered", "timeout", "interrupted",
})
"""Journal events worth a line in the day's timeline (the rest stay in the journal)."""


def _entry_line(e: DayEntry) -> str:
    extra = []
    if e.experiment:
        extra.append(f"experiment {e.experiment}")
    if e.status:
        extra.append(e.status)
    if e.owner:
        extra.append(f"owner {e.owner}")
    if e.run_id:
        extra.append(f"run {e.run_id}")
    return e.text + (f" ({', '.join(extra)})" if extra else "")


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return " ".join(text.replace("|", "\\|").split())


def _time(at: datetime) -> str:
    return at.strftime("%H:%M:%S")


QUESTIONS: tuple[str, ...] = (
    "What did we expect to happen, and what happened instead?",
    "What signals told us something was wrong, and how long did they take?",
    "What made the right action hard to see or to take at the time?",
    "Which safeguards worked, and which would we add?",
    "What surprised us about how the system — or our process — behaved?",
)
"""The blameless review's prompts: about systems and signals, never about who erred."""


def render_markdown(review: Review) -> str:
    """The review as Markdown."""
    spec = review.plan.spec
    out: list[str] = [f"# {spec.title} — review", ""]
    out += [f"*{spec.date.isoformat()} · {spec.timezone} · day `{spec.day}` · generated "
            f"{review.generated.strftime('%Y-%m-%d %H:%M UTC')}*", ""]
    out += ["This is a blameless review: it describes what the system and the team saw and "
            "did, to learn from it. It does not judge anyone.", ""]
    out += ["## The day", "", f"**Theme:** {_md(spec.theme)}", "",
            f"**Scope:** {', '.join(spec.scope)}", ""]
    if spec.off_limits:
        out += [f"**Off limits:** {', '.join(spec.off_limits)}", ""]
    roles = spec.roles
    out += ["| role | who |", "|---|---|", f"| facilitator | {_md(roles.facilitator)} |",
            f"| agents of chaos | {_md(', '.join(roles.agents))} |",
            f"| responders | {_md(', '.join(roles.responders))} |"]
    if roles.stakeholders:
        out.append(f"| stakeholders | {_md(', '.join(roles.stakeholders))} |")
    out.append("")
    held = sum(1 for e in review.experiments if e.held)
    ran = sum(1 for e in review.experiments if e.runs)
    out += ["## Hypothesis against outcome", "",
            f"{ran} of {len(review.experiments)} planned experiments ran; "
            f"{held} held their hypothesis.", "",
            "| experiment | failure | expected | outcome | detect | recover | revert | runs |",
            "|---|---|---|---|---|---|---|---|"]
    for e in review.experiments:
        last = e.runs[-1] if e.runs else None
        expected = e.planned.hypothesis or e.planned.expected_impact
        out.append(
            f"| {e.planned.id} ({_md(e.planned.component)}) | {_md(e.planned.failure)} | "
            f"{_md(expected)} | {_md(e.outcome)} | "
            f"{_seconds(last.detect_seconds if last else None)} | "
            f"{_seconds(last.recover_seconds if last else None)} | "
            f"{_seconds(last.revert_seconds if last else None)} | {len(e.runs)} |")
    out.append("")
    for e in review.experiments:
        out += [f"### {e.planned.id}", "",
                f"- **Expected impact:** {_md(e.planned.expected_impact)}",
                f"- **Expected response:** {_md(e.planned.expected_response)}",
                f"- **Rollback steps:** {_md('; '.join(e.planned.rollback_steps))}",
                f"- **Outcome:** {_md(e.outcome)}"]
        for r in e.runs:
            left = "" if not r.faults_left else f", {r.faults_left:.0f} fault(s) left behind"
            out.append(f"  - run `{r.run_id}` at {_time(r.started)}: {_md(r.outcome)}{left}")
        notes = [x for x in review.entries if x.experiment == e.planned.id and x.kind != "run"]
        for note in notes:
            out.append(f"  - {_time(note.at)} {note.kind} ({_md(note.author)}): {_md(note.text)}")
        out.append("")
    out += ["## Timeline", ""]
    if review.timeline:
        out += ["| time | source | what |", "|---|---|---|"]
        out += [f"| {_time(t.at)} | {_md(t.source)} | {_md(t.text)} |" for t in review.timeline]
    else:
        out.append("Nothing was logged.")
    out.append("")
    for title, kinds in (("What we learnt", ("learning",)),
                         ("What to improve next time", ("improvement",))):
        items = review.of_kind(*kinds)
        out += [f"## {title}", ""]
        out += [f"- {_md(i.text)} — {_md(i.author)}" for i in items] or ["- (nothing logged)"]
        out.append("")
    out += ["## Backlog", ""]
    if review.backlog:
        out += ["| item | owner | from |", "|---|---|---|"]
        out += [f"| {_md(b.text)} | {_md(b.owner or '')} | {b.experiment or '–'} |"
                for b in review.backlog]
    else:
        out.append("No backlog items were logged (log them with `drillhall chaosday log "
                   "--kind backlog --owner NAME`).")
    out.append("")
    if review.open_incidents:
        out += ["## Incidents still open", ""]
        out += [f"- {_time(i.at)} {_md(i.text)}" for i in review.open_incidents]
        out.append("")
    if review.extra_runs:
        out += ["## Other chaos runs that day", "",
                ", ".join(f"`{r}`" for r in review.extra_runs), ""]
    out += ["## Questions for the review meeting", ""]
    out += [f"- {q}" for q in QUESTIONS]
    out.append("")
    return "\n".join(out)


@cache
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("drillhall.chaos.day", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["clock"] = _time
    env.filters["seconds"] = _seconds
    return env.get_template("review.html.j2")


def render_html(review: Review) -> str:
    """The review as one self-contained HTML page (no external fetches)."""
    from importlib.resources import files

    css = files("drillhall.reports").joinpath("templates/report.css").read_text("utf-8")
    css = css.replace("{% raw %}", "").replace("{% endraw %}", "")  # a Jinja include guard
    held = sum(1 for e in review.experiments if e.held)
    ran = sum(1 for e in review.experiments if e.runs)
    return str(_template().render(review=review, spec=review.plan.spec, css=css, held=held,
                                  ran=ran, questions=QUESTIONS))
