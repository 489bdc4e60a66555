"""Stand-ins for the eval tests: a model whose answers the test sets, a judge model, golden
files, guard summary runs, and the CLI with ``llm eval`` mounted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from drillhall.core.model import DrillResult, Metric, Run, Status
from drillhall.llm.types import Message, Reply, ToolSpec
from drillhall.testing.llm import HiddenContext, StandInModel

CANARY = "CANARY-EVAL-5d1e9b07"
EMAIL = "jane.doe@example.com"


class ScriptedModel(StandInModel):
    """Answers each question (the last user message) with the text the test set for it;
    thread-safe, so a test can change answers between runs against one server."""

    model_id = "scripted-1"

    def __init__(self, answers: Mapping[str, str] | None = None,
                 default: str = "I do not know.") -> None:
        self._lock = threading.Lock()
        self._answers = dict(answers or {})
        self.default = default
        self.seen: list[list[Message]] = []

    def set(self, answers: Mapping[str, str]) -> None:
        with self._lock:
            self._answers = dict(answers)

    def respond(self, messages: Sequence[Message], tools: Sequence[ToolSpec] = (),
                max_tokens: int | None = None, *, context: HiddenContext | None = None
                ) -> Reply:
        question = [m.content for m in messages if m.role == "user"][-1]
        with self._lock:
            self.seen.append(list(messages))
            text = self._answers.get(question, self.default)
        return Reply(text, (), "stop", 0.0, 10, len(text.split()))


class JudgeModel(StandInModel):
    """A judge: reads the case JSON and answers, in a code fence, that the answer is correct
    when it contains every required fact (or the reference answer's first word)."""

    model_id = "judge-1"

    def respond(self, messages: Sequence[Message], tools: Sequence[ToolSpec] = (),
                max_tokens: int | None = None, *, context: HiddenContext | None = None
                ) -> Reply:
        assert messages[0].role == "system" and "JSON" in messages[0].content
        case = json.loads(messages[-1].content)
        answer = case["answer"].lower()
        facts = case.get("required_facts") or [case["reference_answer"].split()[0]]
        correct = all(f.lower() in answer for f in facts)
        verdict = {"correct": correct, "score": 0.9 if correct else 0.1,
                   "reason": "Checked the facts."}
        return Reply("Here is my verdict:\n```json\n" + json.dumps(verdict) + "\n```", (),
                     "stop", 0.0, 10, 10)


def write_golden(path: Path, items: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def guard_run(index: int, *, service: str = "docs-guard", requests: int = 1000,
              refusal: float = 0.05, blocked: float = 0.02, injection: float = 0.01,
              leak: float = 0.001, chars: float = 400.0, latency: float = 200.0,
              p95: float = 600.0, added: float = 2.0,
              vector: Sequence[float] | None = None) -> Run:
    """One guard summary run, as the guard proxy stores it (window ``index``)."""
    started = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=15 * index)
    vec = list(vector) if vector is not None else [1.0, 0.5, 0.25, 0.0] * 4
    metrics = [Metric("guard.requests", requests), Metric("guard.blocked_rate", blocked),
               Metric("guard.injection_rate", injection), Metric("guard.leak_rate", leak),
               Metric("guard.refusal_rate", refusal), Metric("guard.answer_chars_p50", chars),
               Metric("guard.latency_ms_p50", latency), Metric("guard.latency_ms_p95", p95),
               Metric("guard.added_latency_ms_p50", added),
               *(Metric(f"guard.answer_vector.{i}", v) for i, v in enumerate(vec))]
    result = DrillResult("guard", Status.PASSED, metrics=tuple(metrics), started=started,
                         finished=started + timedelta(minutes=15))
    return Run(f"guard-{index:04d}", service, started, started + timedelta(minutes=15),
               (result,))


def cli(*args: str) -> int:
    """``drillhall ARGS`` in process; returns the exit code."""
    from drillhall.cli.main import main

    return main(list(args))


def report(path: Path) -> dict[str, Any]:
    """The one result of a JSON report."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    (result,) = doc["results"]
    out: dict[str, Any] = result
    return out


CALLABLE_ANSWERS = {
    "What port does the VPN use?": "UDP port 51820.",
    "Who approves admin roles?": "The system owner.",
}


def callable_target(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> str:
    """A Python callable target (``python:tests.llm.evals.fakes:callable_target``)."""
    question = [m.content for m in messages if m.role == "user"][-1]
    return CALLABLE_ANSWERS.get(question, "I do not know.")
