"""``relevance`` (optional, off by default): answers that share almost nothing with the
prompt — a cheap signal of a hijacked or confused model.

The score is the share of the prompt's distinct content words (stop words dropped, as in the
red-team graders) that the answer uses. Prompts with fewer than ``min_prompt_words`` content
words are not judged. It cannot redact: with ``action = "redact"`` a flagged answer is
blocked; ``log`` is the usual action.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillhall.llm.graders.leaks import STOP_WORDS
from drillhall.llm.graders.text import words
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict


def overlap(prompt: str, answer: str) -> tuple[float, int]:
    """The share of the prompt's content words found in the answer, and how many there are."""
    wanted = {w for w in words(prompt) if w not in STOP_WORDS and len(w) > 2}
    if not wanted:
        return 0.0, 0
    return len(wanted & set(words(answer))) / len(wanted), len(wanted)


class RelevanceScanner:
    """Flags answers whose content-word overlap with the prompt is under ``threshold``."""

    name = "relevance"
    directions: Sequence[Direction] = ("output",)

    def __init__(self, threshold: float = 0.1, *, min_prompt_words: int = 3,
                 action: Action = Action.LOG) -> None:
        self.threshold = threshold
        self.min_prompt_words = min_prompt_words
        self.action = action

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        if not context.prompt:
            return Verdict(self.name, False, 0.0, "No prompt to compare the answer with.")
        share, n = overlap(context.prompt, text)
        if n < self.min_prompt_words:
            return Verdict(self.name, False, 0.0,
                           "The prompt has too few content words to judge relevance.")
        if share < self.threshold:
            return Verdict(self.name, True, round(1.0 - share, 3),
                           f"The answer uses {share:.0%} of the prompt's {n} content words "
                           f"(under {self.threshold:.0%}).", kinds=("off-topic",))
        return Verdict(self.name, False, round(1.0 - share, 3),
                       f"The answer uses {share:.0%} of the prompt's {n} content words.")
