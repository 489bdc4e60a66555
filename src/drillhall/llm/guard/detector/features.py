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
  everyday punctuation mark (``. , ? ! : ; ' " - ( )``).

Version 1 took character n-grams across word boundaries and punctuation; they learnt the
public sets' house style (S-Labs' benign rows carry no punctuation, its attacks do), so
``"s. "`` or ``"e: "`` counted as evidence of an attack. Weights files say which version they
were trained for (:data:`VERSION`).
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
VERSION = 2


def normalise(text: str) -> str:
    """Return ``text`` as the lexical stage sees it (NFKC, case-folded, no invisibles, single
    spaces, stripped)."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAGS.sub("", text.translate(_INVISIBLE)).casefold()
    return _SPACE.sub(" ", text).strip()


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
    return out

