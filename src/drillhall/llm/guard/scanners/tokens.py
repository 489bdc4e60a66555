"""``token-limit``: prompts longer than the application allows (unbounded consumption).

The count is :func:`drillhall.llm.targets.spec.estimate_tokens` — one token per four
characters, at least one per word — close enough for a limit and free of any tokenizer.
``redact`` truncates the text to the limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.targets.spec import estimate_tokens


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` estimated at ``max_tokens`` or fewer."""
    if estimate_tokens(text) <= max_tokens:
        return text
    lo, hi = 0, min(len(text), max_tokens * 4)
    while lo < hi:  # the estimate grows with the prefix: binary search the longest fit
        mid = (lo + hi + 1) // 2
        if estimate_tokens(text[:mid]) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


class TokenLimitScanner:
    """Flags texts estimated longer than ``max_tokens``. Score: the estimate over the limit,
    capped at 1."""

    name = "token-limit"

    def __init__(self, max_tokens: int = 4096, *, action: Action = Action.BLOCK,
                 directions: Sequence[Direction] = ("input",)) -> None:
        self.max_tokens = max_tokens
        self.action = action
        self.directions: Sequence[Direction] = tuple(directions)

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        tokens = estimate_tokens(text)
        score = round(min(1.0, tokens / self.max_tokens), 4)
        if tokens <= self.max_tokens:
            return Verdict(self.name, False, score,
                           f"About {tokens} tokens, within the limit of {self.max_tokens}.")
        return Verdict(self.name, True, 1.0,
                       f"About {tokens} tokens, over the limit of {self.max_tokens}.",
                       redacted=truncate(text, self.max_tokens), kinds=("too-long",))
