"""Text normalisation and the n-gram features of the lexical stage.

The training script (``scripts/guard/train.py``) and the run-time scorer call the same
:func:`features`, so what the model was trained on is exactly what it scores. Pure Python:
the lexical stage needs no third-party package.

A text is normalised (Unicode NFKC, case-folded, invisible and control characters dropped,
runs of white space collapsed), then yields

* word unigrams and bigrams, prefixed with ``\\x1f`` (a character normalisation removes, so a
  word feature never equals a character n-gram),
* character 3-, 4- and 5-grams *within* each word, the word padded with a space at each end
  (so spelling variants and obfuscated words still share features), and
* symbol runs (``</``, ``###``, ``{``, ``%%`` …), prefixed with ``\\x1e``, except a lone
  everyday punctuation mark (``. , ? ! : ; ' " - ( )``), and
* for each leetspeak word (letters mixed with ``0 1 3 4 5 7 @ $ € | +``), the word spelt
  with letters (``r3v3al`` → ``reveal``, ``$y$t€m`` → ``system``) as an extra word feature.

Look-alike letters: a word that mixes Latin letters with Cyrillic or Greek ones that look
like Latin letters (``system`` written with a Cyrillic ``s`` and ``y``) is spelt in Latin by
:func:`normalise`, so an obfuscated word shares the features of the plain one; a word wholly
in Cyrillic or Greek is left as it is. Latin small capitals are folded everywhere.

Version 1 took character n-grams across word boundaries and punctuation; they learnt the
public sets' house style (S-Labs' benign rows carry no punctuation, its attacks do), so
``"s. "`` or ``"e: "`` counted as evidence of an attack. Weights files say which version they
were trained for (:data:`VERSION`); version 3 added look-alike folding and leetspeak words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

#: Characters dropped before anything else: zero-width and bidirectional controls, the BOM,
#: soft hyphen, and the C0/C1 controls other than white space.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x00, 0x09),
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        0xFEFF,
    ]
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_SYMBOLS = re.compile(r"[^\w\s]+")
_TAGS = re.compile("[\U000e0000-\U000e007f]")

#: Prefix of word features; :data:`_INVISIBLE` removes it from every normalised text.
WORD_PREFIX = "\x1f"
#: Prefix of symbol-run features (also removed from every normalised text).
SYMBOL_PREFIX = "\x1e"
CHAR_SIZES = (3, 4, 5)
#: Lone punctuation marks that are not features: too common to mean anything but house style.
PLAIN_PUNCTUATION = frozenset(".,?!:;'\"-()")
#: The feature scheme; a lexical weights file records the one it was trained with.
VERSION = 3
#: Cyrillic and Greek letters that look like Latin ones (lower case: :func:`normalise` folds
#: case first), folded to Latin inside words that also contain Latin letters.
_LOOKALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ω": "w",
})
_LOOKALIKE_CHARS = frozenset(chr(c) for c in _LOOKALIKE)
#: Latin small capitals (which NFKC leaves alone), folded to Latin wherever they occur.
_SMALL_CAPS = str.maketrans(dict(zip(
    "\u1d00\u0299\u1d04\u1d05\u1d07\ua730\u0262\u029c\u026a\u1d0a\u1d0b\u029f\u1d0d"
    "\u0274\u1d0f\u1d18\u01eb\u0280\ua731\u1d1b\u1d1c\u1d20\u1d21\u028f\u1d22",
    "abcdefghijklmnopqrstuvwyz", strict=True)))
_MIXED = re.compile(r"\w*[a-z]\w*")
#: Leetspeak characters and the letters they stand for.
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "€": "e", "|": "l", "+": "t"})
_LEET_WORD = re.compile(r"[\w@$€|+]*[a-z][\w@$€|+]*")
_LEET_CHARS = frozenset("013457@$€|+")


def normalise(text: str) -> str:
    """Return ``text`` as the lexical stage sees it (NFKC, case-folded, no invisibles, single
    spaces, stripped)."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAGS.sub("", text.translate(_INVISIBLE)).casefold()
    if not text.isascii():
        text = _MIXED.sub(_fold_lookalikes, text.translate(_SMALL_CAPS))
    return _SPACE.sub(" ", text).strip()


def _fold_lookalikes(match: re.Match[str]) -> str:
    word = match.group()
    return word.translate(_LOOKALIKE) if _LOOKALIKE_CHARS.intersection(word) else word


def _leet_words(norm: str) -> list[str]:
    """The leetspeak words of a normalised text, spelt with letters (only those that come
    out as letters alone: ``r3v3al`` gives ``reveal``, ``mp3`` gives ``mpe``, ``2024``
    nothing)."""
    out = []
    for token in _LEET_WORD.findall(norm):
        if len(token) < 3 or not _LEET_CHARS.intersection(token):
            continue
        plain = token.translate(_LEET)
        if plain.isalpha() and plain != token:
            out.append(WORD_PREFIX + plain)
    return out


def features(text: str) -> list[str]:
    """Every feature occurrence of ``text`` (word 1-2-grams, in-word char 3-5-grams and symbol
    runs), repeated as often as it occurs."""
    norm = normalise(text)
    words = _WORD.findall(norm)
    out = [WORD_PREFIX + w for w in words]
    out.extend(f"{WORD_PREFIX}{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in CHAR_SIZES:
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    out.extend(
        SYMBOL_PREFIX + s
        for s in _SYMBOLS.findall(norm)
        if len(s) > 1 or s not in PLAIN_PUNCTUATION
    )
    if not norm.isalpha():
        out.extend(_leet_words(norm))
    return out

