"""The red team's attack catalogue: shipped attacks, user extensions, converters, selection.

    >>> from drillhall.llm.attacks import load_catalogue, select
    >>> from drillhall.llm.types import AppContext
    >>> attacks = select(load_catalogue(), categories=["jailbreak"], converters=["base64"],
    ...                  seed=7, limit=10, context=AppContext(purpose="answer HR questions"))

See ``docs/llm-attacks.md`` for the catalogue, the OWASP / ATLAS mapping and the file format.
"""

from __future__ import annotations

from drillhall.llm.attacks.catalogue import (
    CATEGORIES,
    GRADERS,
    PLACEHOLDERS,
    load_catalogue,
    load_user_attacks,
    marker_for,
)
from drillhall.llm.attacks.converters import CONVERTERS, convert, crescendo, next_turn
from drillhall.llm.attacks.owasp import ATLAS_TECHNIQUES, OWASP_LLM_TOP10
from drillhall.llm.attacks.selection import UNCONVERTED_CATEGORIES, fill, select

__all__ = [
    "ATLAS_TECHNIQUES",
    "CATEGORIES",
    "CONVERTERS",
    "GRADERS",
    "OWASP_LLM_TOP10",
    "PLACEHOLDERS",
    "UNCONVERTED_CATEGORIES",
    "convert",
    "crescendo",
    "fill",
    "load_catalogue",
    "load_user_attacks",
    "marker_for",
    "next_turn",
    "select",
]
