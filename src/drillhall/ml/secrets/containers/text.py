"""Text and binary content: telling them apart, decoding text, cutting long text into
overlapping chunks, and extracting printable strings from binaries (like ``strings``)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from drillhall.ml.secrets.containers.model import Blob, Limits

#: Shortest run of printable characters kept from a binary.
MIN_STRING = 8

_SAMPLE = 8192
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that ordinary text contains: tab, newline, vertical tab, form feed, carriage
# return, backspace, escape.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x08\x1b")
_CONTROL_TABLE = bytes(1 if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F else 0
                       for b in range(256))
_PRINTABLE = frozenset(range(0x20, 0x7F)) | {0x09}
# For the ASCII pass: printable → 'a', anything else → NUL.
_ASCII_MAP = bytes(0x61 if b in _PRINTABLE else 0 for b in range(256))
# For the UTF-16LE pass: printable ASCII → 'a', NUL → 'z', anything else → '.'.
_WIDE_MAP = bytes(0x61 if 0x20 <= b < 0x7F else 0x7A if b == 0 else 0x2E for b in range(256))
_ASCII_SEED = b"a" * MIN_STRING
_WIDE_SEED = b"az" * MIN_STRING
_WIDE_RUN = re.compile(rb"(?:az)+")


def detect_encoding(sample: bytes) -> str | None:
    """The codec to decode text starting with ``sample``, or ``None`` if it looks binary.

    A byte-order mark decides; then UTF-16 without one (every other byte NUL); then a NUL or
    more than 10% control bytes means binary; otherwise UTF-8 if the sample is valid UTF-8
    (a character cut at the end of the sample is allowed) and Latin-1 if not.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec
    sample = sample[:_SAMPLE]
    if not sample:
        return "utf-8"
    if b"\0" in sample:
        return _bomless_utf16(sample)
    controls = sample.translate(_CONTROL_TABLE).count(1)
    if controls * 10 > len(sample):
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _bomless_utf16(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` if the sample is ASCII-range text in UTF-16 without a mark."""
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, chars, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) * 10 >= len(zeros) * 9 and chars.count(0) * 10 < len(chars):
            return codec
    return None


def decode(data: bytes, codec: str) -> str:
    """Decode all of ``data``; UTF-8 that turns out invalid further on falls back to Latin-1,
    and other codecs replace what they cannot decode."""
    if codec == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.decode(codec, "replace")


def chunk_text(pieces: Iterable[str], display: str, limits: Limits, *,
               has_lines: bool = True) -> Iterator[Blob]:
    """Blobs of at most ``limits.max_file_bytes`` characters from consecutive pieces of text.

    A chunk ends after a newline where there is one in its second half, else at the size
    limit; the next chunk starts up to :attr:`Limits.overlap` characters earlier (at a line
    start where possible) so that nothing near a boundary is cut in every chunk.
    """
    size, overlap = limits.max_file_bytes, limits.overlap
    buf, line = "", 1
    for piece in pieces:
        buf = buf + piece if buf else piece
        while len(buf) > size:
            cut = buf.rfind("\n", 0, size) + 1
            if cut <= 2 * overlap or cut < size // 2:
                cut = size
            yield Blob(display, buf[:cut], has_lines, line)
            start = buf.rfind("\n", cut - 2 * overlap, cut - overlap) + 1
            if start <= cut - 2 * overlap:
                start = cut - overlap
            line += buf.count("\n", 0, start)
            buf = buf[start:]
    if buf:
        yield Blob(display, buf, has_lines, line)


def read_text(stream: BinaryIO, codec: str, limits: Limits) -> Iterator[str]:
    """Decoded pieces of ``stream`` read ``max_file_bytes`` at a time (bounded memory)."""
    errors = "strict" if codec in ("utf-8", "latin-1") else "replace"
    decoder = codecs.getincrementaldecoder(codec)(errors)
    while True:
        raw = stream.read(limits.max_file_bytes)
        try:
            text = decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            # Invalid UTF-8 further on: decode the rest with replacement characters.
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            text = decoder.decode(raw, final=not raw)
        if text:
            yield text
        if not raw:
            return


def printable_strings(data: bytes, *, stop: int | None = None) -> list[str]:
    """Runs of at least :data:`MIN_STRING` printable ASCII characters (tab included) and of
    UTF-16LE text in that range, as ``strings`` and ``strings -el`` find them.

    Only runs that start before ``stop`` are returned (they may end after it).
    """
    stop = len(data) if stop is None else stop
    out: list[str] = []
    ascii_map = data.translate(_ASCII_MAP)
    pos = 0
    while pos < stop:
        begin = ascii_map.find(_ASCII_SEED, pos, stop + MIN_STRING - 1)
        if begin < 0:
            break
        end = ascii_map.find(b"\0", begin + MIN_STRING)
        end = len(data) if end < 0 else end
        out.append(data[begin:end].decode("ascii"))
        pos = end
    if b"\0" not in data:
        return out
    wide_map = data.translate(_WIDE_MAP)
    pos = 0
    while pos < stop:
        begin = wide_map.find(_WIDE_SEED, pos, stop + len(_WIDE_SEED) - 1)
        if begin < 0:
            break
        m = _WIDE_RUN.match(wide_map, begin)
        end = m.end() if m else begin + len(_WIDE_SEED)
        out.append(data[begin:end:2].decode("ascii"))
        pos = end
    return out


def stream_strings(stream: BinaryIO, limits: Limits) -> Iterator[str]:
    """Printable strings of a long binary stream, read ``max_file_bytes`` at a time.

    Consecutive windows overlap by :attr:`Limits.overlap` bytes so a string that crosses a
    window boundary is found whole (unless it is longer than the overlap).
    """
    step = max(limits.max_file_bytes, 4 * limits.overlap)
    tail = b""
    while True:
        raw = stream.read(step)
        buf = tail + raw
        stop = len(buf) if not raw else len(buf) - min(limits.overlap, len(buf))
        found = printable_strings(buf, stop=stop)
        if found:
            yield "\n".join(found) + "\n"
        if not raw:
            return
        # The tail is scanned again at the start of the next window; a string that began
        # before it was reported already and must not be picked up again in the middle.
        tail = _blank_continuation(buf[stop:], buf[max(stop - 2, 0):stop])


def _blank_continuation(tail: bytes, before: bytes) -> bytes:
    """``tail`` with the run that continues from ``before`` (ASCII or UTF-16LE) blanked."""
    if before[-1:] and before[-1] in _PRINTABLE:
        end = tail.translate(_ASCII_MAP).find(b"\0")
        end = len(tail) if end < 0 else end
        tail = b"\1" * end + tail[end:]
    if len(before) == 2 and before[1] == 0 and 0x20 <= before[0] < 0x7F:
        m = _WIDE_RUN.match(tail.translate(_WIDE_MAP))
        if m:
            tail = b"\1" * m.end() + tail[m.end():]
    return tail
