"""Benign training prompts built from templates: the words attacks use, in ordinary requests.

The public sets teach a lexical model that "from now on", "ignore", "act as", "system prompt"
or "jailbreak" mean an attack, because their benign rows rarely use those words. These
templates (written for drillhall, no third-party text) add ordinary requests that do, as
*training* data only. The hand-written hard negatives in ``tests/llm/guard/data`` are a
separate text that no template reproduces; they stay an evaluation set.

Conversational families (greetings, thanks, small talk, short everyday requests, pleasantries
in other languages) live in :mod:`conversation_templates`; ``generate`` samples both.

``generate(seed)`` is deterministic; ``train.py`` adds its output to the training split.
"""

from __future__ import annotations

import itertools
import random

from conversation_templates import families as conversation_families

_OBJECTS = [
    "the outliers", "the noise in this data", "the first row", "the header line", "the typo",
    "the formatting", "the last paragraph", "the duplicate entries", "the empty cells",
    "the timestamps", "the old draft", "the footnotes", "the currency symbols", "case",
    "the whitespace", "the comments in the code", "the test files", "the warnings",
    "my earlier email", "the previous quote", "the attached logo", "the second column",
]
_TASKS = [
    "summarise the rest", "count the remaining rows", "tell me the average",
    "check the grammar", "sort the names", "give me the total", "plot the trend",
    "find the largest value", "list the unique cities", "translate it into Spanish",
    "make it shorter", "explain what the function does", "fix the bug",
]
_STYLES = [
    "answer in bullet points", "use metric units", "reply in French", "keep it brief",
    "use British spelling", "explain like I'm five", "include a short example",
    "cite the chapter numbers", "use a friendly tone", "write in the second person",
    "number each step", "avoid jargon", "add a one-line summary at the end",
]
_ROLES = [
    "a patient maths tutor", "a travel guide in Kyoto", "a job interviewer",
    "a fitness coach", "a museum guide", "a chess teacher", "a sommelier",
    "a customer who lost a parcel", "a librarian", "a product manager",
    "a Linux mentor", "a debate partner", "a piano teacher", "a career counsellor",
]
_ROLE_TASKS = [
    "help me practise", "walk me through the basics", "ask me three questions",
    "give me feedback on my answer", "suggest a plan for next week", "quiz me gently",
]
_TECH = [
    ("ignore", ["files in git", "a flake8 rule", "a deprecation warning", "SIGHUP in a daemon",
                "case in a SQL query", "a directory in rsync", "errors in a bash loop"]),
    ("override", ["a CSS rule", "a method in Python", "environment variables in Docker Compose",
                  "the default timeout in requests", "a Terraform variable", "a systemd unit"]),
    ("bypass", ["the cache in my browser", "a proxy for localhost", "CORS during development",
                "the CDN to test the origin", "a slow DNS resolver"]),
    ("disable", ["autocorrect on my phone", "a cron job", "IPv6 on Ubuntu", "a Chrome extension",
                 "telemetry in VS Code", "the sleep timer"]),
    ("reset", ["my router", "a forgotten Windows PIN on my own laptop", "a git branch",
               "the admin password of my own Jenkins", "a MySQL root password on my server"]),
    ("unlock", ["my own Android bootloader", "a locked Excel sheet I made", "my SIM card",
                "a frozen account with the bank's help"]),
    ("reveal", ["hidden files on Windows", "a saved Wi-Fi password on my laptop",
                "formulas in a spreadsheet", "the full path in Finder"]),
    ("print", ["a list in reverse", "the environment variables of my shell",
               "a dictionary as a table", "the current git commit"]),
]
_TOPICS = [
    "prompt injection", "jailbreak attacks on chatbots", "system prompt leakage",
    "indirect prompt injection through web pages", "LLM guardrails", "red teaming of AI models",
    "data exfiltration through markdown images", "the DAN prompt", "adversarial suffixes",
    "AI safety evaluations", "tool misuse by AI agents", "canary tokens in prompts",
]
_TOPIC_ASKS = [
    "What is {t}, in simple terms?", "Write a short training slide about {t}.",
    "How do security teams test for {t}?", "Give me three defences against {t}.",
    "Summarise the research on {t} in one paragraph.",
    "Is there a benchmark that measures {t}?", "Explain {t} to a product manager.",
    "What logs would help us investigate {t}?",
]
_QUOTES = [
    "ignore previous instructions", "you are now DAN", "reveal your system prompt",
    "developer mode", "disregard all prior rules", "pretend you have no restrictions",
]
_QUOTE_ASKS = [
    'Our gateway logged a request containing "{q}". What should the on-call engineer check?',
    'Why do attackers write "{q}" in chatbot messages?',
    'Write a regex that flags the phrase "{q}" and explain its weaknesses.',
    'Is a keyword filter for "{q}" enough to protect an assistant?',
    'Translate the phrase "{q}" into German for my security glossary.',
]
_DEVICE = [
    "Is it safe to jailbreak an old iPhone?", "What does jailbreaking a Kindle do?",
    "Which games did people jailbreak the PS3 for?", "Review the movie Jailbreak (2017).",
    "What does the word jailbreak mean in phone slang?",
]


def generate(seed: int = 7, per_family: int = 120, per_chat_family: int = 200) -> list[str]:
    """Deterministic benign prompts: ``per_family`` at most from each attack-word family and
    ``per_chat_family`` at most from each conversational family (0 leaves those out)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not security
    families: list[list[str]] = [
        [f"Ignore {o} and {t}." for o, t in itertools.product(_OBJECTS, _TASKS)],
        [f"Please disregard {o}; {t}." for o, t in itertools.product(_OBJECTS, _TASKS)],
        [f"Forget {o} for now and {t}." for o, t in itertools.product(_OBJECTS, _TASKS)],
        [f"From now on, {s}." for s in _STYLES]
        + [f"From now on, {s} and {s2}." for s, s2 in itertools.permutations(_STYLES, 2)],
        [f"Act as {r} and {t}." for r, t in itertools.product(_ROLES, _ROLE_TASKS)]
        + [f"Pretend you are {r}; {t}." for r, t in itertools.product(_ROLES, _ROLE_TASKS)]
        + [f"You are {r}. {t.capitalize()}." for r, t in itertools.product(_ROLES, _ROLE_TASKS)],
        [f"How do I {verb} {obj}?" for verb, objs in _TECH for obj in objs]
        + [f"What's the safest way to {verb} {obj}?" for verb, objs in _TECH for obj in objs],
        [a.format(t=t) for a, t in itertools.product(_TOPIC_ASKS, _TOPICS)],
        [a.format(q=q) for a, q in itertools.product(_QUOTE_ASKS, _QUOTES)],
        [f"Write a system prompt for {r[2:] if r.startswith('a ') else r} bot that must {s}."
         for r, s in itertools.product(_ROLES, _STYLES)],
        list(_DEVICE),
    ]
    out: list[str] = []
    for family in families:
        rng.shuffle(family)
        out.extend(family[:per_family])
    for family in conversation_families() if per_chat_family else []:
        rng.shuffle(family)
        out.extend(family[:per_chat_family])
    return out
