"""``secrets`` and ``pii``: credentials and personal data, in prompts and in answers.

Both reuse drillhall's engines — the secret rules of :mod:`drillhall.ml.secrets` and the
personal-data recognisers of :mod:`drillhall.pii` — so the guard, the ``secrets`` drill and
the ``data`` drill agree on what a key or a card number is. Reasons name the rule or kind and
show values only masked; ``redact`` replaces each value by its mask.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from drillhall.core.redact import mask
from drillhall.llm.graders.content import _EXAMPLE_DOMAIN, _ROLE_MAILBOX
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.guard.scanners.common import mask_spans, plural
from drillhall.pii import PiiMatch, detect
from drillhall.pii.text import STRUCTURED_KINDS


class SecretsScanner:
    """Flags credentials (API keys, tokens, private keys, passwords in connection strings…)
    that drillhall's secret rules detect; ``kinds`` are the rule ids. Score 1.0 for a
    high-confidence rule, 0.8 otherwise."""

    name = "secrets"

    def __init__(self, directions: Sequence[Direction] = ("input", "output"), *,
                 action: Action = Action.REDACT, tool_arguments: bool = True) -> None:
        from drillhall.ml.secrets.engine import get_engine

        self._engine = get_engine()  # compiled once, here, not on the first request
        self.directions: Sequence[Direction] = tuple(directions)
        self.action = action
        self.scans_tool_arguments = tool_arguments

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        spans = self._engine.spans(text)
        hits = self._engine.scan(text, path=direction) if spans else []
        if not hits:
            return Verdict(self.name, False, 0.0, "The text holds no credential.")
        rules = tuple(dict.fromkeys(h.finding.rule_id for h in hits))
        first = hits[0].finding
        score = 1.0 if any(h.finding.confidence.value == "high" for h in hits) else 0.8
        return Verdict(self.name, True, score,
                       f"The text holds {plural(len(hits), 'credential')} ({first.rule_id}, "
                       f"{first.evidence}).",
                       redacted=mask_spans(text, spans), kinds=rules)


def _not_personal(match: PiiMatch) -> bool:
    """Role mailboxes (``support@``…) and reserved example domains are not personal data."""
    return match.kind == "email" and bool(_ROLE_MAILBOX.match(match.value)
                                          or _EXAMPLE_DOMAIN.search(match.value))


class PiiScanner:
    """Flags personal data of ``kinds`` (default: the structured kinds — email, phone, card,
    IBAN, SSN, NINO, NHS number, date of birth) whose recogniser score is at least
    ``threshold``; ``kinds`` of the verdict are the kinds found. Score: the best match's."""

    name = "pii"

    def __init__(self, kinds: Collection[str] = STRUCTURED_KINDS, *, threshold: float = 0.0,
                 directions: Sequence[Direction] = ("input", "output"),
                 action: Action = Action.REDACT, tool_arguments: bool = True) -> None:
        self.kinds = frozenset(kinds)
        self.threshold = threshold
        self.directions: Sequence[Direction] = tuple(directions)
        self.action = action
        self.scans_tool_arguments = tool_arguments

    def find(self, text: str) -> list[PiiMatch]:
        """The personal values the scanner flags in ``text``."""
        if not self.kinds:
            return []
        return [m for m in detect(text, kinds=self.kinds)
                if m.score >= self.threshold and not _not_personal(m)]

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        found = self.find(text)
        if not found:
            return Verdict(self.name, False, 0.0, "The text holds no personal data.")
        kinds = tuple(sorted({m.kind for m in found}))
        return Verdict(self.name, True, round(max(m.score for m in found), 3),
                       f"The text holds {plural(len(found), 'personal value')} "
                       f"({', '.join(kinds)}: {mask(found[0].value)}).",
                       redacted=mask_spans(text, [(m.start, m.end) for m in found]),
                       kinds=kinds)
