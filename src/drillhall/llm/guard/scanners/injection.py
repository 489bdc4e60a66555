"""``prompt-injection``: the detector of :mod:`drillhall.llm.guard.detector` as a scanner.

The detector scores the text; when the text carries invisible tag characters, what they
spell is scored too (the detector itself drops them while normalising) and the higher score
wins, so an instruction smuggled in tag characters is read.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from drillhall.llm.guard.detector import Detector, DetectorResult
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.guard.scanners.invisible import hidden_text


class PromptInjectionScanner:
    """Flags prompt injections and jailbreaks. ``score`` is the detector's probability; the
    threshold is the detector's (calibrated, or the one given to :meth:`load`). Cannot
    redact: with ``action = "redact"`` a flagged text is blocked."""

    name = "prompt-injection"
    directions: Sequence[Direction] = ("input",)

    def __init__(self, detector: Detector, *, action: Action = Action.BLOCK) -> None:
        self.detector = detector
        self.action = action
        # The lexical stage is pure Python over immutable data; the embedding stage's
        # tokenizer is not guaranteed thread-safe, so calls are serialised when it is on.
        self._lock = threading.Lock() if "embedding" in detector.stages else None

    @classmethod
    def load(cls, stages: Sequence[str] = ("lexical",), *, threshold: float | None = None,
             action: Action = Action.BLOCK) -> PromptInjectionScanner:
        """Load the shipped detector (``stages`` as in
        :meth:`~drillhall.llm.guard.detector.Detector.load`; the embedding stage needs the
        ``llm-embed`` extra)."""
        return cls(Detector.load(stages, threshold=threshold), action=action)

    def _score(self, text: str) -> DetectorResult:
        if self._lock is None:
            return self.detector.score(text)
        with self._lock:
            return self.detector.score(text)

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        result = self._score(text)
        where = ""
        hidden = hidden_text(text)
        if hidden.strip():
            smuggled = self._score(hidden)
            if smuggled.score > result.score:
                result, where = smuggled, " in text hidden in tag characters"
        if result.flagged:
            return Verdict(self.name, True, round(result.score, 4),
                           f"The text reads as a prompt injection{where} (score "
                           f"{result.score:.2f}, {result.stage} stage).",
                           kinds=("hidden-injection" if where else "injection",))
        return Verdict(self.name, False, round(result.score, 4),
                       f"The text does not read as a prompt injection (score "
                       f"{result.score:.2f}, {result.stage} stage).")
