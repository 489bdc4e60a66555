"""Benign prompts that *mention* an attack phrase: security people discussing injections.

A guard sits in front of assistants used by the people who defend against prompt injection:
they ask what a phrase means, why a keyword filter for it is weak, how to log or test for it.
An attack phrase inside quotation marks is not an attack when the request is *about* the
phrase. These frames (written for drillhall) put phrases built from ``attack_templates``'
slot lists into such questions, as *training* data (label 0). They never ask the assistant
to process, summarise, translate or classify the quoted text: that is how an indirect
injection arrives, and ``attack_templates`` trains those as attacks.

``families()`` is deterministic; ``generate(seed, per_family)`` samples with a fixed seed.
"""

from __future__ import annotations

import itertools

from attack_templates import _DROP, _GOALS, _PRIOR
from templating import sample, show

_QUESTIONS = [
    'What does the phrase "{q}" mean in the context of LLM security?',
    'Why do attackers type "{q}" into chatbots, and why does it sometimes work?',
    'Our gateway logged a request containing "{q}". What should the on-call engineer check?',
    'Is a blocklist entry for "{q}" enough to stop prompt injection? What are its blind spots?',
    'Write a pytest case asserting that our assistant declines when a user sends "{q}".',
    'How would you detect messages like "{q}" in a customer support bot without blocking '
    "normal users?",
    'Explain to a product manager, in two sentences, why input such as "{q}" is a risk for an '
    "LLM feature.",
    'For a security awareness slide: what is a message like "{q}" trying to achieve?',
    'Is "{q}" an example of direct or indirect prompt injection?',
    'Which OWASP Top 10 for LLM applications entry covers inputs like "{q}"?',
    'How should our incident report describe a user who repeatedly sent "{q}"?',
    'What log fields would help us investigate requests such as "{q}" later?',
    'Do phrases like "{q}" still work on current models, according to published research?',
    'My moderation rule flags every message that contains "{q}". How many false positives '
    "should I expect?",
    'We are building a red-team report. Which category would you file "{q}" under, and what '
    "severity?",
    'Our guard blocked "{q}" but let a paraphrase through. How do we make detection more robust?',
    'In a threat model for our RAG app, where could text like "{q}" enter the pipeline?',
    'How do I write a regular expression that matches variants of "{q}", and why is a regex '
    "not enough?",
]
_CASUAL = [
    'someone in our discord keeps posting "{q}" at the bot, is that dangerous?',
    'saw "{q}" in a tweet about chatbots - what is that about?',
    'my students asked what "{q}" does to an AI. how do I explain it simply?',
    'the audit log has "{q}" from a test account. was that our pentester?',
    'quick q: is "{q}" the classic jailbreak phrase people talk about?',
]


def _phrases() -> list[str]:
    """Short attack phrases (one clause), built from the attack templates' slot lists."""
    overrides = [f"{v} {t}" for v, t in itertools.product(_DROP, _PRIOR)]
    goals = [f"{v} {t} and {g}" for (v, t), g in zip(
        itertools.product(_DROP, _PRIOR), itertools.cycle(_GOALS),
        strict=False)]
    return [*overrides, *goals, *_GOALS]


def families() -> dict[str, list[str]]:
    """Every family's prompts (deterministic, no randomness)."""
    phrases = _phrases()
    out: dict[str, list[str]] = {"meta-security": [], "meta-casual": []}
    for i, frame in enumerate(_QUESTIONS):
        stride = len(_QUESTIONS) // 2  # each phrase in two of the frames
        out["meta-security"].extend(frame.format(q=p) for p in phrases[i % stride :: stride])
    for i, frame in enumerate(_CASUAL):
        out["meta-casual"].extend(frame.format(q=p) for p in phrases[i :: len(_CASUAL) * 3])
    return {name: list(dict.fromkeys(items)) for name, items in out.items()}


def generate(seed: int = 19, per_family: int = 600) -> list[str]:
    """Deterministic sample: at most ``per_family`` prompts from each family."""
    return sample(families(), seed, per_family)


if __name__ == "__main__":
    show(families(), generate())
