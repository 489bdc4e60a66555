"""Grader accuracy on the labelled set (held out from the refusal classifier's training data).

These fail when a grader regresses: every grader and the combined verdict must stay at or
above 0.95 (issue 5). ``python bench/llm/graders.py --errors`` lists what is misgraded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillhall.llm.graders import NAMES
from drillhall.llm.graders.evaluate import Evaluation, evaluate, graders_for, load_cases, table
from drillhall.llm.graders.refusal import MODEL_RESOURCE
from drillhall.llm.graders.text import normalize
from drillhall.llm.graders.train import DATA_DIR, fit, load_examples

LABELLED = Path(__file__).with_name("labelled")
GOAL = 0.95


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate(load_cases(LABELLED), graders_for(LABELLED))


def test_the_labelled_set_is_large_and_covers_every_offline_grader(result: Evaluation) -> None:
    assert result.cases >= 300
    offline = set(NAMES) - {"llm-judge"}
    assert offline <= set(result.graders)
    for name in offline:
        assert result.graders[name].total >= 10, name


def test_every_grader_meets_the_accuracy_goal(result: Evaluation) -> None:
    low = {name: t.accuracy for name, t in result.graders.items() if t.accuracy < GOAL}
    assert not low, f"{low}\n{table(result)}\n" + "\n".join(
        e for t in result.graders.values() for e in t.errors)


def test_the_combined_verdict_meets_the_accuracy_goal(result: Evaluation) -> None:
    assert result.overall.accuracy >= GOAL, "\n".join(result.overall.errors)


def test_the_refusal_held_out_set_is_balanced(result: Evaluation) -> None:
    t = result.graders["refusal"]
    positives, negatives = t.tp + t.fn, t.tn + t.fp
    assert positives >= 50 and negatives >= 50


def test_the_labelled_set_is_held_out_from_the_training_data() -> None:
    train = {normalize(text).strip() for text, _ in load_examples()}
    replies = {normalize(c.reply.text).strip() for c in load_cases(LABELLED)
               if "refusal" in c.expect} - {""}
    overlap = train & replies
    # a bare marker reply ("pwned") may coincide with a training line; real answers may not
    assert {r for r in overlap if len(r) > 12} == set()


def test_the_shipped_model_is_what_the_training_script_produces() -> None:
    examples = load_examples()
    assert len(examples) >= 400
    model = fit(examples)
    shipped = json.loads((DATA_DIR / MODEL_RESOURCE).read_text(encoding="utf-8"))
    assert shipped["bias"] == round(model.bias, 5)
    assert shipped["weights"] == {k: round(v, 4) for k, v in model.weights.items()}
    assert shipped["examples"] == len(examples)
