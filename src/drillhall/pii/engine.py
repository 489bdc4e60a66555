"""The engine: runs recognisers and resolves overlapping matches."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from drillhall.pii.model import KINDS, PiiMatch, Recognizer
from drillhall.pii.names import AddressRecognizer, PersonRecognizer
from drillhall.pii.patterns import (
    CardRecognizer,
    DobRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    NhsRecognizer,
    NinoRecognizer,
    SsnRecognizer,
)
from drillhall.pii.phone import PhoneRecognizer


def default_recognizers(regions: Sequence[str] = ("US", "GB")) -> list[Recognizer]:
    """The built-in recognisers, one or more per kind in :data:`KINDS`. ``regions`` are the
    phone-number regions tried for numbers written without a country code."""
    return [
        EmailRecognizer(), IbanRecognizer(), CardRecognizer(), SsnRecognizer(),
        NinoRecognizer(), NhsRecognizer(), IpRecognizer(), DobRecognizer(),
        PhoneRecognizer(regions), AddressRecognizer(), PersonRecognizer(),
    ]


class Engine:
    """Runs recognisers over a text and returns non-overlapping matches.

    Where matches overlap, the higher score wins (then the longer span), so a card number is
    not also reported as a phone number.
    """

    def __init__(self, recognizers: Sequence[Recognizer] | None = None) -> None:
        self.recognizers: tuple[Recognizer, ...] = tuple(
            default_recognizers() if recognizers is None else recognizers)

    def detect(self, text: str, *, kinds: Collection[str] | None = None,
               context: str = "") -> list[PiiMatch]:
        """Every personal value in ``text`` of the ``kinds`` asked for (default: all), sorted by
        position. ``context`` says where the text comes from (a column name, a field label)."""
        if not text:
            return []
        wanted = None if kinds is None else frozenset(kinds)
        found: list[PiiMatch] = []
        if wanted is None:
            for rec in self.recognizers:
                found.extend(rec.find(text, context))
        else:
            for rec in self.recognizers:
                if rec.kinds & wanted:
                    found.extend(m for m in rec.find(text, context) if m.kind in wanted)
        return _resolve(found)


def _resolve(found: list[PiiMatch]) -> list[PiiMatch]:
    if len(found) < 2:
        return found
    found.sort(key=lambda m: (-m.score, m.start - m.end, m.start))
    kept: list[PiiMatch] = []
    for m in found:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    kept.sort(key=lambda m: m.start)
    return kept


_DEFAULT: list[Engine] = []


def default_engine() -> Engine:
    """A shared engine with the default recognisers, built on first use."""
    if not _DEFAULT:
        _DEFAULT.append(Engine())
    return _DEFAULT[0]


def detect(text: str, *, kinds: Collection[str] | None = None,
           context: str = "") -> list[PiiMatch]:
    """:meth:`Engine.detect` with the default recognisers."""
    return default_engine().detect(text, kinds=kinds, context=context)


__all__ = ["KINDS", "Engine", "default_engine", "default_recognizers", "detect"]
