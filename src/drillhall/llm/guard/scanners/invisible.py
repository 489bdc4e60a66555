"""``invisible-text``: characters that render as nothing and smuggle text or reorder it.

Flagged: Unicode tag characters (U+E0000..U+E007F, which spell ASCII invisibly: "ASCII
smuggling"), zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+180E), bidirectional
controls (U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069: "Trojan Source"), other
format characters that render as nothing (soft hyphen, invisible operators, deprecated
format controls, interlinear annotation, Hangul fillers, musical format controls),
supplementary variation selectors (U+E0100..U+E01EF, which can encode bytes after a visible
character) and runs of two or more basic variation selectors (U+FE00..U+FE0F; one after an
emoji is ordinary). A zero-width joiner or non-joiner between two non-ASCII characters
(emoji sequences, Persian and Indic scripts) is ordinary text and is left alone.

``redact`` strips what was flagged, leaving every visible character in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.guard.scanners.common import plural

TAG_FIRST, TAG_LAST = 0xE0000, 0xE007F
_ZERO_WIDTH = frozenset({0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E})
_JOINERS = frozenset({0x200C, 0x200D})
_BIDI = frozenset({0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_FORMAT = frozenset({0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0,
                     *range(0x2061, 0x2065), *range(0x206A, 0x2070), *range(0xFFF9, 0xFFFC),
                     *range(0x1D173, 0x1D17B), 0xE0001})
_VS_FIRST, _VS_LAST = 0xFE00, 0xFE0F
_VS_SUP_FIRST, _VS_SUP_LAST = 0xE0100, 0xE01EF


def _kind(code: int) -> str | None:
    if TAG_FIRST <= code <= TAG_LAST:
        return "tag"
    if code in _ZERO_WIDTH:
        return "zero-width"
    if code in _BIDI:
        return "bidi"
    if code in _FORMAT:
        return "format"
    if _VS_SUP_FIRST <= code <= _VS_SUP_LAST:
        return "variation-selector"
    return None


def _is_basic_vs(ch: str) -> bool:
    return _VS_FIRST <= ord(ch) <= _VS_LAST


def find_invisible(text: str) -> list[tuple[int, str]]:
    """``(index, kind)`` of every smuggling character in ``text`` (see the module doc)."""
    found: list[tuple[int, str]] = []
    n = len(text)
    for i, ch in enumerate(text):
        code = ord(ch)
        if code < 0xAD:
            continue
        kind = _kind(code)
        if kind is None:
            if _is_basic_vs(ch) and ((i + 1 < n and _is_basic_vs(text[i + 1]))
                                     or (i > 0 and _is_basic_vs(text[i - 1]))):
                found.append((i, "variation-selector"))
            continue
        if code in _JOINERS and 0 < i < n - 1:
            before, after = text[i - 1], text[i + 1]
            if ord(before) > 0x7F and ord(after) > 0x7F and _kind(ord(before)) is None \
                    and _kind(ord(after)) is None:
                continue
        if code == 0xFEFF and i == 0:
            continue  # a byte-order mark at the very start is an encoding artefact
        found.append((i, kind))
    return found


def hidden_text(text: str) -> str:
    """What the tag characters in ``text`` spell (U+E0020..U+E007E map to ASCII)."""
    return "".join(chr(ord(c) - TAG_FIRST) for c in text
                   if TAG_FIRST + 0x20 <= ord(c) <= TAG_FIRST + 0x7E)


def strip_invisible(text: str) -> str:
    """``text`` without the characters :func:`find_invisible` flags."""
    drop = {i for i, _ in find_invisible(text)}
    return "".join(c for i, c in enumerate(text) if i not in drop) if drop else text


class InvisibleTextScanner:
    """Flags invisible and bidi-control characters used to smuggle or disguise text (see the
    module doc). Score 1.0 for tag characters and supplementary variation selectors (they can
    carry a whole hidden message), 0.8 for the rest."""

    name = "invisible-text"

    def __init__(self, *, action: Action = Action.REDACT,
                 directions: Sequence[Direction] = ("input",)) -> None:
        self.action = action
        self.directions: Sequence[Direction] = tuple(directions)

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        found = find_invisible(text)
        if not found:
            return Verdict(self.name, False, 0.0, "The text has no invisible characters.")
        kinds = tuple(sorted({k for _, k in found}))
        drop = {i for i, _ in found}
        stripped = "".join(c for i, c in enumerate(text) if i not in drop)
        score = 1.0 if {"tag", "variation-selector"} & set(kinds) else 0.8
        hidden = hidden_text(text)
        extra = f", spelling {len(hidden)} hidden characters" if hidden else ""
        return Verdict(self.name, True, score,
                       f"The text has {plural(len(found), 'invisible character')} "
                       f"({', '.join(kinds)}{extra}).",
                       redacted=stripped, kinds=kinds)
