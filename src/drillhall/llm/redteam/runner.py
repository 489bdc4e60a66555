"""Sends attacks to a target, concurrently and within a request budget, and grades the replies.

:func:`run_attacks` is a coroutine: ``concurrency`` workers take attacks in order from the
plan; each sends the attack's turns one by one (with its documents as retrieved context and
its tools offered), grades every reply and stops the conversation at the first success. Each
finished attack is handed to ``on_outcome`` (the checkpoint writer) at once.

The run stops cleanly, keeping what finished, when

* the request budget cannot cover the next attack (``stopped == "budget"``),
* ``cancel`` is set (Ctrl-C, SIGTERM, the drill's time-out): attacks in flight are dropped and
  redone on resume (``stopped == "cancelled"``),
* the target is down: the first :attr:`Settings.fail_fast` attacks all ended in errors
  (``abort`` holds one sentence).

A target error on one attack is an ``error`` outcome: counted, never a success.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drillhall.errors import TargetError
from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.redteam.redaction import Redactor
from drillhall.llm.types import AppContext, Attack, Grade, Message, Reply, Target

GradeFn = Callable[[Attack, Sequence[Message], Reply], Awaitable[Grade | None]]
PrepareFn = Callable[[Attack], Awaitable[Attack]]
"""Rewrites an attack just before it is sent (e.g. an attacker model writes its escalation
turns); must keep its id and its number of turns."""
"""Grades one reply: the deciding grade (``success`` says whether the attack worked), or
``None`` when no grader had anything to say."""

_CANCEL_POLL = 0.05


@dataclass(frozen=True)
class Settings:
    """How to run: workers, per-request limits and when to give up on a dead target."""

    concurrency: int = 8
    max_tokens: int | None = 512
    send_system_prompt: bool = False
    deadline: float = 120.0
    """Seconds one request may take in all (the target's own retries included)."""
    fail_fast: int = 5


class RequestBudget:
    """At most ``limit`` requests (``None``: unlimited), ``used`` of them already spent.
    Attacks reserve all their turns up front and give back what an early success saved."""

    def __init__(self, limit: int | None, used: int = 0) -> None:
        self.limit = limit
        self.used = used

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    def take(self, n: int) -> bool:
        if self.limit is not None and self.used + n > self.limit:
            return False
        self.used += n
        return True

    def give_back(self, n: int) -> None:
        self.used -= n


@dataclass
class Session:
    """What :func:`run_attacks` did."""

    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    stopped: str | None = None
    """``"budget"`` or ``"cancelled"`` when the run ended before every attack was tried
    (on ``budget``, attacks already under way finish; on ``cancelled`` they are dropped)."""
    abort: str | None = None
    """One sentence when the target turned out to be down."""


def compose(turn: str, documents: Sequence[str]) -> str:
    """The first user message of an attack that brings retrieved documents: the documents,
    delimited, then the user's question (as a retrieval-augmented application builds it)."""
    if not documents:
        return turn
    parts = [f"<document index=\"{i}\">\n{doc}\n</document>"
             for i, doc in enumerate(documents, 1)]
    return ("Answer the question using these retrieved documents.\n\n" + "\n\n".join(parts)
            + f"\n\nQuestion: {turn}")


async def _attack(target: Target, attack: Attack, context: AppContext, grade: GradeFn,
                  settings: Settings, budget: RequestBudget, redactor: Redactor) -> Outcome:
    """Run one attack to its end (budget already reserved for every turn)."""
    started = time.monotonic()
    messages: list[Message] = []
    if settings.send_system_prompt and context.system_prompt:
        messages.append(Message("system", context.system_prompt))
    documents = (*context.documents, *attack.documents) if attack.documents else ()
    tools = (*context.tools, *attack.tools)
    sent = 0
    decision: Grade | None = None
    reply: Reply | None = None
    try:
        for index, turn in enumerate(attack.turns):
            messages.append(Message("user", compose(turn, documents) if index == 0 else turn))
            sent += 1
            reply = await asyncio.wait_for(
                target.send(messages, tools=tools, max_tokens=settings.max_tokens),
                settings.deadline)
            decision = await grade(attack, tuple(messages), reply)
            messages.append(Message("assistant", reply.text, reply.tool_calls))
            if decision is not None and decision.success:
                break
    except TimeoutError:
        return _error(attack, sent, started, f"{target.name} did not answer within "
                      f"{settings.deadline:g} s", redactor)
    except TargetError as exc:
        return _error(attack, sent, started, exc.diagnostics(), redactor)
    finally:
        budget.give_back(len(attack.turns) - sent)
    seconds = time.monotonic() - started
    if decision is None or not decision.success or reply is None:
        return Outcome(attack.id, Verdict.BLOCKED, sent, seconds,
                       grader=decision.grader if decision else "",
                       score=decision.score if decision else 0.0)
    shown = messages[1:] if messages and messages[0].role == "system" else messages
    return Outcome(attack.id, Verdict.SUCCESS, sent, seconds, grader=decision.grader,
                   score=decision.score, reason=redactor.text(decision.reason),
                   excerpt=redactor.excerpt(_reply_text(reply), context.canaries),
                   transcript=redactor.transcript(shown))


def _reply_text(reply: Reply) -> str:
    calls = "; ".join(f"{c.name}({c.arguments})" for c in reply.tool_calls)
    if calls:
        return f"{reply.text} [tool calls: {calls}]".strip()
    return reply.text


def _error(attack: Attack, sent: int, started: float, why: str, redactor: Redactor
           ) -> Outcome:
    return Outcome(attack.id, Verdict.ERROR, sent, time.monotonic() - started,
                   reason=redactor.text(why, limit=400))


async def run_attacks(target: Target, attacks: Sequence[Attack], context: AppContext,
                      grade: GradeFn, *, settings: Settings, budget: RequestBudget,
                      redactor: Redactor, cancel: threading.Event,
                      on_outcome: Callable[[Outcome], None] = lambda o: None,
                      prepare: PrepareFn | None = None) -> Session:
    """Run ``attacks`` against ``target`` (see the module docstring)."""
    session = Session()
    queue = list(reversed(attacks))
    stop = asyncio.Event()

    def finish(outcome: Outcome) -> None:
        session.outcomes.append(outcome)
        session.requests += outcome.requests
        on_outcome(outcome)
        first = session.outcomes[:settings.fail_fast]
        if (session.abort is None and len(first) == min(settings.fail_fast, len(attacks))
                and all(o.verdict is Verdict.ERROR for o in first)):
            session.abort = (f"the target {target.name} is not answering: "
                             f"{first[0].reason.rstrip('.')}")
            stop.set()

    async def worker() -> None:
        while queue and not stop.is_set() and session.stopped is None:
            if cancel.is_set():
                session.stopped = "cancelled"
                stop.set()
                return
            attack = queue[-1]
            if not budget.take(len(attack.turns)):
                session.stopped = "budget"  # attacks in flight still finish
                return
            queue.pop()
            if prepare is not None:
                try:
                    attack = await prepare(attack)
                except TargetError as exc:
                    budget.give_back(len(attack.turns))
                    finish(_error(attack, 0, time.monotonic(), exc.diagnostics(), redactor))
                    continue
            finish(await _attack(target, attack, context, grade, settings, budget, redactor))

    async def watch() -> None:
        while not stop.is_set():
            if cancel.is_set():
                session.stopped = "cancelled"
                stop.set()
                return
            await asyncio.sleep(_CANCEL_POLL)

    workers = [asyncio.create_task(worker()) for _ in range(max(1, settings.concurrency))]
    watcher = asyncio.create_task(watch())
    stopper: asyncio.Task[Any] = asyncio.create_task(stop.wait())
    pending: set[asyncio.Task[Any]] = set(workers)
    while pending and not stopper.done():
        done, pending = await asyncio.wait(pending | {stopper},
                                           return_when=asyncio.FIRST_COMPLETED)
        pending.discard(stopper)
        for task in done:
            if task is not stopper:
                task.result()  # a bug in a worker surfaces here, not silently
    for task in (*pending, watcher, stopper):
        task.cancel()
    await asyncio.gather(*pending, watcher, stopper, return_exceptions=True)
    return session
