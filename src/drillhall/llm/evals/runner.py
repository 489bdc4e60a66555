"""Asking a target every question of a golden set, concurrently, and scoring the answers.

:func:`evaluate` sends each item's question (after the system prompt, when one is given) to
the target, scores the answer with the item's method and checks it for forbidden content.
A target error or timeout on one item does not stop the run: the item scores 0, is marked
``error`` and is left out of the comparison with earlier runs (it says nothing about
accuracy). The answer kept in an :class:`ItemResult` is already redacted and cut.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drillhall.errors import DrillhallError
from drillhall.llm.evals.golden import GoldenItem, GoldenSet
from drillhall.llm.evals.judge import EvalJudge
from drillhall.llm.evals.scoring import (
    Score,
    forbidden_present,
    score_contains,
    score_exact,
    score_regex,
)
from drillhall.llm.evals.similarity import Similarity, score_similarity
from drillhall.llm.targets.base import one_line
from drillhall.llm.types import Message, Target

__all__ = ["EvalSettings", "ItemResult", "Summary", "evaluate", "summarise"]

ANSWER_CHARS = 400
"""Characters of each (redacted) answer kept in the journal."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one golden item. ``forbidden`` holds the 0-based indexes of the item's
    forbidden texts found in the answer; ``answer`` is redacted and cut to
    :data:`ANSWER_CHARS`."""

    id: str
    score: float
    passed: bool
    method: str
    weight: float
    detail: str
    forbidden: tuple[int, ...] = ()
    answer: str = ""
    latency: float = 0.0
    error: str | None = None
    refused: bool = False
    """The shipped refusal classifier (:mod:`drillhall.llm.graders.refusal`) reads the
    answer as a refusal."""


@dataclass(frozen=True, slots=True)
class EvalSettings:
    """How a golden set is run."""

    concurrency: int = 4
    max_tokens: int | None = 512
    system_prompt: str | None = None
    similarity_threshold: float | None = None
    item_timeout: float = 120.0
    """Seconds one item (answer and judging) may take in all."""


@dataclass(frozen=True, slots=True)
class Summary:
    """The aggregate figures of one run of a golden set."""

    items: int
    passed: int
    score: float
    """Weighted mean score in [0, 1]."""
    pass_rate: float
    forbidden: int
    """Items whose answer held forbidden content."""
    errors: int
    latency_p50_ms: float
    refusals: int = 0
    """Answers the refusal classifier reads as refusals."""


Redact = Callable[[str], str]


async def _score(item: GoldenItem, answer: str, similarity: Similarity | None,
                 judge: EvalJudge | None, settings: EvalSettings) -> Score:
    if item.scoring == "exact":
        assert item.expected is not None
        return score_exact(answer, item.expected)
    if item.scoring == "contains":
        return score_contains(answer, item.required_facts)
    if item.scoring == "regex":
        assert item.pattern is not None
        return score_regex(answer, item.pattern)
    if item.scoring == "similarity":
        assert similarity is not None
        return score_similarity(similarity, answer, item.reference,
                                settings.similarity_threshold)
    assert judge is not None
    return await judge.score(item, answer)


async def _one(item: GoldenItem, target: Target, similarity: Similarity | None,
               judge: EvalJudge | None, settings: EvalSettings, redact: Redact) -> ItemResult:
    messages = [Message("user", item.question)]
    if settings.system_prompt:
        messages.insert(0, Message("system", settings.system_prompt))
    try:
        async with asyncio.timeout(settings.item_timeout):
            reply = await target.send(messages, max_tokens=settings.max_tokens)
            answer = reply.text
            hits = tuple(forbidden_present(answer, item.forbidden))
            score = await _score(item, answer, similarity, judge, settings)
    except TimeoutError:
        return ItemResult(item.id, 0.0, False, item.scoring, item.weight,
                          f"No answer within {settings.item_timeout:g} seconds.",
                          error="timeout")
    except DrillhallError as exc:
        why = redact(one_line(exc.diagnostics()))
        return ItemResult(item.id, 0.0, False, item.scoring, item.weight, why + ".",
                          error=why)
    kept = _excerpt(answer, item.forbidden[hits[0]] if hits else None, redact)
    refused = _refusal(answer)
    if hits:
        listed = ", ".join(f"#{i + 1}" for i in hits)
        return ItemResult(item.id, 0.0, False, score.method, item.weight,
                          f"The answer holds forbidden content {listed}; "
                          f"otherwise: {score.detail}", hits, kept, reply.latency,
                          refused=refused)
    return ItemResult(item.id, score.score, score.passed, score.method, item.weight,
                      score.detail, (), kept, reply.latency, refused=refused)


def _refusal(answer: str) -> bool:
    """Whether the shipped refusal classifier reads ``answer`` as a refusal (an empty
    answer is one)."""
    from drillhall.llm.graders.refusal import shipped_model

    if not answer.strip():
        return True
    model = shipped_model()
    return model.probability(answer) >= model.threshold


def _excerpt(answer: str, around: str | None, redact: Redact) -> str:
    """The redacted answer cut to :data:`ANSWER_CHARS`: its beginning, or a window around
    the first forbidden text when there is one."""
    start = 0
    if around is not None:
        at = answer.casefold().find(around.casefold())
        start = max(0, at - ANSWER_CHARS // 3) if at >= 0 else 0
    text = redact(answer[start:start + ANSWER_CHARS * 2])
    if len(text) > ANSWER_CHARS:
        text = text[:ANSWER_CHARS].rstrip() + " …"
    elif start + ANSWER_CHARS * 2 < len(answer):
        text += " …"
    return ("… " if start else "") + text


async def evaluate(target: Target, golden: GoldenSet, *, settings: EvalSettings,
                   redact: Redact, similarity: Similarity | None = None,
                   judge: EvalJudge | None = None, cancel: threading.Event | None = None,
                   on_item: Callable[[ItemResult], None] | None = None
                   ) -> list[ItemResult]:
    """Run every item of ``golden`` against ``target`` (at most ``settings.concurrency`` at
    once) and return their results in the golden set's order; items not started because
    ``cancel`` was set are left out."""
    gate = asyncio.Semaphore(settings.concurrency)
    results: dict[str, ItemResult] = {}

    async def worker(item: GoldenItem) -> None:
        async with gate:
            if cancel is not None and cancel.is_set():
                return
            result = await _one(item, target, similarity, judge, settings, redact)
            results[item.id] = result
            if on_item is not None:
                on_item(result)

    await asyncio.gather(*(worker(item) for item in golden.items))
    return [results[i.id] for i in golden.items if i.id in results]


def summarise(results: Sequence[ItemResult]) -> Summary:
    """Aggregate item results (an empty sequence gives zeros)."""
    n = len(results)
    total_weight = sum(r.weight for r in results)
    score = sum(r.score * r.weight for r in results) / total_weight if total_weight else 0.0
    passed = sum(r.passed for r in results)
    latencies = [r.latency * 1000 for r in results if r.error is None]
    return Summary(items=n, passed=passed, score=round(score, 4),
                   pass_rate=round(passed / n, 4) if n else 0.0,
                   forbidden=sum(1 for r in results if r.forbidden),
                   errors=sum(1 for r in results if r.error is not None),
                   latency_p50_ms=round(statistics.median(latencies), 2) if latencies else 0.0,
                   refusals=sum(1 for r in results if r.refused))
