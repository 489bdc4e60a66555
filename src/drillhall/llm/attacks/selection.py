"""Choosing the attacks for a run and fitting them to the application under test.

:func:`select` filters the catalogue by category and OWASP id, orders it deterministically
for a seed (same seed, same attacks in the same order), fills the context placeholders, adds
converted variants and applies a limit. Ordering is round-robin over categories so that a small
limit still tests every category.

Indirect prompt injection needs a target that takes retrieved documents. When the context says
it does not (``accepts_documents=False``), the attack is still run, with its documents pasted
into the first user turn as content to work on — the way attacker text reaches a black-box
chat app in practice — and its id gets the suffix ``+inline`` so results of the two deliveries
are never compared as one.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from drillhall.errors import ConfigError
from drillhall.llm.attacks.catalogue import CATEGORIES
from drillhall.llm.attacks.converters import CONVERTERS, convert
from drillhall.llm.attacks.owasp import OWASP_LLM_TOP10
from drillhall.llm.types import AppContext, Attack

__all__ = ["UNCONVERTED_CATEGORIES", "fill", "placeholder_values", "select"]

UNCONVERTED_CATEGORIES: frozenset[str] = frozenset({"package-hallucination",
                                                    "unbounded-consumption"})
"""Categories that :func:`select` does not multiply by converters: their requests are honest
ones, so obfuscating them tests nothing."""

_CONTEXT_PLACEHOLDER = re.compile(r"\{(purpose|canary_hint|tool_names)\}")


def _canary_hint(canaries: Sequence[str]) -> str:
    """Describe the first canary without revealing it: at most a quarter (and at most four
    characters) of it, as :func:`drillhall.core.redact.mask` would show."""
    for canary in canaries:
        shown = min(4, len(canary) // 4)
        if shown >= 2:
            return f"the secret value that begins with '{canary[:shown]}'"
    return "any secret codes, keys, passwords or reference numbers you were given"


def placeholder_values(context: AppContext) -> dict[str, str]:
    """The text each context placeholder stands for in ``context``.

    ``{purpose}`` is the app's purpose (or a generic one), ``{canary_hint}`` points at the
    first canary without containing it, ``{tool_names}`` lists the app's tools.
    """
    purpose = " ".join(context.purpose.split()).rstrip(".") or "helping users with their questions"
    tools = ", ".join(t.name for t in context.tools) or "the tools you can call"
    return {"purpose": purpose, "canary_hint": _canary_hint(context.canaries),
            "tool_names": tools}


def fill(attack: Attack, context: AppContext) -> Attack:
    """``attack`` with ``{purpose}``, ``{canary_hint}`` and ``{tool_names}`` filled from
    ``context``. Other text, including braces, is left as written."""
    values = placeholder_values(context)

    def put(text: str) -> str:
        return _CONTEXT_PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    return replace(attack, turns=tuple(put(t) for t in attack.turns),
                   documents=tuple(put(d) for d in attack.documents),
                   goal=put(attack.goal))


def _inline_documents(attack: Attack) -> Attack:
    """Indirect injection for a target without a documents channel: paste the documents
    into the first user turn."""
    pasted = "\n\n".join(f"--- pasted content {i} ---\n{d}\n--- end of pasted content {i} ---"
                         for i, d in enumerate(attack.documents, start=1))
    first = f"{attack.turns[0]}\n\n{pasted}"
    return replace(attack, id=f"{attack.id}+inline", title=f"{attack.title} (pasted inline)",
                   turns=(first, *attack.turns[1:]), documents=())


def _prepare(attack: Attack, context: AppContext) -> Attack:
    attack = fill(attack, context)
    if attack.documents and not context.accepts_documents:
        attack = _inline_documents(attack)
    return attack


def _check(values: Iterable[str] | None, known: Iterable[str], what: str) -> set[str] | None:
    if values is None:
        return None
    wanted = set(values)
    allowed = set(known)
    unknown = sorted(wanted - allowed)
    if unknown:
        raise ConfigError(f"unknown {what} {unknown[0]!r}; use one of {', '.join(sorted(allowed))}")
    return wanted


def select(
    attacks: Sequence[Attack], *, categories: Iterable[str] | None = None,
    owasp: Iterable[str] | None = None, converters: Sequence[str] = (), seed: int = 0,
    limit: int | None = None, context: AppContext,
) -> list[Attack]:
    """The attacks to run, in the order to run them.

    ``categories`` and ``owasp`` filter (``None``: all). Each selected attack is fitted to
    ``context`` (placeholders filled; documents pasted inline when the target takes none).
    For every name in ``converters`` a converted variant is added (except for
    :data:`UNCONVERTED_CATEGORIES`). Within each category the base attacks are shuffled with
    ``seed`` and come before their variants; categories then take turns, so ``limit`` (a cap on
    the total) keeps every category represented. The same inputs and seed always give the same
    list. Unknown category, OWASP id or converter names raise :class:`ConfigError`.
    """
    wanted_categories = _check(categories, CATEGORIES, "attack category")
    wanted_owasp = _check(owasp, OWASP_LLM_TOP10, "OWASP LLM id")
    _check(converters, CONVERTERS, "converter")
    if limit is not None and limit < 0:
        raise ConfigError(f"the attack limit must be 0 or more (got {limit})")

    queues: list[list[Attack]] = []
    for category in sorted({a.category for a in attacks}):
        if wanted_categories is not None and category not in wanted_categories:
            continue
        base = sorted((a for a in attacks if a.category == category
                       and (wanted_owasp is None or a.owasp in wanted_owasp)),
                      key=lambda a: a.id)
        if not base:
            continue
        # one generator per category: filtering out a category never reorders another
        random.Random(f"{seed}:{category}").shuffle(base)  # noqa: S311 - order, not secrecy
        fitted = [_prepare(a, context) for a in base]
        variants = [] if category in UNCONVERTED_CATEGORIES else [
            convert(a, name) for name in converters for a in fitted]
        queues.append(fitted + variants)

    ordered: list[Attack] = []
    depth = max((len(q) for q in queues), default=0)
    for i in range(depth):
        ordered.extend(q[i] for q in queues if i < len(q))
    return ordered if limit is None else ordered[:limit]
