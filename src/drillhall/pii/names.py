"""Person names and postal addresses, by heuristics (no NER model is available offline).

Names: a title ("Mr", "Dr."), a context phrase ("Dear", "my name is", "Regards,"), or a
given name followed by a surname from the bundled list ``data/names.txt`` (common given names
and surnames, compiled for drillhall). Addresses: a house number, capitalised street words and
a street suffix (US and UK), optionally a city, state and ZIP; UK postcodes on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from drillhall.pii.model import PiiMatch
from drillhall.pii.patterns import DIGIT, match


@dataclass(frozen=True, slots=True)
class NameLists:
    """Lower-cased given names, surnames and given names that are also everyday words."""

    given: frozenset[str]
    surname: frozenset[str]
    ambiguous: frozenset[str]

    def known(self, word: str) -> bool:
        """True if ``word`` is in any list."""
        w = word.lower()
        return w in self.given or w in self.surname or w in self.ambiguous


@cache
def load_names() -> NameLists:
    """The bundled names list (read once, immutable)."""
    text = resources.files("drillhall.pii").joinpath("data/names.txt").read_text("utf-8")
    sections: dict[str, set[str]] = {"given": set(), "surname": set(), "ambiguous": set()}
    current = sections["given"]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections[line.strip("[]")]
        else:
            current.add(line.lower())
    amb = frozenset(sections["ambiguous"])
    return NameLists(frozenset(sections["given"]) - amb, frozenset(sections["surname"]), amb)


_WORD = r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
_TITLE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)(\.?)\s+({_WORD}(?:\s+{_WORD})?)")
_CONTEXT = re.compile(
    r"(?:(?i:\bname\s*(?:is|:)|\bdear|regards,?|sincerely,?|\bthanks,|cheers,|\bfrom:|"
    r"\bsigned:?|\bcontact:|\battn:?|\bpatient:|\bcustomer:|\bi am|\bi'm|\bthis is))"
    rf"\s+({_WORD}(?:\s+{_WORD}){{0,2}})")
_TITLE_WORDS = ("Mr", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame")
_CONTEXT_WORDS = ("name", "dear", "regards", "sincerely", "thanks,", "cheers,", "from:",
                  "signed", "contact:", "attn", "patient:", "customer:", "i am", "i'm",
                  "this is")
_TITLE_QUICK = re.compile("|".join(_TITLE_WORDS))
_CONTEXT_QUICK = re.compile("|".join(re.escape(w) for w in _CONTEXT_WORDS))
_PAIR = re.compile(rf"\b({_WORD})\s+({_WORD})\b")
_NAME_COLUMN = re.compile(r"name|person|customer|contact|author|patient|employee|owner|user")
_CELL = re.compile(rf"\s*({_WORD}(?:\s+(?:[A-Z]\.?\s+)?{_WORD}){{0,2}})\s*")
_NOT_SURNAME = frozenset({"street", "road", "avenue", "lane", "team", "support", "plan"})


class PersonRecognizer:
    """Person names from titles, context phrases and the names list."""

    kinds = frozenset({"person"})

    def __init__(self, names: NameLists | None = None) -> None:
        self.names = names or load_names()

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every likely person name."""
        n = self.names
        if context and _NAME_COLUMN.search(context.lower()):
            cell = _CELL.fullmatch(text)
            if cell and any(n.known(w) for w in cell.group(1).split()):
                yield match("person", text, cell.start(1), cell.end(1), 0.9)
                return
        titled = _TITLE_QUICK.search(text) is not None
        for m in _TITLE.finditer(text) if titled else ():
            first = m.group(3).split()[0]
            if m.group(1) != "Dr" or m.group(2) or n.known(first):
                yield match("person", text, m.start(), m.end(), 0.9)
        lower = text.lower()
        contexted = _CONTEXT_QUICK.search(lower) is not None
        for m in _CONTEXT.finditer(text) if contexted else ():
            words = m.group(1).split()
            if n.known(words[0]):
                keep = 1
                while keep < len(words) and n.known(words[keep]):
                    keep += 1
                end = m.start(1) + len(" ".join(words[:keep])) if keep < len(words) else m.end(1)
                if keep == 1 and len(words) > 1 and words[1].lower() not in _NOT_SURNAME:
                    end = m.start(1) + len(" ".join(words[:2]))
                yield match("person", text, m.start(1), end, 0.9)
        for m in _PAIR.finditer(text):
            first, last = m.group(1).lower(), m.group(2).lower()
            if last in n.surname and (first in n.given or first in n.ambiguous):
                yield match("person", text, m.start(), m.end(), 0.8)


_SUFFIX = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|"
           r"Pl|Terrace|Way|Close|Crescent|Gardens|Square|Sq|Parkway|Pkwy|Highway|Hwy|Row|Mews|"
           r"Grove|Walk|Circle|Cir)")
_POSTCODE = r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}"
_STREET = re.compile(
    rf"(?<![\w.,/-])\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\.?\s+){{1,4}}{_SUFFIX}\b\.?"
    r"(?:,?\s+(?:Apt|Suite|Unit|Flat)\.?\s*#?\w+)?"
    r"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?"
    rf"(?:,?\s*[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|,?\s*{_POSTCODE})?(?![\w-])")
_POSTCODE_ALONE = re.compile(rf"(?<![\w-]){_POSTCODE}(?![\w-])")


class AddressRecognizer:
    """Postal addresses: US / UK street addresses and UK postcodes."""

    kinds = frozenset({"address"})

    def find(self, text: str, context: str = "") -> Iterator[PiiMatch]:
        """Every street address and every UK postcode."""
        if len(text) < 6 or DIGIT.search(text) is None:
            return
        for m in _STREET.finditer(text):
            yield match("address", text, m.start(), m.end(), 0.85)
        for m in _POSTCODE_ALONE.finditer(text):
            yield match("address", text, m.start(), m.end(), 0.7)
