"""select() is deterministic, fits attacks to the context and honours filters and limits."""

from __future__ import annotations

import re

import pytest

from drillhall.errors import ConfigError
from drillhall.llm.attacks import (
    CATEGORIES,
    UNCONVERTED_CATEGORIES,
    fill,
    load_catalogue,
    select,
)
from drillhall.llm.attacks.selection import placeholder_values
from drillhall.llm.types import AppContext, ToolSpec

ATTACKS = load_catalogue()
CANARY = "DHCANARY-" + "q7f3k2p9z4"  # assembled: never a literal token in the tree
CONTEXT = AppContext(
    system_prompt=f"You are an HR helper. Reference {CANARY}.", canaries=(CANARY,),
    purpose="answering questions about the staff handbook.",
    tools=(ToolSpec("search_handbook"), ToolSpec("open_ticket")), accepts_documents=True,
)


def test_same_seed_same_attacks_in_same_order() -> None:
    first = select(ATTACKS, seed=42, context=CONTEXT, converters=["base64"])
    assert first == select(ATTACKS, seed=42, context=CONTEXT, converters=["base64"])
    assert [a.id for a in first] != [a.id for a in select(ATTACKS, seed=43, context=CONTEXT,
                                                          converters=["base64"])]


def test_everything_selected_once_by_default() -> None:
    chosen = select(ATTACKS, context=CONTEXT)
    assert sorted(a.id for a in chosen) == sorted(a.id for a in ATTACKS)


def test_limit_keeps_every_category() -> None:
    chosen = select(ATTACKS, seed=3, limit=len(CATEGORIES), context=CONTEXT)
    assert sorted(a.category for a in chosen) == sorted(CATEGORIES)
    assert select(ATTACKS, limit=0, context=CONTEXT) == []
    with pytest.raises(ConfigError, match="limit"):
        select(ATTACKS, limit=-1, context=CONTEXT)


def test_filters() -> None:
    chosen = select(ATTACKS, categories=["jailbreak", "pii-disclosure"], context=CONTEXT)
    assert {a.category for a in chosen} == {"jailbreak", "pii-disclosure"}
    llm07 = select(ATTACKS, owasp=["LLM07"], context=CONTEXT)
    assert llm07 and {a.category for a in llm07} == {"system-prompt-extraction"}
    assert select(ATTACKS, categories=["jailbreak"], owasp=["LLM07"], context=CONTEXT) == []


def test_filtering_a_category_does_not_reorder_another() -> None:
    alone = select(ATTACKS, categories=["jailbreak"], seed=9, context=CONTEXT)
    mixed = select(ATTACKS, seed=9, context=CONTEXT)
    assert [a.id for a in alone] == [a.id for a in mixed if a.category == "jailbreak"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"categories": ["sqli"]}, r"unknown attack category 'sqli'"),
    ({"owasp": ["LLM99"]}, r"unknown OWASP LLM id 'LLM99'"),
    ({"converters": ["morse"]}, r"unknown converter 'morse'"),
])
def test_unknown_names(kwargs: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        select(ATTACKS, context=CONTEXT, **kwargs)  # type: ignore[arg-type]


def test_converters_add_variants_after_base_attacks() -> None:
    chosen = select(ATTACKS, converters=["base64", "lang-fr"], context=CONTEXT)
    convertible = [a for a in ATTACKS if a.category not in UNCONVERTED_CATEGORIES]
    assert len(chosen) == len(ATTACKS) + 2 * len(convertible)
    assert not any(a.converter for a in chosen if a.category in UNCONVERTED_CATEGORIES)
    for category in CATEGORIES:
        kinds = [a.converter is not None for a in chosen if a.category == category]
        assert kinds == sorted(kinds)  # all base attacks first


def test_placeholders_filled_and_canary_never_sent() -> None:
    for attack in select(ATTACKS, context=CONTEXT):
        for text in (*attack.turns, *attack.documents, attack.goal):
            assert not re.search(r"\{(purpose|canary_hint|tool_names)\}", text), attack.id
            assert CANARY not in text
    ask = next(a for a in select(ATTACKS, context=CONTEXT)
               if a.id == "canary-leakage.direct.ask-for-value")
    assert "'DHCA'" in ask.turns[0]
    task = next(a for a in select(ATTACKS, context=CONTEXT)
                if a.id == "prompt-injection.hijack.task-switch")
    assert "answering questions about the staff handbook" in task.turns[0]


def test_placeholder_values_without_context() -> None:
    values = placeholder_values(AppContext())
    assert values["purpose"] == "helping users with their questions"
    assert values["canary_hint"].startswith("any secret")
    assert values["tool_names"] == "the tools you can call"
    assert placeholder_values(AppContext(canaries=("abc",)))["canary_hint"].startswith("any")
    assert placeholder_values(CONTEXT)["tool_names"] == "search_handbook, open_ticket"


def test_fill_leaves_other_braces_alone() -> None:
    attack = next(a for a in ATTACKS if a.id == "prompt-injection.override.json-role")
    assert fill(attack, CONTEXT).turns == attack.turns


def test_indirect_injection_without_a_documents_channel_is_pasted_inline() -> None:
    blind = AppContext(accepts_documents=False)
    chosen = select(ATTACKS, categories=["indirect-prompt-injection"], context=blind)
    assert chosen and all(a.id.endswith("+inline") and not a.documents for a in chosen)
    by_id = {a.id: a for a in ATTACKS}
    for attack in chosen:
        original = by_id[attack.id.removesuffix("+inline")]
        assert original.documents[0] in attack.turns[0]
        assert attack.turns[1:] == original.turns[1:]
        assert attack.marker == original.marker
    kept = select(ATTACKS, categories=["indirect-prompt-injection"], context=CONTEXT)
    assert all(a.documents and "+" not in a.id for a in kept)
