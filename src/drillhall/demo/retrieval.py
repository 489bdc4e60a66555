"""Keyword retrieval over the demo service's documentation (Okapi BM25 over sections).

Each Markdown file under ``assets/docs`` is split at its ``##`` headings into passages. A
passage keeps the raw text of its section, including HTML comments, because the stand-in model
reads what it retrieves exactly as a careless retrieval pipeline would; the comments are only
hidden from the text the model quotes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from drillhall.errors import InputError

_WORD = re.compile(r"[a-z0-9]+")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_STOPWORDS = frozenset({
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "do", "does",
    "for", "from", "get", "give", "have", "how", "i", "if", "in", "is", "it", "know", "like",
    "make", "me", "my", "need", "of", "on", "or", "please", "should", "tell", "the", "to", "use",
    "want", "what", "when", "where", "which", "who", "why", "will", "with", "would", "write",
    "you", "your", "we", "our", "this", "that", "there",
})

K1 = 1.5
B = 0.75


def _stem(word: str) -> str:
    """A crude suffix strip, enough to match "booking" with "book" and "claims" with "claim"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and (word.endswith("e") or word[-1] == word[-2] not in "ls"):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case, stemmed word tokens without stop words."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def hidden_comments(text: str) -> list[str]:
    """The contents of the HTML comments in ``text`` (invisible once the Markdown is rendered)."""
    return [match.strip() for match in _COMMENT.findall(text)]


def visible_text(text: str) -> str:
    """``text`` without HTML comments and with whitespace collapsed, as a reader would see it."""
    return " ".join(_COMMENT.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class Passage:
    """One section of one document."""

    doc: str
    """File name of the document, e.g. ``vpn.md``."""
    doc_title: str
    heading: str
    text: str
    """Raw Markdown of the section body (HTML comments included)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage and its BM25 score."""

    passage: Passage
    score: float
    matched: int
    """How many distinct query terms the passage contains."""


def split_document(name: str, markdown: str) -> list[Passage]:
    """Split one Markdown document into passages at its ``#``/``##`` headings."""
    title = name
    passages: list[Passage] = []
    heading = ""
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip()
        if text:
            passages.append(Passage(name, title, heading or title, text))

    for line in markdown.splitlines():
        if line.startswith("# "):
            flush()
            title = heading = line[2:].strip()
            body = []
        elif line.startswith("## "):
            flush()
            heading = line[3:].strip()
            body = []
        else:
            body.append(line)
    flush()
    return passages


def covers(query: str, hit: Hit) -> bool:
    """Whether ``hit`` really answers ``query``: it must contain at least two of the query's
    terms (or its only term), so one shared common word is not taken for an answer."""
    return hit.matched >= min(2, len(set(tokenize(query))))


class Retriever(Protocol):
    """Where the assistant looks things up: :class:`DocsIndex` in process, or the docs index
    service over HTTP (:class:`drillhall.demo.upstream.RemoteDocsIndex`)."""

    def search(self, query: str, limit: int = 3) -> list[Hit]: ...

    def covers(self, query: str, hit: Hit) -> bool: ...

    def document_text(self, doc: str) -> str: ...


class DocsIndex:
    """A BM25 index over the passages of every ``*.md`` file in a directory."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._terms = [Counter(tokenize(f"{p.doc_title} {p.heading} {visible_text(p.text)}"))
                       for p in passages]
        self._lengths = [sum(terms.values()) for terms in self._terms]
        self._avg_length = (sum(self._lengths) / len(self._lengths)) if passages else 0.0
        frequency: Counter[str] = Counter()
        for terms in self._terms:
            frequency.update(terms.keys())
        n = len(passages)
        self._idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5))
                     for term, df in frequency.items()}

    @classmethod
    def from_directory(cls, directory: Path) -> DocsIndex:
        """Index every ``*.md`` file in ``directory`` (sorted by name, so ties are stable)."""
        if not directory.is_dir():
            raise InputError(f"the documentation directory {directory} does not exist")
        passages: list[Passage] = []
        for path in sorted(directory.glob("*.md")):
            try:
                markdown = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read the document {path}: {exc}") from exc
            passages.extend(split_document(path.name, markdown))
        if not passages:
            raise InputError(f"the documentation directory {directory} holds no Markdown")
        return cls(passages)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The best ``limit`` passages for ``query`` with a positive score, best first."""
        words = sorted(set(tokenize(query)))
        hits: list[Hit] = []
        for passage, terms, length in zip(self.passages, self._terms, self._lengths, strict=True):
            score, matched = 0.0, 0
            for word in words:
                tf = terms.get(word, 0)
                if tf:
                    norm = tf + K1 * (1 - B + B * length / self._avg_length)
                    score += self._idf[word] * tf * (K1 + 1) / norm
                    matched += 1
            if score > 0:
                hits.append(Hit(passage, score, matched))
        hits.sort(key=lambda hit: hit.score, reverse=True)  # stable: ties keep file order
        return hits[:limit]

    def covers(self, query: str, hit: Hit) -> bool:
        return covers(query, hit)

    def document_text(self, doc: str) -> str:
        """The raw text of every passage of one document, joined."""
        return "\n\n".join(p.text for p in self.passages if p.doc == doc)
