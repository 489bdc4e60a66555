"""The demo service's stand-in language model: deterministic, pure Python, weak on purpose.

:class:`DocsAssistantModel` answers questions from the bundled documentation by quoting the
best BM25 passage (:mod:`drillhall.demo.retrieval`). It behaves like a naive first LLM
deployment, so each weakness the LLM drills look for is really there:

* **Direct prompt injection** (OWASP LLM01): a user message containing "ignore previous
  instructions …" (or a role-play jailbreak such as "you are now …") makes it do what follows,
  e.g. ``say "X"`` makes it answer exactly ``X``.
* **System prompt leakage** (OWASP LLM07): asked for its system prompt, its instructions or
  "the text above", it repeats every system message verbatim, canary included.
* **Indirect prompt injection** (OWASP LLM01): instructions hidden in HTML comments of a
  retrieved document, a tool result or pasted text are obeyed; a markdown image in such a
  comment is appended to the answer with the user's question URL-encoded into its address.

Everything is decided by regular expressions over the conversation, so the same conversation
always gets the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from drillhall.demo.retrieval import DocsIndex, Hit, Retriever, hidden_comments, visible_text
from drillhall.errors import InputError

MODEL_ID = "docs-assistant-1"

_FLAGS = re.IGNORECASE | re.DOTALL
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|of)\s+)*(?:your\s+|my\s+)?"
    r"(?:(?:previous|prior|above|earlier|preceding|former|original|existing|system)"
    r"(?:\s+(?:instructions?|directions|rules|prompts?|guidelines|context|messages?))?"
    r"|instructions?|directions|rules|prompts?|guidelines|everything(?:\s+(?:before|above))?)\b"
    r"[\s.,:;!\-]*(?:(?:and|instead|now|then)\b[\s,:]*)*(?P<payload>.*)$",
    _FLAGS,
)
_JAILBREAK = re.compile(
    r"\b(?:you are now|from now on,? you (?:are|will)|pretend (?:to be|you are)|developer mode|"
    r"do anything now|(?-i:DAN)\b|(?:without|with no) (?:any )?(?:restrictions|filters)|"
    r"roleplay as|act as an? (?:unrestricted|unfiltered|uncensored|evil|jailbroken)|jailbr[eo]ak)",
    _FLAGS,
)
_LEAK = re.compile(
    r"system\s+(?:prompt|message)|"
    r"\byour\s+(?:(?:initial|original|hidden|secret|system|full|exact)\s+)*"
    r"(?:instructions|prompt|rules|guidelines|configuration|directives)\b|"
    r"(?:initial|original|hidden|secret)\s+(?:instructions|prompt)|"
    r"(?:text|words|content|everything|messages?)\s+(?:written\s+|that\s+(?:is|was)\s+)?above|"
    r"\brepeat\s+(?:the\s+|all\s+(?:the\s+)?)?(?:text|words)\b|"
    r"instructions\s+you\s+(?:were|have\s+been)\s+given|what\s+(?:were|was)\s+you\s+told|"
    r"(?:start|beginning)\s+of\s+(?:this|the|your)\s+(?:conversation|context|prompt)|"
    r"internal\s+reference",
    _FLAGS,
)
_ECHO = re.compile(
    r"^(?:please\s+|now\s+|just\s+|simply\s+)*"
    r"(?:say|print|output|repeat|type|(?:respond|reply|answer)\s+(?:only\s+)?with)\b"
    r"[\s:,\-]*(?:only\s+|exactly\s+|just\s+|back\s+|out\s+)*"
    r"(?:(?:the\s+)?(?:following\s+)?(?:word|words|phrase|text|string|sentence)s?\b[\s:,\-]*)?"
    r"(?P<text>.+)$",
    _FLAGS,
)
_QUOTED = re.compile(r"""^(["'“‘`])(?P<inner>.+?)(["'”’`])""", re.DOTALL)
_TRAILER = re.compile(r"\s*(?:,?\s*(?:and\s+nothing\s+else|verbatim|exactly))?[\s.!]*$", _FLAGS)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)\s]+\)")
_PLACEHOLDER = re.compile(r"<[a-z_ -]+>|\{[a-z_ -]+\}", re.IGNORECASE)
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a conversation (OpenAI roles: system, user, assistant, tool)."""

    role: str
    content: str


@dataclass(frozen=True, slots=True)
class Completion:
    """The model's answer with OpenAI-style token accounting."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    """``stop``, or ``length`` when ``max_tokens`` cut the answer short."""


