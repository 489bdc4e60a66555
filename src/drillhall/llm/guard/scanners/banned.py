"""``banned``: substrings, regular expressions and topics the application does not accept.

All matching is case-insensitive. Substrings match anywhere; a topic is a list of keywords
(or phrases) matched as whole words. Reasons name the substring by its position in the list,
the regex by its pattern and the topic by its name — never the matched text, which may be
sensitive. ``redact`` masks every match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.guard.scanners.common import mask_spans


def _keyword(word: str) -> str:
    body = r"\s+".join(re.escape(w) for w in word.split())
    return rf"(?<!\w){body}(?!\w)"


class BannedScanner:
    """Flags banned substrings, regex matches and topic keywords (see the module doc)."""

    name = "banned"

    def __init__(self, substrings: Sequence[str] = (), regexes: Sequence[str] = (),
                 topics: Mapping[str, Sequence[str]] | None = None, *,
                 action: Action = Action.BLOCK,
                 directions: Sequence[Direction] = ("input",)) -> None:
        self.action = action
        self.directions: Sequence[Direction] = tuple(directions)
        rules: list[tuple[str, re.Pattern[str]]] = []
        rules.extend((f"substring #{n}", re.compile(re.escape(s), re.IGNORECASE))
                     for n, s in enumerate(substrings, 1))
        rules.extend((f"regex {r!r}", re.compile(r, re.IGNORECASE)) for r in regexes)
        for topic, words in (topics or {}).items():
            pattern = "|".join(_keyword(w) for w in sorted(words, key=len, reverse=True))
            rules.append((f"topic:{topic}", re.compile(pattern, re.IGNORECASE)))
        self._rules = tuple(rules)

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        spans: list[tuple[int, int]] = []
        hit: list[str] = []
        for label, pattern in self._rules:
            found = [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]
            if found:
                hit.append(label)
                spans.extend(found)
        if not hit:
            return Verdict(self.name, False, 0.0, "The text has nothing banned.")
        kinds = tuple(h if h.startswith("topic:") else h.split(" ", 1)[0] for h in hit)
        return Verdict(self.name, True, 1.0,
                       f"The text matches banned {', '.join(hit[:5])}"
                       f"{' and more' if len(hit) > 5 else ''}.",
                       redacted=mask_spans(text, spans), kinds=tuple(dict.fromkeys(kinds)))
