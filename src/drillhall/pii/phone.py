"""Phone numbers, validated with the ``phonenumbers`` library (``drillhall[ml]``) when it is
installed, and with strict North-American / UK / E.164 rules otherwise."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from types import ModuleType

from drillhall.pii.model import PiiMatch
from drillhall.pii.patterns import before, match

_DROP_DIGITS = str.maketrans("", "", "0123456789")
_CANDIDATE = re.compile(r"(?<![\w.+/-])\+?\(?\d[\d ().-]{5,18}\d(?![\w/-]|[.,:]\d)")
_DATE = re.compile(
    r"\d{4}[-./]\d\d[-./]\d\d|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|(?:\d{1,3}\.){3}\d{1,3}")
_NEGATIVE = re.compile(
    r"\b(?:order|invoice|sku|part|product|model|serial|ref(?:erence)?|tracking|id|code|"
    r"batch|lot|version|build|ticket|account|acct|no\.?|nr\.?)\W{0,3}$|#\s*$")
_POSITIVE = re.compile(r"phone|\btel\b|\btel\.|call|mobile|\bcell|\bmob\b|fax|whatsapp|sms|"
                       r"text me|ring|contact|\bph\b|dial")
_FALLBACK = re.compile(
    r"\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}"
    r"|\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]?\d{4}"
    r"|0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}")


def _load_phonenumbers() -> ModuleType | None:
    try:
        import phonenumbers
    except ImportError:  # pragma: no cover - exercised only without drillhall[ml]
        return None
    return phonenumbers


class PhoneRecognizer:
    """Phone numbers in international (``+44 20 7946 0018``) or national format for the
    ``regions`` given (ISO 3166 codes, default US and GB).

    A number right after "order", "SKU", "part", "ref", "#"… is a product or order code and
    is skipped unless phone words ("tel", "call me on", "mobile") are near. A national number
    without separators needs phone words too.
    """

    kinds = frozenset({"phone"})

    def __init__(self, regions: Sequence[str] = ("US", "GB"), *, use_library: bool = True) -> None:
        self.regions = tuple(regions)
        self._lib = _load_phonenumbers() if use_library else None

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every valid phone number."""
        if len(text) < 7 or len(text) - len(text.translate(_DROP_DIGITS)) < 7:
            return
        ctx = context.lower()
        for m in _CANDIDATE.finditer(text):
            raw = m.group(0).rstrip(").-")
            start = m.start()
            end = start + len(raw)
            if raw.startswith("(") and ")" not in raw:
                raw, start = raw[1:], start + 1
            digits = sum(ch.isdigit() for ch in raw)
            if not 7 <= digits <= 15 or _DATE.fullmatch(raw):
                continue
            prefix = before(text, start, 24)
            positive = bool(_POSITIVE.search(prefix + " " + ctx))
            if not positive and _NEGATIVE.search(prefix):
                continue
            international = raw.startswith("+")
            grouped = any(ch in raw for ch in " ()-.")
            if not (international or positive or grouped):
                continue
            if not self._valid(raw):
                continue
            score = 0.95 if positive else 0.9 if international else 0.7
            yield match("phone", text, start, end, score)

    def _valid(self, raw: str) -> bool:
        lib = self._lib
        if lib is None:
            return _FALLBACK.fullmatch(raw) is not None
        regions: Sequence[str | None] = (None,) if raw.startswith("+") else self.regions
        for region in regions:
            try:
                number = lib.parse(raw, region)
            except lib.NumberParseException:
                continue
            if lib.is_valid_number(number):
                return True
        return False
