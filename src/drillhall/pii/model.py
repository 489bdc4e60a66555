"""The types of the personal-data engine: :class:`PiiMatch` and the :class:`Recognizer` protocol.

A recogniser finds one or more kinds of personal data in a string and returns matches with
character offsets. Built-in recognisers are pattern-and-checksum based; a third-party
recogniser (Presidio, a NER model) plugs in by implementing :class:`Recognizer` — see
:mod:`drillhall.pii` for an example.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from drillhall.core.model import Confidence

KINDS: tuple[str, ...] = (
    "email", "phone", "card", "iban", "ssn", "nino", "nhs", "ip", "person", "address", "dob",
)
"""Every kind of personal data the engine names (the ``pii:<type>`` tags)."""


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One personal value in a text: ``text[start:end] == value``.

    ``score`` is in [0, 1] (how likely the span is personal data); ``confidence`` is the same
    judgement on the three-step scale findings use. ``repr`` never shows the value in clear.
    """

    kind: str
    start: int
    end: int
    value: str
    confidence: Confidence
    score: float

    def __repr__(self) -> str:
        from drillhall.core.redact import mask

        return (f"PiiMatch(kind={self.kind!r}, start={self.start}, end={self.end}, "
                f"value={mask(self.value)!r}, confidence={self.confidence.value!r}, "
                f"score={self.score:.2f})")


@runtime_checkable
class Recognizer(Protocol):
    """Finds personal data of the kinds in :attr:`kinds`.

    ``context`` is optional text about where ``text`` comes from (a column name such as
    ``"date_of_birth"``, a field label); recognisers that do not use it ignore it.
    """

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this recogniser can report."""
        ...

    def find(self, text: str, context: str = "") -> Iterable[PiiMatch]:
        """Every match in ``text`` (overlaps allowed; the engine resolves them)."""
        ...


def confidence_for(score: float) -> Confidence:
    """The confidence step for a score: >= 0.85 high, >= 0.5 medium, else low."""
    if score >= 0.85:
        return Confidence.HIGH
    if score >= 0.5:
        return Confidence.MEDIUM
    return Confidence.LOW
