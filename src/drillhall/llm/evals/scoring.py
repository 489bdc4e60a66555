"""Scoring one answer against one golden item: exact, contains, regex and forbidden content.

Every scorer returns a :class:`Score` in [0, 1] with ``passed``:

==============  ================================================================================
``exact``       the normalised answer equals the normalised expected answer (1 or 0)
``contains``    the share of required facts present in the answer (partial credit); passed when
                all are present
``regex``       the pattern matches somewhere in the answer with its whitespace runs collapsed
                to one space (case-insensitive; write ``(?-i:…)`` for a case-sensitive part)
==============  ================================================================================

Similarity and the judge live in :mod:`drillhall.llm.evals.similarity` and
:mod:`drillhall.llm.evals.judge`. Forbidden content (:func:`forbidden_present`) overrides any
score: the item scores 0 and is a finding.

Normalisation (:func:`normalise`): Unicode NFKC, case folded, typographic quotes and dashes
made plain, whitespace runs collapsed to one space; :func:`normalise_exact` also strips
surrounding punctuation, quotes and markdown emphasis, so ``"Paris."`` equals ``paris``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Score", "forbidden_present", "normalise", "normalise_exact", "score_contains",
           "score_exact", "score_regex"]

_SPACE = re.compile(r"\s+")
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                        "\u00a0": " "})
_EDGES = " \t\n.,;:!?\"'`*_>#-()[]"


@dataclass(frozen=True, slots=True)
class Score:
    """How well one answer did. ``method`` names the scorer (``similarity`` adds its
    backend: ``similarity:minilm`` or ``similarity:tfidf``); ``detail`` is one sentence on
    why, with nothing sensitive in it."""

    score: float
    passed: bool
    method: str
    detail: str = ""


def normalise(text: str) -> str:
    """Text for case- and whitespace-insensitive comparison (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).translate(_PLAIN).casefold()
    return _SPACE.sub(" ", folded).strip()


def normalise_exact(text: str) -> str:
    """:func:`normalise`, then surrounding punctuation, quotes and emphasis stripped."""
    return normalise(text).strip(_EDGES)


def score_exact(answer: str, expected: str) -> Score:
    """1 when the normalised answer equals the normalised expected answer, else 0."""
    same = normalise_exact(answer) == normalise_exact(expected)
    return Score(1.0 if same else 0.0, same, "exact",
                 "The answer is the expected answer." if same
                 else "The answer differs from the expected answer.")


def score_contains(answer: str, facts: Sequence[str]) -> Score:
    """The share of ``facts`` present in ``answer``; passed when all are."""
    text = normalise(answer)
    missing = [i for i, fact in enumerate(facts, 1) if normalise(fact) not in text]
    share = (len(facts) - len(missing)) / len(facts) if facts else 0.0
    if not missing:
        detail = f"All {len(facts)} required fact(s) are present."
    else:
        numbers = ", ".join(f"#{i}" for i in missing[:8]) + (", …" if len(missing) > 8 else "")
        detail = f"{len(facts) - len(missing)} of {len(facts)} required facts present; " \
                 f"missing {numbers}."
    return Score(round(share, 4), not missing, "contains", detail)


def score_regex(answer: str, pattern: str) -> Score:
    """1 when ``pattern`` matches somewhere in the answer (whitespace collapsed), else 0."""
    text = _SPACE.sub(" ", answer).strip()
    found = re.search(pattern, text, re.IGNORECASE | re.DOTALL) is not None
    return Score(1.0 if found else 0.0, found, "regex",
                 "The answer matches the pattern." if found
                 else "The answer does not match the pattern.")


def forbidden_present(answer: str, forbidden: Sequence[str]) -> list[int]:
    """The 0-based indexes of the ``forbidden`` texts present in ``answer`` (compared like
    required facts: case- and whitespace-insensitive)."""
    text = normalise(answer)
    return [i for i, item in enumerate(forbidden) if normalise(item) in text]
