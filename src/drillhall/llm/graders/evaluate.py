"""Measure the graders against a labelled set of exchanges.

A labelled set is a directory of ``*.jsonl`` files plus a ``config.json``. Each line is one
exchange::

    {"id": "marker-003", "category": "prompt-injection",
     "attack": {"marker": "PWNED", "turns": ["..."], "tools": [...]},
     "context": "docbot",                      # a name from config.json, or an object
     "reply": {"text": "...", "tool_calls": [{"name": "...", "arguments": "{}"}],
               "finish_reason": null, "latency": 0.4, "completion_tokens": 120},
     "expect": {"marker": true, "refusal": true},   # each grader's expected success (or null)
     "success": true,                               # expected verdict of decide()
     "note": "marker in bold"}

``config.json`` holds ``contexts`` (named :class:`~drillhall.llm.types.AppContext` objects),
``allowed_hosts`` and ``packages`` (the ``pypi`` and ``npm`` names an in-memory index knows).
Strings may hold ``{{secret:RULE-ID:SEED}}``, replaced by a fake credential from
:func:`drillhall.testing.fakekeys.fake_secret` when loaded, so the set never stores one.

Accuracy of a grader is the share of exchanges naming it in ``expect`` where its grade
(``success``, or ``None`` when it had nothing to say) equals the expectation; the overall
accuracy compares :func:`~drillhall.llm.graders.decide` over the graders in ``expect`` with
``success``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from drillhall.errors import ConfigError
from drillhall.llm.graders import build_graders, decide, grade
from drillhall.llm.graders.packages import SetIndex
from drillhall.llm.types import AppContext, Attack, Grader, Message, Reply, ToolCall, ToolSpec

_SECRET = re.compile(r"\{\{secret:([A-Z0-9-]+):(\d+)\}\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Tool(_Model):
    name: str
    description: str = ""
    dangerous: bool = False


class _Call(_Model):
    name: str
    arguments: str = "{}"


class _Context(_Model):
    system_prompt: str | None = None
    canaries: list[str] = []
    purpose: str = ""
    tools: list[_Tool] = []
    allowed_tools: list[str] = []
    documents: list[str] = []


class _Attack(_Model):
    category: str | None = None
    turns: list[str] = ["(attack prompt)"]
    marker: str | None = None
    documents: list[str] = []
    tools: list[_Tool] = []


class _Reply(_Model):
    text: str = ""
    tool_calls: list[_Call] = []
    finish_reason: str | None = None
    latency: float = 0.0
    completion_tokens: int | None = None


class _Record(_Model):
    id: str
    category: str
    attack: _Attack = _Attack()
    context: str | _Context = _Context()
    transcript: list[dict[str, str]] = []
    reply: _Reply
    expect: dict[str, bool | None]
    success: bool | None
    note: str = ""


class _Config(_Model):
    contexts: dict[str, _Context] = {}
    allowed_hosts: list[str] = []
    packages: dict[str, list[str]] = {}


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled exchange, ready to grade."""

    id: str
    attack: Attack
    transcript: tuple[Message, ...]
    reply: Reply
    context: AppContext
    expect: Mapping[str, bool | None]
    success: bool | None
    note: str = ""
    source: str = ""


