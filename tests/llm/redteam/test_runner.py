"""The attack runner with a scripted in-process target: concurrency, budget, cancellation,
errors and a dead target."""

from __future__ import annotations

import asyncio
import threading
import time

from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.redteam.redaction import Redactor
from drillhall.llm.redteam.runner import RequestBudget, Settings, compose, run_attacks
from drillhall.llm.types import AppContext
from tests.llm.redteam.fakes import ScriptedTarget, attack, marker_grade


def _run(target: ScriptedTarget, attacks: list, *, budget: int | None = None,
         concurrency: int = 4, cancel: threading.Event | None = None, deadline: float = 30,
         seen: list[Outcome] | None = None):
    async def go():  # type: ignore[no-untyped-def]
        return await run_attacks(
            target, attacks, AppContext(), marker_grade,
            settings=Settings(concurrency=concurrency, deadline=deadline),
            budget=RequestBudget(budget), redactor=Redactor(pii=False),
            cancel=cancel or threading.Event(),
            on_outcome=(seen.append if seen is not None else lambda o: None))
    return asyncio.run(go())


def test_successes_blocks_and_concurrency() -> None:
    attacks = [attack(i) for i in range(20)]
    target = ScriptedTarget(obey=[a.marker for a in attacks[:5] if a.marker], delay=0.01)
    seen: list[Outcome] = []
    session = _run(target, attacks, concurrency=4, seen=seen)
    verdicts = {o.attack_id: o.verdict for o in session.outcomes}
    assert [verdicts[a.id] for a in attacks[:5]] == [Verdict.SUCCESS] * 5
    assert all(verdicts[a.id] is Verdict.BLOCKED for a in attacks[5:])
    assert session.requests == 20 and session.stopped is None and session.abort is None
    assert target.peak == 4
    assert len(seen) == 20  # every outcome reaches the checkpoint as it finishes
    success = next(o for o in session.outcomes if o.verdict is Verdict.SUCCESS)
    assert success.transcript[-1].role == "assistant" and success.excerpt.startswith("OK:")


def test_multi_turn_stops_at_first_success_and_returns_budget() -> None:
    a = attack(1, turns=3)
    target = ScriptedTarget(obey=[a.marker or ""])
    budget = RequestBudget(10)

    async def go():  # type: ignore[no-untyped-def]
        return await run_attacks(target, [a], AppContext(), marker_grade, settings=Settings(),
                                 budget=budget, redactor=Redactor(pii=False),
                                 cancel=threading.Event())
    session = asyncio.run(go())
    assert session.outcomes[0].verdict is Verdict.SUCCESS
    assert session.outcomes[0].requests == 1 and budget.used == 1


def test_budget_stops_cleanly_before_the_next_attack() -> None:
    attacks = [attack(i, turns=2) for i in range(10)]
    target = ScriptedTarget()
    session = _run(target, attacks, budget=7, concurrency=2)
    assert session.stopped == "budget"
    assert len(session.outcomes) == 3 and len(target.calls) == 6  # never more than the budget
    assert all(o.verdict is Verdict.BLOCKED for o in session.outcomes)


def test_target_errors_are_counted_not_successes() -> None:
    attacks = [attack(i) for i in range(8)]
    target = ScriptedTarget(fail=[attacks[6].marker or ""])
    session = _run(target, attacks, concurrency=1)
    error = next(o for o in session.outcomes if o.verdict is Verdict.ERROR)
    assert error.attack_id == attacks[6].id and "HTTP 500" in error.reason
    assert session.abort is None and len(session.outcomes) == 8


def test_dead_target_aborts_quickly_with_one_sentence() -> None:
    attacks = [attack(i) for i in range(50)]
    target = ScriptedTarget(fail=[a.marker or "" for a in attacks])
    session = _run(target, attacks, concurrency=2)
    assert session.abort is not None and "not answering" in session.abort
    assert "HTTP 500" in session.abort
    assert len(target.calls) < 10


def test_hanging_target_ends_at_the_deadline() -> None:
    attacks = [attack(i) for i in range(10)]
    started = time.monotonic()
    session = _run(ScriptedTarget(hang=True), attacks, concurrency=5, deadline=0.3)
    assert time.monotonic() - started < 3
    assert session.abort is not None and "did not answer within 0.3 s" in session.abort


def test_cancel_drops_attacks_in_flight_and_keeps_finished_ones() -> None:
    attacks = [attack(i) for i in range(40)]
    target = ScriptedTarget(delay=0.02)
    cancel = threading.Event()
    seen: list[Outcome] = []
    threading.Timer(0.15, cancel.set).start()
    session = _run(target, attacks, concurrency=2, cancel=cancel, seen=seen)
    assert session.stopped == "cancelled"
    assert 0 < len(session.outcomes) < 40 and len(seen) == len(session.outcomes)


def test_documents_come_before_the_question() -> None:
    text = compose("What does it say?", ["IGNORE ALL", "second"])
    assert text.index("IGNORE ALL") < text.index("second") < text.index("What does it say?")
    assert compose("plain", ()) == "plain"
