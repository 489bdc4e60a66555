"""Pattern-and-checksum recognisers: email, card, IBAN, SSN, NINO, NHS number, IP, date of birth.

Each recogniser runs a cheap character test first (an ``@``, a digit, an upper-case letter) so
that most strings cost one scan; candidates from a precompiled pattern are then validated by
checksum and by the words around them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from datetime import date

from drillhall.pii.checksums import card_ok, iban_ok, nhs_ok, nino_ok, ssn_ok
from drillhall.pii.model import PiiMatch, confidence_for

DIGIT = re.compile(r"[0-9]")
_DIGIT = DIGIT


def before(text: str, start: int, width: int = 40) -> str:
    """The lower-cased ``width`` characters before ``start``."""
    return text[max(0, start - width):start].lower()


def match(kind: str, text: str, start: int, end: int, score: float) -> PiiMatch:
    """A :class:`PiiMatch` for ``text[start:end]``."""
    return PiiMatch(kind, start, end, text[start:end], confidence_for(score), score)


class EmailRecognizer:
    """E-mail addresses. Addresses at reserved domains (example.com, .test, .invalid…) are
    still reported, with a lower score (medium confidence): fixtures and demo data often copy
    real local parts."""

    kinds = frozenset({"email"})
    _pattern = re.compile(
        r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
        r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
    )
    _reserved = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|test|example|invalid|localhost)$")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every address; ``..`` in the local part is rejected."""
        if "@" not in text:
            return
        for m in self._pattern.finditer(text):
            if ".." in m.group(0):
                continue
            reserved = self._reserved.search(m.group(1).lower()) is not None
            yield match("email", text, m.start(), m.end(), 0.55 if reserved else 0.95)


class CardRecognizer:
    """Payment card numbers: 12 to 19 digits, optionally grouped by one kind of separator, in a
    known IIN range and passing Luhn. Numbers introduced as order, invoice or tracking ids
    are skipped unless card words are near."""

    kinds = frozenset({"card"})
    _pattern = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){11,18}(?![\w/-]|[.,]\d)")
    _negative = re.compile(r"\b(?:order|invoice|tracking|ref(?:erence)?|ticket|id|no\.?|#)\W*$")
    _positive = re.compile(r"card|visa|master|amex|credit|debit|cc|pan\b|payment")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every Luhn-valid card number in a real IIN range."""
        if len(text) < 12 or not _DIGIT.search(text):
            return
        for m in self._pattern.finditer(text):
            raw = m.group(0)
            seps = {ch for ch in raw if not ch.isdigit()}
            if len(seps) > 1:
                continue
            digits = raw.replace(" ", "").replace("-", "")
            if not card_ok(digits):
                continue
            prefix = before(text, m.start())
            positive = bool(self._positive.search(prefix + " " + context.lower()))
            if not positive and self._negative.search(prefix):
                continue
            score = 0.97 if positive or seps else 0.85
            yield match("card", text, m.start(), m.end(), score)


class IbanRecognizer:
    """IBANs, compact or in groups of four, checked against the country length and mod-97."""

    kinds = frozenset({"iban"})
    _start = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})(\d{2})(?=[ ]?[A-Z0-9])")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every valid IBAN."""
        from drillhall.pii.checksums import IBAN_LENGTHS

        if len(text) < 15 or not _DIGIT.search(text):
            return
        for m in self._start.finditer(text):
            length = IBAN_LENGTHS.get(m.group(1))
            if length is None:
                continue
            chars: list[str] = []
            i, n = m.start(), len(text)
            while i < n and len(chars) < length:
                ch = text[i]
                if ch.isascii() and ch.isalnum():
                    chars.append(ch)
                elif not (ch == " " and i + 1 < n and text[i + 1] != " " and chars):
                    break
                i += 1
            if len(chars) != length or (i < n and text[i].isalnum()):
                continue
            if iban_ok("".join(chars).upper()):
                yield match("iban", text, m.start(), i, 0.98)


class SsnRecognizer:
    """US Social Security numbers: ``AAA-GG-SSSS`` (or spaced), and nine bare digits only
    next to SSN words."""

    kinds = frozenset({"ssn"})
    _pattern = re.compile(r"(?<![\w.-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)")
    _words = re.compile(r"ssn|social security|soc\.? sec|tax ?id|\btin\b")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every SSN that could have been issued."""
        if len(text) < 9 or not _DIGIT.search(text):
            return
        for m in self._pattern.finditer(text):
            if not ssn_ok(m.group(1), m.group(3), m.group(4)):
                continue
            near = bool(self._words.search(before(text, m.start()) + " " + context.lower()))
            if m.group(2) == "" and not near:
                continue
            if m.group(2) == " " and not near:
                continue
            yield match("ssn", text, m.start(), m.end(), 0.95 if near else 0.75)


class NinoRecognizer:
    """UK National Insurance numbers such as ``QQ 12 34 56 C`` (valid prefixes only)."""

    kinds = frozenset({"nino"})
    _pattern = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\w])")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every NINO with a valid prefix and suffix."""
        if len(text) < 9 or not _DIGIT.search(text):
            return
        for m in self._pattern.finditer(text):
            if nino_ok("".join(m.groups())):
                yield match("nino", text, m.start(), m.end(), 0.92)


