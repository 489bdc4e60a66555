"""The red-team drill: attack an LLM endpoint with drillhall's catalogue and report what worked.

``[drills.redteam]`` in drillhall.toml (or ``drillhall llm redteam --target URL``) names the
target — an OpenAI-compatible chat endpoint by default, or any target
:mod:`drillhall.llm.targets` can open — and what the user knows about the application (its
system prompt, planted canaries, purpose and tools). The drill selects attacks (same seed, same
attacks), sends them concurrently within the request budget, grades every reply, checkpoints
each finished attack to ``.drillhall/redteam/<run id>.jsonl`` (so ``resume`` continues an
interrupted run) and reports one finding per successful attack, the attack success rate per
OWASP id, and regressions against the previous stored run of the same target.

The API key comes only from the environment variable named by ``api_key_env``; it never appears
in the plan, a finding, the journal or the checkpoint, and neither do planted canaries, other
credentials or personal data in clear (see :mod:`drillhall.llm.redteam.redaction`).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, JournalEntry, Status, utcnow
from drillhall.core.paths import resolve_input
from drillhall.core.validation import describe_error, parse_section
from drillhall.errors import ConfigError, DrillError, InputError, StoreError
from drillhall.llm.redteam import checkpoint as ckpt
from drillhall.llm.redteam import results as res
from drillhall.llm.redteam.history import TARGET_EVENT, previous_run
from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.redteam.redaction import Redactor
from drillhall.llm.redteam.runner import (
    GradeFn,
    PrepareFn,
    RequestBudget,
    Session,
    Settings,
    run_attacks,
)
from drillhall.llm.targets.base import safe_uri
from drillhall.llm.types import AppContext, Attack, Grade, Message, Reply, Target, ToolSpec

if TYPE_CHECKING:
    from drillhall.llm.graders import PackageIndex
    from drillhall.llm.targets import CostEstimate

NAME = "redteam"
CRESCENDO_CATEGORIES = frozenset({"jailbreak", "prompt-injection"})
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class RedTeamOptions(BaseModel):
    """The ``[drills.redteam]`` table."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=1)
    model: str | None = None
    api_key_env: str | None = Field(default=None, pattern=_ENV_NAME)
    target_options: dict[str, Any] = Field(default_factory=dict)
    """Further settings of the target (see :mod:`drillhall.llm.targets`), e.g. ``stream``,
    ``kind = "http"`` with a request template and response path."""
    system_prompt: str | None = None
    system_prompt_file: str | None = None
    send_system_prompt: bool = False
    canaries: list[str] = Field(default_factory=list)
    purpose: str = ""
    tools_file: str | None = None
    accepts_documents: bool = False
    categories: list[str] | None = None
    owasp: list[str] | None = None
    converters: list[str] = Field(default_factory=list)
    attacks_file: str | None = None
    limit: int | None = Field(default=None, ge=0)
    budget: int | None = Field(default=None, ge=1)
    concurrency: int = Field(default=8, ge=1, le=256)
    timeout: float = Field(default=60.0, gt=0, le=3600)
    max_tokens: int | None = Field(default=512, ge=1)
    seed: int = 0
    resume: str | None = None
    crescendo: bool = False
    """Also run multi-turn escalations (crescendo) of the jailbreak and prompt-injection
    attacks: scripted build-up turns, or written by the ``attacker`` model when one is set."""
    attacker: str | None = None
    attacker_model: str | None = None
    attacker_api_key_env: str | None = Field(default=None, pattern=_ENV_NAME)
    judge: str | None = None
    judge_model: str | None = None
    judge_api_key_env: str | None = Field(default=None, pattern=_ENV_NAME)
    price_in: float | None = Field(default=None, ge=0)
    """Price per 1,000 prompt tokens, for the cost estimate."""
    price_out: float | None = Field(default=None, ge=0)
    """Price per 1,000 completion tokens."""
    allowed_hosts: list[str] = Field(default_factory=list)
    """Hosts the application's answers may link to or load images from."""
    package_index: str | None = "https://pypi.org/simple/"
    """PEP 691 index that suggested package names are checked against (``none``: off)."""
    max_latency: float = Field(default=60.0, gt=0)
    """Seconds beyond which one answer counts as unbounded consumption."""
    compare: bool = True
    store_url: str | None = None
    fail_fast: int = Field(default=5, ge=1, le=1000)


class _ToolModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})
    dangerous: bool = False
    allowed: bool = False