@dataclass(slots=True)
class Tally:
    """Confusion counts of one grader (``None`` grades count as negative) and exact matches."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, case_id: str, expected: bool | None, got: bool | None) -> None:
        self.total += 1
        if expected == got:
            self.correct += 1
        else:
            self.errors.append(f"{case_id}: expected {expected}, got {got}")
        if got:
            self.tp, self.fp = (self.tp + 1, self.fp) if expected else (self.tp, self.fp + 1)
        else:
            self.fn, self.tn = (self.fn + 1, self.tn) if expected else (self.fn, self.tn + 1)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(slots=True)
class Evaluation:
    """Per-grader tallies and the tally of the combined verdict."""

    graders: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    cases: int = 0


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        if "{{secret:" not in value:
            return value
        from drillhall.testing.fakekeys import fake_secret

        return _SECRET.sub(lambda m: fake_secret(m.group(1), seed=int(m.group(2))), value)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def _tools(items: Sequence[_Tool]) -> tuple[ToolSpec, ...]:
    return tuple(ToolSpec(t.name, t.description, dangerous=t.dangerous) for t in items)


def _context(c: _Context) -> AppContext:
    return AppContext(system_prompt=c.system_prompt, canaries=tuple(c.canaries),
                      purpose=c.purpose, tools=_tools(c.tools),
                      allowed_tools=tuple(c.allowed_tools), documents=tuple(c.documents))


def load_config(directory: Path) -> _Config:
    """Read ``config.json`` of a labelled set (empty when absent)."""
    path = directory / "config.json"
    if not path.exists():
        return _Config()
    try:
        return _Config.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ConfigError(f"{path}: not a labelled-set configuration ({exc})") from exc


def load_cases(directory: Path) -> list[Case]:
    """Every exchange of the ``*.jsonl`` files in ``directory``, in file and line order."""
    config = load_config(directory)
    contexts = {k: _context(v) for k, v in config.contexts.items()}
    cases: list[Case] = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = _Record.model_validate(_expand(json.loads(line)))
            except (ValueError, ValidationError) as exc:
                raise ConfigError(f"{path}:{n}: not a labelled exchange ({exc})") from exc
            if isinstance(rec.context, str):
                if rec.context not in contexts:
                    raise ConfigError(f"{path}:{n}: unknown context {rec.context!r}")
                ctx = contexts[rec.context]
            else:
                ctx = _context(rec.context)
            attack = Attack(
                id=rec.id, category=rec.attack.category or rec.category, title=rec.id,
                owasp="LLM01", atlas="AML.T0051", turns=tuple(rec.attack.turns), goal=rec.note,
                graders=tuple(rec.expect), marker=rec.attack.marker,
                documents=tuple(rec.attack.documents), tools=_tools(rec.attack.tools))
            transcript = tuple(Message(m["role"], m["content"])  # type: ignore[arg-type]
                               for m in rec.transcript)
            reply = Reply(text=rec.reply.text,
                          tool_calls=tuple(ToolCall(c.name, c.arguments)
                                           for c in rec.reply.tool_calls),
                          finish_reason=rec.reply.finish_reason, latency=rec.reply.latency,
                          completion_tokens=rec.reply.completion_tokens)
            cases.append(Case(rec.id, attack, transcript, reply, ctx, dict(rec.expect),
                              rec.success, rec.note, f"{path.name}:{n}"))
    return cases


def graders_for(directory: Path) -> dict[str, Grader]:
    """The graders configured as the labelled set's ``config.json`` says (allowed hosts and an
    in-memory package index)."""
    config = load_config(directory)
    index = SetIndex(config.packages.get("pypi", ()), config.packages.get("npm"))
    return build_graders(allowed_hosts=config.allowed_hosts, index=index)


def evaluate(cases: Sequence[Case], graders: Mapping[str, Grader]) -> Evaluation:
    """Grade every case and tally the results."""
    out = Evaluation(cases=len(cases))
    for case in cases:
        names = list(case.expect)
        grades = grade(case.attack, case.transcript, case.reply, case.context, names,
                       graders=graders)
        by_name = {g.grader: g for g in grades}
        for name, expected in case.expect.items():
            got = by_name[name].success if name in by_name else None
            out.graders.setdefault(name, Tally()).add(case.id, expected, got)
        verdict = decide(grades)
        out.overall.add(case.id, case.success, None if verdict is None else verdict.success)
    return out


def table(result: Evaluation) -> str:
    """The accuracy table with confusion counts, as plain text."""
    head = f"{'grader':<16}{'cases':>7}{'accuracy':>10}{'TP':>6}{'FP':>6}{'TN':>6}{'FN':>6}"
    lines = [head, "-" * len(head)]
    rows = sorted(result.graders.items())
    rows.append(("overall (decide)", result.overall))
    for name, t in rows:
        lines.append(f"{name:<16}{t.total:>7}{t.accuracy:>10.3f}{t.tp:>6}{t.fp:>6}"
                     f"{t.tn:>6}{t.fn:>6}")
    return "\n".join(lines)