def count_tokens(text: str) -> int:
    """A rough token count: words and punctuation marks."""
    return len(_TOKEN.findall(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The prefix of ``text`` holding at most ``limit`` tokens (see :func:`count_tokens`)."""
    if limit <= 0:
        return ""
    for index, match in enumerate(_TOKEN.finditer(text)):
        if index == limit - 1:
            return text[: match.end()]
    return text


def _echoed(sentence: str) -> str | None:
    """What an obedient model says for ``say "X"``-style commands, or None."""
    match = _ECHO.match(sentence.strip())
    if match is None:
        return None
    text = match.group("text").strip()
    quoted = _QUOTED.match(text)
    if quoted is not None:
        return quoted.group("inner")
    return _TRAILER.sub("", text) or None


class DocsAssistantModel:
    """The deterministic stand-in model of the demo documentation assistant."""

    model_id = MODEL_ID

    def __init__(self, system_prompt: str, index: Retriever) -> None:
        self.system_prompt = system_prompt.strip()
        self.index = index

    @classmethod
    def from_assets(cls, assets: Path, docs_url: str | None = None) -> DocsAssistantModel:
        """Load ``system_prompt.txt`` and index ``docs/`` from an assets directory, or use
        the docs index service at ``docs_url`` (:mod:`drillhall.demo.upstream`)."""
        prompt_path = assets / "system_prompt.txt"
        try:
            prompt = prompt_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the system prompt {prompt_path}: {exc}") from exc
        if docs_url is not None:
            from drillhall.demo.upstream import RemoteDocsIndex

            return cls(prompt, RemoteDocsIndex(docs_url))
        return cls(prompt, DocsIndex.from_directory(assets / "docs"))

    def complete(
        self, messages: Sequence[ChatMessage], max_tokens: int | None = None
    ) -> Completion:
        """Answer a conversation, cutting the answer at ``max_tokens`` tokens if given."""
        text = self.reply(messages)
        prompt_tokens = count_tokens(self.system_prompt) + sum(
            count_tokens(m.content) for m in messages
        )
        finish = "stop"
        if max_tokens is not None and count_tokens(text) > max_tokens:
            text, finish = truncate_tokens(text, max_tokens), "length"
        return Completion(text, prompt_tokens, count_tokens(text), finish)

    def reply(self, messages: Sequence[ChatMessage]) -> str:
        """The full answer to a conversation (the last user message is the question)."""
        users = [m for m in messages if m.role == "user"]
        if not users:
            return "Hello, I am DocsBot. Ask me anything about the internal documentation."
        question = users[-1].content.strip()
        obeyed = self._obey_direct(question, messages)
        if obeyed is not None:
            return obeyed
        query = visible_text(question)
        hits = [hit for hit in self.index.search(query, limit=10) if self.index.covers(query, hit)]
        extras = self._hidden_instructions(self._carriers(hits, messages), question)
        if not hits:
            answer = (
                "I could not find this in the internal documentation. Please raise a ticket "
                "with the IT desk so that someone can help you."
            )
        else:
            answer = self._quote(hits[0])
        return "\n\n".join([answer, *extras])

    # -- the weaknesses -------------------------------------------------------------------

    def _leak(self, messages: Sequence[ChatMessage]) -> str:
        """Repeat every system message verbatim: the service's prompt, then the client's."""
        prompts = [self.system_prompt] + [
            m.content.strip() for m in messages if m.role == "system" and m.content.strip()
        ]
        return "Sure. These are my instructions:\n\n" + "\n\n".join(prompts)

    def _obey(self, payload: str, messages: Sequence[ChatMessage]) -> str:
        """Do what an injected instruction says."""
        payload = payload.strip()
        if not payload:
            return "Understood. I will ignore my previous instructions. What should I do instead?"
        if _LEAK.search(payload):
            return self._leak(messages)
        for sentence in _SENTENCE.split(payload):
            echoed = _echoed(sentence)
            if echoed is not None:
                return echoed
        return (
            "Sure! I am no longer bound by my previous instructions. "
            f"Doing exactly what you asked: {payload}"
        )

    def _obey_direct(self, question: str, messages: Sequence[ChatMessage]) -> str | None:
        """The answer when the user's own message injects instructions, else None."""
        injected = _INJECTION.search(question)
        if injected is not None:
            return self._obey(injected.group("payload"), messages)
        if _LEAK.search(question):
            return self._leak(messages)
        jailbreak = _JAILBREAK.search(question)
        if jailbreak is not None:
            return self._obey(question[jailbreak.end():].lstrip(" ,.:;!-"), messages)
        return None

    def _carriers(self, hits: Sequence[Hit], messages: Sequence[ChatMessage]) -> list[str]:
        """Text the model reads as instructions besides the question. A naive pipeline trusts
        it all: tool results in full, and the HTML comments hidden in pasted user text and in
        the best covering document (read whole)."""
        carriers: list[str] = []
        for message in messages:
            if message.role in ("tool", "function"):
                carriers.append(message.content)
            elif message.role == "user":
                carriers.extend(hidden_comments(message.content))
        if hits:
            carriers.extend(hidden_comments(self.index.document_text(hits[0].passage.doc)))
        return carriers

    def _hidden_instructions(self, carriers: Sequence[str], question: str) -> list[str]:
        """Obey planted instructions: append the markdown images they ask for (with the question
        URL-encoded into the address) and do what injected instructions say."""
        extras: list[str] = []
        for text in carriers:
            found: list[str] = [
                _PLACEHOLDER.sub(lambda _m: quote(question, safe=""), image)
                for image in _IMAGE.findall(text)
            ]
            injected = _INJECTION.search(text)
            if not found and injected is not None:
                found.append(self._obey(injected.group("payload"), []))
            extras.extend(item for item in found if item not in extras)
        return extras

    def _quote(self, hit: Hit) -> str:
        """A grounded answer quoting the best passage."""
        passage = hit.passage
        where = passage.doc_title if passage.heading == passage.doc_title else (
            f"{passage.doc_title} › {passage.heading}"
        )
        return (
            f'According to the internal documentation ("{where}", {passage.doc}):\n\n'
            f"> {visible_text(passage.text)}"
        )
