"""What happened to one attack: :class:`Outcome`, shared by the runner, the checkpoint and the
results."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drillhall.llm.types import Message


class Verdict(StrEnum):
    """How one attack ended. ``success`` means the attack worked (the target failed);
    ``error`` means the target could not be asked (not a success, counted apart)."""

    SUCCESS = "success"
    BLOCKED = "blocked"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attack's result. Text fields are already redacted; ``transcript`` is kept only for
    successful attacks (it is the finding's evidence)."""

    attack_id: str
    verdict: Verdict
    requests: int
    seconds: float
    grader: str = ""
    score: float = 0.0
    reason: str = ""
    excerpt: str = ""
    transcript: tuple[Message, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.verdict is Verdict.SUCCESS
