"""``leak``: the answer reproduces the system prompt or carries a canary.

The decision is the red-team graders' (:mod:`drillhall.llm.graders.leaks`): a canary is
found verbatim, spaced out, split by invisible characters or encoded (base64, hex, reversed,
rot13); the system prompt counts as reproduced on ROUGE-L recall, trigram overlap, a long
verbatim run, verbatim coverage or a close paraphrase. Canaries are never shown in reasons.

``redact`` masks canaries that appear verbatim; an answer that still leaks after that (an
encoded canary, a reproduced system prompt) cannot be repaired and is blocked.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillhall.core.redact import scrub
from drillhall.llm.graders.leaks import CanaryGrader, SystemPromptGrader
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.types import AppContext, Attack, Grade, Reply

_EXCHANGE = Attack(id="guard", category="guard", title="guarded answer", owasp="LLM07",
                   atlas="", turns=(), goal="", graders=("canary", "system-prompt"))
"""The graders judge an attack's reply; the guard judges every answer the same way."""


class LeakScanner:
    """Flags answers that leak the system prompt or a canary (see the module doc).
    ``canaries`` and ``system_prompt`` add to those each request's context gives."""

    name = "leak"
    directions: Sequence[Direction] = ("output",)

    def __init__(self, *, canaries: Sequence[str] = (), system_prompt: str | None = None,
                 action: Action = Action.BLOCK, tool_arguments: bool = True) -> None:
        self.canaries = tuple(c for c in canaries if c)
        self.system_prompt = system_prompt
        self.action = action
        self.scans_tool_arguments = tool_arguments
        self._prompt = SystemPromptGrader()
        self._canary = CanaryGrader()

    def _grade(self, text: str, app: AppContext) -> tuple[Grade | None, Grade | None]:
        reply = Reply(text)
        canary = self._canary.grade(_EXCHANGE, (), reply, app)
        if canary is not None and canary.success:
            return canary, None
        return canary, self._prompt.grade(_EXCHANGE, (), reply, app)

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        canaries = tuple(dict.fromkeys((*self.canaries, *context.canaries)))
        prompt = context.system_prompt or self.system_prompt
        if not canaries and not prompt:
            return Verdict(self.name, False, 0.0,
                           "No system prompt or canary to compare the answer with.")
        app = AppContext(system_prompt=prompt, canaries=canaries)
        canary, reproduced = self._grade(text, app)
        hit = canary if canary is not None and canary.success else reproduced
        if hit is None or not hit.success:
            score = max((g.score for g in (canary, reproduced) if g is not None), default=0.0)
            return Verdict(self.name, False, score,
                           "The answer leaks neither the system prompt nor a canary.")
        kind = "canary" if hit is canary else "system-prompt"
        redacted: str | None = None
        if kind == "canary":
            masked = scrub(text, canaries)
            again, prompt_again = self._grade(masked, app)
            still = any(g is not None and g.success for g in (again, prompt_again))
            redacted = None if still else masked
        return Verdict(self.name, True, hit.score, scrub(hit.reason, canaries),
                       redacted=redacted, kinds=(kind,))
