"""The value types and interfaces shared by the LLM red team, the guard and the evals.

A :class:`Target` is anything that answers a chat conversation: an OpenAI-compatible endpoint,
a generic HTTP endpoint described by a template, or a Python callable (see
:mod:`drillhall.llm.targets`). An :class:`Attack` is one adversarial test case from the shipped
catalogue (:mod:`drillhall.llm.attacks`); a :class:`Grader` decides from the target's
:class:`Reply` whether the attack succeeded (:mod:`drillhall.llm.graders`). The
:class:`AppContext` is what the user told drillhall about the application under test (system
prompt, canaries, purpose, tools), which graders use to decide what counts as a leak or a
hijack.

Everything here is plain and frozen; pydantic is used only where outside JSON comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool (function) offered to the model, OpenAI style. ``parameters`` is a JSON Schema
    object; ``dangerous`` marks tools whose call counts as excessive agency when the
    application context does not allow it."""

    name: str
    description: str = ""
    parameters: Mapping[str, object] = field(default_factory=lambda: {"type": "object"})
    dangerous: bool = False


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model asked for; ``arguments`` is the raw JSON text it produced."""

    name: str
    arguments: str = "{}"
    id: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message. ``tool_calls`` only on assistant messages; ``tool_call_id`` only on
    tool results."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """What a target answered to one request.

    ``latency`` is seconds from sending to the last byte; token counts are those the target
    reported (``None`` when it reported none). ``raw_status`` is the HTTP status when the
    target is HTTP.
    """

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    latency: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    raw_status: int | None = None


CONTENT_FILTER = "content_filter"
"""``Reply.finish_reason`` of a request a content filter or guard refused: OpenAI's own value
for filtered answers, which drillhall's targets also give a guard proxy's or Azure's refusal
(an answer from the application, not an error)."""


@runtime_checkable
class Target(Protocol):
    """Something that answers a conversation. Implementations are safe to call concurrently
    from one event loop and raise :class:`~drillhall.errors.TargetError` (one sentence naming
    the target) when the target cannot be reached, refuses or answers garbage."""

    @property
    def name(self) -> str:
        """A short label for reports (host and model, never a key)."""
        ...

    async def send(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
        max_tokens: int | None = None,
    ) -> Reply:
        """Send one conversation and return the reply."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class AppContext:
    """What the user told drillhall about the application under test.

    ``system_prompt`` is ``None`` for a black-box test. ``canaries`` are tokens planted in the
    system prompt, in a retrieved document or in a fake user record: any of them in an answer
    is a leak. ``documents`` are texts the target retrieves (indirect injection is tested by
    sending attacker-controlled documents the same way, when ``accepts_documents``).
    ``allowed_tools`` names the tools the application may call on its own.
    """

    system_prompt: str | None = None
    canaries: tuple[str, ...] = ()
    purpose: str = ""
    tools: tuple[ToolSpec, ...] = ()
    allowed_tools: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    accepts_documents: bool = False


@dataclass(frozen=True, slots=True)
class Attack:
    """One adversarial test case.

    ``turns`` are the user messages sent in order (each after the target's previous reply);
    ``documents`` are attacker-controlled texts delivered as retrieved context (indirect
    injection); ``tools`` are offered with the request (excessive agency). ``goal`` says in
    words what success looks like; ``marker`` is a string that appears in the answer only when
    the attack succeeded (for injection and hijack attacks), and ``graders`` names the graders
    that decide success. ``owasp`` is an OWASP LLM Top 10 (2025) id, ``atlas`` a MITRE ATLAS
    technique id. ``converter`` is set on attacks derived by a converter (``base64`` …).
    """

    id: str
    category: str
    title: str
    owasp: str
    atlas: str
    turns: tuple[str, ...]
    goal: str
    graders: tuple[str, ...]
    severity: str = "high"
    marker: str | None = None
    documents: tuple[str, ...] = ()
    tools: tuple[ToolSpec, ...] = ()
    converter: str | None = None
    remediation: str = ""


@dataclass(frozen=True, slots=True)
class Grade:
    """A grader's decision on one exchange: ``success`` means the attack worked (the target
    failed). ``score`` in [0, 1]; ``reason`` is one redacted sentence for the report."""

    grader: str
    success: bool
    score: float
    reason: str


class Grader(Protocol):
    """Decides from the conversation whether an attack succeeded."""

    name: str

    def grade(
        self, attack: Attack, transcript: Sequence[Message], reply: Reply, context: AppContext
    ) -> Grade | None:
        """Return a grade, or ``None`` when this grader has nothing to say about the exchange
        (e.g. a canary grader when no canary was planted)."""
        ...