class NhsRecognizer:
    """NHS numbers (10 digits, mod-11) — only next to NHS words, since a bare 10-digit
    number is as likely a phone number."""

    kinds = frozenset({"nhs"})
    _pattern = re.compile(r"(?<![\w.-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-]|\.\d)")
    _words = re.compile(r"\bnhs|health|patient")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every valid NHS number with NHS context."""
        if len(text) < 10 or not _DIGIT.search(text):
            return
        ctx = context.lower()
        for m in self._pattern.finditer(text):
            if not nhs_ok(m.group(1) + m.group(3) + m.group(4)):
                continue
            if self._words.search(before(text, m.start(), 30) + " " + ctx):
                yield match("nhs", text, m.start(), m.end(), 0.93)


class IpRecognizer:
    """IPv4 and IPv6 addresses (validated by :mod:`ipaddress`). Loopback and unspecified
    addresses are skipped, private ones scored low, and dotted quads after ``version``,
    ``v``, ``build`` or ``release`` are version strings, not addresses."""

    kinds = frozenset({"ip"})
    _v4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\w)")
    _v6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
    _version = re.compile(
        r"(?:\bv|version|ver\.?|release|build|firmware|fw|rev|release[- ]?)\s*[:=]?\s*$")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every public or private address that is not a version string."""
        if "." in text and _DIGIT.search(text):
            for m in self._v4.finditer(text):
                if self._version.search(before(text, m.start(), 12)):
                    continue
                yield from self._check(text, m.start(), m.end())
        if "::" in text or text.count(":") >= 7:
            for m in self._v6.finditer(text):
                if "::" in m.group(0) or m.group(0).count(":") == 7:
                    yield from self._check(text, m.start(), m.end())

    @staticmethod
    def _check(text: str, start: int, end: int) -> Iterator[PiiMatch]:
        try:
            addr = ipaddress.ip_address(text[start:end])
        except ValueError:
            return
        if addr.is_loopback or addr.is_unspecified or addr.is_multicast:
            return
        score = 0.45 if addr.is_private or addr.is_reserved else 0.9
        yield match("ip", text, start, end, score)


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


class DobRecognizer:
    """Dates of birth: a real past date shortly after "DOB", "date of birth", "born" or
    "birthday", or any date when the context (e.g. the column name) says birth."""

    kinds = frozenset({"dob"})
    _dates = re.compile(
        r"(?<![\w/.-])(?:(?P<y1>(?:19|20)\d\d)-(?P<m1>\d\d)-(?P<d1>\d\d)"
        r"|(?P<a2>\d{1,2})[/.-](?P<b2>\d{1,2})[/.-](?P<y2>(?:19|20)\d\d)"
        rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)? (?P<m3>{_MON}),? (?P<y3>(?:19|20)\d\d)"
        rf"|(?P<m4>{_MON}) (?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y4>(?:19|20)\d\d))"
        r"(?![\w/-]|[.:]\d)",
        re.IGNORECASE,
    )
    _words = re.compile(r"\bd\.?o\.?b\b|date of birth|birth ?date|\bborn\b|birthday|\bbirth")

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every past date in birth context."""
        if len(text) < 6 or not _DIGIT.search(text):
            return
        in_context = bool(self._words.search(context.lower().replace("_", " ")))
        for m in self._dates.finditer(text):
            if not (in_context or self._introduced(before(text, m.start(), 40))):
                continue
            if _parse(m) is not None:
                yield match("dob", text, m.start(), m.end(), 0.9)


    def _introduced(self, prefix: str) -> bool:
        """True if a birth word ends at most 16 characters before the date."""
        ends = [m.end() for m in self._words.finditer(prefix)]
        return bool(ends) and len(prefix) - ends[-1] <= 16


def _month(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(key))


def _parse(m: re.Match[str]) -> date | None:
    """The date a :class:`DobRecognizer` match names, or None if it is not a real past date."""
    g = m.groupdict()
    try:
        if g["y1"]:
            d = date(int(g["y1"]), int(g["m1"]), int(g["d1"]))
        elif g["y2"]:
            a, b = int(g["a2"]), int(g["b2"])
            try:
                d = date(int(g["y2"]), b, a)  # day first (UK/EU)
            except ValueError:
                d = date(int(g["y2"]), a, b)  # month first (US)
        elif g["y3"]:
            d = date(int(g["y3"]), _month(g["m3"]), int(g["d3"]))
        else:
            d = date(int(g["y4"]), _month(g["m4"]), int(g["d4"]))
    except (ValueError, StopIteration):
        return None
    return d if date(1900, 1, 1) <= d <= date.today() else None
