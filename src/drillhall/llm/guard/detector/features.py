"""Text normalisation and the n-gram features of the lexical stage.

The training script (``scripts/guard/train.py``) and the run-time scorer call the same
:func:`features`, so what the model was trained on is exactly what it scores. Pure Python:
the lexical stage needs no third-party package.

A text is normalised (Unicode NFKC, case-folded, invisible and control characters dropped,
runs of white space collapsed), then yields

* word unigrams and bigrams, prefixed with ``\\x1f`` (a character normalisation removes, so a
  word feature never equals a character n-gram), and
* character 3-, 4- and 5-grams over the normalised text with a space at each end.
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
_TAGS = re.compile("[\U000e0000-\U000e007f]")

#: Prefix of word features; :data:`_INVISIBLE` removes it from every normalised text.
WORD_PREFIX = "\x1f"
CHAR_SIZES = (3, 4, 5)


def normalise(text: str) -> str:
    """Return ``text`` as the lexical stage sees it (NFKC, case-folded, no invisibles, single
    spaces, stripped)."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAGS.sub("", text.translate(_INVISIBLE)).casefold()
    return _SPACE.sub(" ", text).strip()


def features(text: str) -> list[str]:
    """Every feature occurrence of ``text`` (word 1-2-grams and char 3-5-grams), repeated as
    often as it occurs."""
    norm = normalise(text)
    words = _WORD.findall(norm)
    out = [WORD_PREFIX + w for w in words]
    out.extend(f"{WORD_PREFIX}{a} {b}" for a, b in itertools.pairwise(words))
    padded = f" {norm} "
    size = len(padded)
    for n in CHAR_SIZES:
        out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out