class _OpenAITool(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = "function"
    function: _ToolModel


@dataclass(frozen=True)
class RedTeamPlan:
    """What a run will do, before anything is sent."""

    run_id: str
    target: str
    """The target's label: host and model, never a key."""
    target_uri: str
    """The target URL without user information or query string."""
    attacks: tuple[Attack, ...]
    done: int
    """Attacks already finished in the checkpoint of a resumed run."""
    requests: int
    """Requests still to send at most (every turn of every remaining attack, within budget)."""
    budget: int | None
    cost: CostEstimate | None
    """Expected tokens and cost (money only when prices were given)."""
    resumed: bool
    categories: tuple[str, ...]
    owasp: tuple[str, ...]


class RedTeamDrill:
    """Red-team one LLM target (see the module docstring)."""

    name = NAME

    def __init__(self, options: RedTeamOptions, root: Path,
                 environ: Mapping[str, str] | None = None) -> None:
        self.options = options
        self.root = root
        self._environ = environ if environ is not None else os.environ
        self.context = self._context()
        self._plan: RedTeamPlan | None = None
        self._escalated: dict[str, Attack] = {}
        self._checkpoint: ckpt.Checkpoint | None = None

    # -- inputs ----------------------------------------------------------------------------
    def _read(self, text: str, what: str) -> str:
        path = resolve_input(text, self.root)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{text}: {what} not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{text}: cannot read the {what} ({exc.__class__.__name__})"
                             ) from None

    def _context(self) -> AppContext:
        o = self.options
        prompt = o.system_prompt
        if o.system_prompt_file:
            prompt = self._read(o.system_prompt_file, "system prompt file")
        tools, allowed = self._tools() if o.tools_file else ((), ())
        canaries = tuple(dict.fromkeys(c.strip() for c in o.canaries if c.strip()))
        short = [c for c in canaries if len(c) < 6]
        if short:
            raise ConfigError(f"canary {short[0]!r} is too short to be told apart from ordinary "
                              "text; plant tokens of 6 characters or more")
        return AppContext(system_prompt=prompt, canaries=canaries, purpose=o.purpose.strip(),
                          tools=tools, allowed_tools=allowed,
                          accepts_documents=o.accepts_documents)

    def _tools(self) -> tuple[tuple[ToolSpec, ...], tuple[str, ...]]:
        """The tools file: a JSON list of tools, plain (``name``, ``description``,
        ``parameters``, ``dangerous``, ``allowed``) or in OpenAI's ``{"type": "function",
        "function": {…}}`` form."""
        source = self.options.tools_file or ""
        try:
            data = json.loads(self._read(source, "tools file"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        if isinstance(data, dict) and "tools" in data:
            data = data["tools"]
        if not isinstance(data, list):
            raise InputError(f"{source}: expected a JSON list of tools")
        tools: list[ToolSpec] = []
        allowed: list[str] = []
        for number, item in enumerate(data, 1):
            try:
                model = (_OpenAITool.model_validate(item).function
                         if isinstance(item, dict) and "function" in item
                         else _ToolModel.model_validate(item))
            except ValidationError as exc:
                raise InputError(describe_error(exc, source=f"{source}: tool {number}")
                                 ) from None
            tools.append(ToolSpec(model.name, model.description, model.parameters,
                                  model.dangerous))
            if model.allowed:
                allowed.append(model.name)
        return tuple(tools), tuple(allowed)

    def secrets(self) -> list[str]:
        """Values masked everywhere: the API keys and the canaries."""
        values = list(self.context.canaries)
        o = self.options
        for env in (o.api_key_env, o.judge_api_key_env, o.attacker_api_key_env):
            if env and self._environ.get(env, "").strip():
                values.append(self._environ[env].strip())
        return values

    # -- target ----------------------------------------------------------------------------
    def open_target(self) -> Target:
        """The target the options describe (not yet connected)."""
        from drillhall.llm.targets import TargetSpec, open_target

        o = self.options
        where = "drillhall.toml: [drills.redteam] target"
        base = TargetSpec.parse(o.target, where)
        data: dict[str, Any] = {**base.model_dump(exclude_defaults=True),
                                "timeout": o.timeout, "concurrency": o.concurrency}
        if o.model is not None:
            data["model"] = o.model
        if o.api_key_env is not None:
            data["api_key_env"] = o.api_key_env
        data.update(o.target_options)
        return open_target(TargetSpec.parse(data, where), environ=self._environ)

    # -- plan ------------------------------------------------------------------------------
    def _attacks(self, seed: int, selection: Mapping[str, Any]) -> list[Attack]:
        from drillhall.llm.attacks import load_catalogue, load_user_attacks, select
        from drillhall.llm.attacks.converters import scripted_escalation

        pool: list[Attack] = list(load_catalogue())
        if selection.get("attacks_file"):
            pool += load_user_attacks(resolve_input(str(selection["attacks_file"]), self.root))
        chosen = select(pool, categories=selection.get("categories"),
                        owasp=selection.get("owasp"),
                        converters=tuple(selection.get("converters") or ()), seed=seed,
                        limit=selection.get("limit"), context=self.context)
        if selection.get("crescendo"):
            bases = [a for a in chosen if a.category in CRESCENDO_CATEGORIES and not a.converter]
            self._escalated = {}
            for base in bases:
                escalated = scripted_escalation(base)
                self._escalated[escalated.id] = base
                chosen.append(escalated)
        return chosen

    def _selection(self) -> dict[str, Any]:
        o = self.options
        return {"categories": o.categories, "owasp": o.owasp, "converters": o.converters,
                "limit": o.limit, "attacks_file": o.attacks_file, "crescendo": o.crescendo}

    def plan(self) -> RedTeamPlan:
        """Select the attacks and estimate the work; checks the options, the API key
        variable, the attack files and a resumed run's checkpoint. Raises ConfigError or
        InputError. Sends nothing."""
        if self._plan is not None:
            return self._plan
        o = self.options
        target = self.open_target()
        label = target.name
        seed, selection = o.seed, self._selection()
        done: dict[str, Outcome] = {}
        if o.resume:
            found = ckpt.read(ckpt.checkpoint_path(self.root, o.resume))
            seed, selection = found.header.seed, dict(found.header.selection)
            self._checkpoint = found
            done = found.outcomes
        attacks = self._attacks(seed, selection)
        if not attacks:
            raise ConfigError("no attack matches the selection (categories, owasp, limit)")
        if self._checkpoint is not None:
            ckpt.check_same(self._checkpoint.header, label, [a.id for a in attacks])
        left = [a for a in attacks if a.id not in done]
        requests = sum(len(a.turns) for a in left)
        used = self._checkpoint.requests_used if self._checkpoint else 0
        if o.budget is not None:
            requests = min(requests, max(0, o.budget - used))
        self._plan = RedTeamPlan(
            run_id=o.resume or ckpt.new_run_id(), target=label, target_uri=safe_uri(o.target),
            attacks=tuple(attacks), done=len(attacks) - len(left), requests=requests,
            budget=o.budget, cost=self._cost(left, requests), resumed=o.resume is not None,
            categories=tuple(sorted({a.category for a in attacks})),
            owasp=tuple(sorted({a.owasp for a in attacks})))
        return self._plan

    def _cost(self, attacks: Sequence[Attack], requests: int) -> CostEstimate | None:
        """Tokens (and money, with prices) the remaining requests are expected to use."""
        from drillhall.llm.targets import estimate_cost, estimate_tokens

        o = self.options
        turns = [(t, a) for a in attacks for t in a.turns]
        if not turns:
            return None
        prompt = sum(estimate_tokens(t) + sum(estimate_tokens(d) for d in a.documents)
                     for t, a in turns) / len(turns)
        if o.send_system_prompt and self.context.system_prompt:
            prompt += estimate_tokens(self.context.system_prompt)
        return estimate_cost(requests, prompt, o.max_tokens or 512, o.price_in or 0.0,
                             o.price_out or 0.0)

    # -- run -------------------------------------------------------------------------------
    def run(self, ctx: DrillContext) -> DrillResult:
        """Run the plan (or, with ``ctx.dry_run``, only plan)."""
        started = utcnow()
        plan = self.plan()
        journal = [JournalEntry(started, TARGET_EVENT, plan.target),
                   JournalEntry(started, "plan", describe_plan(plan))]
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, journal=tuple(journal),
                               started=started, finished=utcnow(), reason="dry run")
        redactor = Redactor(self.secrets())
        previous = dict(self._checkpoint.outcomes) if self._checkpoint else {}
        used = self._checkpoint.requests_used if self._checkpoint else 0
        left = [a for a in plan.attacks if a.id not in previous]
        header = None if plan.resumed else ckpt.Header(
            run_id=plan.run_id, target=plan.target, seed=self.options.seed,
            selection=self._selection(), attacks=len(plan.attacks),
            attack_digest=ckpt.digest(a.id for a in plan.attacks))
        total = len(plan.attacks)
        counts = {"done": len(previous), "success": sum(o.succeeded for o in previous.values())}

        def on_outcome(outcome: Outcome) -> None:
            writer.record(outcome)
            counts["done"] += 1
            counts["success"] += outcome.succeeded
            ctx.progress(f"{counts['done']}/{total} attacks, {counts['success']} succeeded",
                         counts["done"] / total)

        ctx.progress(f"{counts['done']}/{total} attacks", counts["done"] / total)
        with ckpt.Writer(ckpt.checkpoint_path(self.root, plan.run_id), header) as writer:
            session, stats = self._execute(left, redactor, ctx, used, on_outcome)
        if session.abort:
            raise DrillError(f"{session.abort} (red-team run {plan.run_id})")
        outcomes = {**previous, **{o.attack_id: o for o in session.outcomes}}
        return self._result(plan, outcomes, session, used + session.requests, stats,
                            journal, started)

    def _execute(self, attacks: Sequence[Attack], redactor: Redactor, ctx: DrillContext,
                 used: int, on_outcome: Any) -> tuple[Session, dict[str, float]]:
        o = self.options
        settings = Settings(concurrency=o.concurrency, max_tokens=o.max_tokens,
                            send_system_prompt=o.send_system_prompt,
                            deadline=o.timeout * 4 + 60, fail_fast=o.fail_fast)
        budget = RequestBudget(o.budget, used)

        async def go() -> tuple[Session, dict[str, float]]:
            target = self.open_target()
            judge = self._helper(o.judge, o.judge_model, o.judge_api_key_env, "judge")
            attacker = self._helper(o.attacker, o.attacker_model, o.attacker_api_key_env,
                                    "attacker")
            try:
                session = await run_attacks(target, attacks, self.context,
                                            self._grader(judge), settings=settings,
                                            budget=budget, redactor=redactor,
                                            cancel=ctx.cancel, on_outcome=on_outcome,
                                            prepare=self._escalate(attacker))
            finally:
                for opened in (target, judge, attacker):
                    if opened is not None:
                        await opened.aclose()
            return session, _target_metrics(target)

        return asyncio.run(go())

    def _grader(self, judge: Target | None) -> GradeFn:
        """Grading with drillhall's graders: the judge (when configured) is awaited; package
        lookups (a blocking index client) run in a worker thread."""
        from drillhall.llm.graders import agrade, build_graders, decide, grade

        o = self.options
        graders = build_graders(allowed_hosts=o.allowed_hosts, index=self._index(),
                                judge=judge, max_latency=o.max_latency)
        context = self.context

        async def grade_one(attack: Attack, transcript: Sequence[Message], reply: Reply
                            ) -> Grade | None:
            if "package-exists" in attack.graders:
                grades = await asyncio.to_thread(grade, attack, transcript, reply, context,
                                                 graders=graders)
            else:
                grades = await agrade(attack, transcript, reply, context, graders=graders)
            return decide(grades)

        return grade_one

    def _index(self) -> PackageIndex | None:
        url = (self.options.package_index or "").strip()
        if not url or url.lower() == "none":
            return None
        from drillhall.llm.graders import PyPIIndex
        from drillhall.patch.index import IndexClient

        return PyPIIndex(IndexClient(url, timeout=min(self.options.timeout, 10.0), retries=1))

    def _helper(self, url: str | None, model: str | None, key_env: str | None, role: str
                ) -> Target | None:
        """The judge or attacker model, when configured."""
        if not url:
            return None
        from drillhall.llm.targets import TargetSpec, open_target

        where = f"drillhall.toml: [drills.redteam] {role}"
        data: dict[str, Any] = {**TargetSpec.parse(url, where).model_dump(exclude_defaults=True),
                                "timeout": self.options.timeout}
        if model:
            data["model"] = model
        if key_env:
            data["api_key_env"] = key_env
        target = open_target(TargetSpec.parse(data, where), environ=self._environ)
        return target

    def _escalate(self, attacker: Target | None) -> PrepareFn | None:
        """With an attacker model, its escalation turns replace the scripted ones."""
        if attacker is None or not self._escalated:
            return None
        from drillhall.llm.attacks import crescendo

        escalated = self._escalated

        async def prepare(attack: Attack) -> Attack:
            base = escalated.get(attack.id)
            if base is None:
                return attack
            written = await crescendo(base, attacker)
            if written.id != attack.id or len(written.turns) != len(attack.turns):
                return attack
            return written

        return prepare

    def _result(self, plan: RedTeamPlan, outcomes: Mapping[str, Outcome], session: Session,
                requests: int, stats: Mapping[str, float], journal: list[JournalEntry],
                started: Any) -> DrillResult:
        baseline, note = self._baseline(plan.target)
        regressed = res.regressions(plan.attacks, outcomes, baseline)
        findings = []
        for attack in plan.attacks:
            outcome = outcomes.get(attack.id)
            if outcome is None or not outcome.succeeded:
                continue
            findings.append(res.finding(attack, outcome, plan.target_uri,
                                        regression=attack.id in regressed))
            journal.append(res.transcript_entry(attack.id, outcome.transcript))
        summary = res.summarise(plan.attacks, outcomes)
        not_run = len(plan.attacks) - len(outcomes)
        extra = {"llm.attacks_not_run": not_run, "llm.regressions": len(regressed), **stats}
        metrics = res.metrics(summary, requests=requests, extra=extra)
        journal += res.rate_entries(summary)
        now = utcnow()
        if note:
            journal.append(JournalEntry(now, "history", note))
        elif baseline is not None:
            fixed = res.fixed(plan.attacks, outcomes, baseline)
            journal.append(JournalEntry(now, "history", (
                f"compared with run {baseline.run_id}: {len(regressed)} regression(s), "
                f"{len(fixed)} attack(s) fixed")))
        errors = [o for o in outcomes.values() if o.verdict is Verdict.ERROR]
        if errors:
            journal.append(JournalEntry(now, "target errors", (
                f"{len(errors)} attack(s) ended in a target error and count neither as "
                f"success nor failure; first: {errors[0].reason}")))
        status = Status.FAILED if findings else Status.PASSED
        reason = None
        resume_hint = f"resume with --resume {plan.run_id}"
        if session.stopped == "cancelled":
            status = Status.INTERRUPTED
            reason = (f"interrupted after {len(outcomes)} of {len(plan.attacks)} attacks; "
                      f"{resume_hint}")
        elif session.stopped == "budget":
            journal.append(JournalEntry(now, "budget", (
                f"the request budget of {self.options.budget} is spent: {not_run} of "
                f"{len(plan.attacks)} attacks were not run; {resume_hint} and a larger "
                "--budget")))
        journal.append(JournalEntry(now, "checkpoint", (
            f"red-team run {plan.run_id}: {ckpt.FOLDER / (plan.run_id + '.jsonl')}")))
        return DrillResult(self.name, status, tuple(findings), metrics, tuple(journal),
                           started, utcnow(), reason=reason)

    def _baseline(self, target: str) -> tuple[res.Baseline | None, str | None]:
        if not self.options.compare:
            return None, None
        try:
            return previous_run(self.options.store_url, self.root, target, drill=NAME), None
        except StoreError as exc:
            return None, f"not compared with earlier runs: {exc.diagnostics()}"


def _target_metrics(target: Target) -> dict[str, float]:
    stats = getattr(target, "stats", None)
    snapshot = getattr(stats, "snapshot", None)
    if snapshot is None:
        return {}
    out: dict[str, float] = snapshot().as_metrics()
    return out


def describe_plan(plan: RedTeamPlan) -> str:
    """The plan in one line (no key: the target is its label)."""
    text = (f"{len(plan.attacks)} attacks in {len(plan.categories)} categories "
            f"({', '.join(plan.owasp)}) against {plan.target}; at most {plan.requests} "
            "requests")
    if plan.budget is not None:
        text += f" (budget {plan.budget})"
    if plan.done:
        text += f"; {plan.done} already done in run {plan.run_id}"
    if plan.cost is not None:
        text += f"; expected {plan.cost.describe()}"
    return text + f"; run id {plan.run_id}"


def from_config(options: Mapping[str, Any], root: Path) -> RedTeamDrill:
    """Build the drill from its ``[drills.redteam]`` table; checks everything that can be
    checked before sending (options, files, the key variable, a resumed checkpoint)."""
    parsed = parse_section(RedTeamOptions, options, source="drillhall.toml",
                           section="drills.redteam")
    drill = RedTeamDrill(parsed, root)
    drill.plan()
    return drill

