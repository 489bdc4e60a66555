"""The building blocks of secret rules: a :class:`Detector` pairs a bounded regular expression
with the literal keywords that must occur near a match.

The engine first finds every keyword occurrence (one pass over the text, with Hyperscan when
available), then runs a detector's regex only in a window around its keywords. Patterns are
bounded (``{20,64}``, never ``+``) so that no input makes them backtrack for long.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drillhall.core.model import Confidence, Severity
from drillhall.core.rules import RuleInfo
from drillhall.ml.secrets.placeholders import is_placeholder, shannon_entropy

Check = Callable[[re.Match[str], str], bool]
"""Extra validation of a match: ``check(match, value) -> keep?``."""

CWE_798 = "CWE-798"
OWASP_ML_SUPPLY = "ML06"  # OWASP ML Top 10: AI supply chain attacks
TAGS = (CWE_798,)

#: A token boundary on the left / right for tokens made of letters, digits, ``_`` and ``-``.
L = r"(?<![A-Za-z0-9_\-])"
R = r"(?![A-Za-z0-9_\-])"
#: The same for base64 values (``+``, ``/`` and ``=`` belong to the token).
LB = r"(?<![A-Za-z0-9+/_\-])"
RB = r"(?![A-Za-z0-9+/=_\-])"
#: ``NAME … = "`` between a key-like name and its value in code, config, JSON or YAML.
ASSIGN = r"""[\w.\-]{0,30}?['"\]]?\s{0,4}(?:=|:|:=|=>|->|<-|\?=)\s{0,4}['"`]?"""


@dataclass(frozen=True, slots=True)
class Detector:
    """One way to recognise a rule's secret.

    ``pattern`` finds it; its named group ``secret`` (or ``secret2``) is the value, otherwise
    the whole match. ``keywords`` are ASCII literals matched case-insensitively and
    ``case_keywords`` exactly; the pattern runs from ``before`` characters ahead of a keyword to
    ``after`` characters past it. ``priority`` decides which rule keeps a span two rules match.
    ``prefix`` characters of the value are a fixed prefix, left out of the regularity checks.
    """

    rule_id: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...] = ()
    case_keywords: tuple[str, ...] = ()
    before: int = 8
    after: int = 256
    priority: int = 100
    confidence: Confidence = Confidence.HIGH
    min_entropy: float = 0.0
    prefix: int = 0
    check: Check | None = None
    third_party: bool = True
    """False: not applied to files inside site-packages, node_modules and similar trees."""
    third_party_entropy: float = 0.0
    """Inside such trees, the least entropy (bits per character) a value needs to count."""
    skip_suffixes: tuple[str, ...] = ()
    """File name endings (``.py`` …) of files the detector is not applied to."""
    role: str = "finding"
    """``finding``, or ``pair-candidate`` for values that only count next to a partner."""

    def value(self, m: re.Match[str]) -> tuple[str, int, int]:
        """The secret a match holds, with its span."""
        for name in ("secret", "secret2"):
            if name in self.pattern.groupindex and m.group(name) is not None:
                return m.group(name), m.start(name), m.end(name)
        return m.group(0), m.start(), m.end()

    def accepts(self, m: re.Match[str], value: str) -> bool:
        """Whether a regex match is a secret: not a placeholder, random enough, checked."""
        body = value[self.prefix:]
        if is_placeholder(value, body=body):
            return False
        if self.min_entropy and shannon_entropy(body) < self.min_entropy:
            return False
        return self.check is None or self.check(m, value)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule's documentation plus the confidence its findings carry."""

    info: RuleInfo
    confidence: Confidence = Confidence.HIGH


def rule(rule_id: str, title: str, description: str, remediation: str, severity: Severity,
         *, tags: tuple[str, ...] = TAGS, confidence: Confidence = Confidence.HIGH,
         help_uri: str | None = None) -> RuleSpec:
    """Shorthand for a :class:`RuleSpec`."""
    return RuleSpec(RuleInfo(rule_id, title, description, remediation, severity, tags, help_uri),
                    confidence)


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a detector pattern."""
    return re.compile(pattern, flags)


def token(rule_id: str, pattern: str, *keywords: str, prefix: int = 0, min_entropy: float = 3.0,
          after: int = 400, before: int = 8, priority: int = 100, check: Check | None = None,
          caseless: bool = False) -> Detector:
    """A detector for a token with a distinctive literal prefix (``ghp_``, ``AIza`` …)."""
    return Detector(
        rule_id, rx(pattern), keywords=keywords if caseless else (),
        case_keywords=() if caseless else keywords, before=before, after=after,
        priority=priority, min_entropy=min_entropy, prefix=prefix, check=check,
    )


def named(rule_id: str, names: str, value: str, *keywords: str, min_entropy: float = 3.0,
          confidence: Confidence = Confidence.HIGH, priority: int = 80,
          check: Check | None = None) -> Detector:
    """A detector for a value without a distinctive prefix, assigned to a telling name
    (``DD_API_KEY = "…"``). ``names`` is a case-insensitive regex for the name."""
    pattern = rf"(?i:{names}){ASSIGN}(?P<secret>{value}){RB}"
    return Detector(rule_id, rx(pattern), keywords=keywords, before=48, after=240,
                    priority=priority, confidence=confidence, min_entropy=min_entropy,
                    check=check)


def has_classes(value: str, n: int = 2) -> bool:
    """Whether ``value`` mixes at least ``n`` of: lower case, upper case, digits."""
    return sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                any(c.isdigit() for c in value))) >= n
