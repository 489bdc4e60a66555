"""The pickle opcode table and a bounded, seekable byte reader for walking pickles.

The table lists every opcode of protocols 0 to 5 with the shape of its argument (facts from the
pickle format). :class:`Reader` reads a stream through a small buffer and skips large
payloads with ``seek`` instead of reading them, so memory stays bounded whatever lengths a
file declares.
"""

from __future__ import annotations

from enum import Enum
from typing import BinaryIO


class Arg(Enum):
    """How an opcode's argument is encoded."""

    NONE = 0
    LINE = 1          # text up to a newline
    TWO_LINES = 2     # GLOBAL / INST: module line and name line
    U1 = 3
    U2 = 4
    I4 = 5
    U4 = 6
    F8 = 7
    U8 = 8
    LEN1 = 9          # 1-byte length, then that many bytes
    LEN4 = 10         # 4-byte little-endian length (signed for BINSTRING/LONG4)
    LEN8 = 11


OPCODES: dict[int, tuple[str, Arg]] = {
    ord(c): (name, arg) for c, name, arg in (
        ("(", "MARK", Arg.NONE), (".", "STOP", Arg.NONE), ("0", "POP", Arg.NONE),
        ("1", "POP_MARK", Arg.NONE), ("2", "DUP", Arg.NONE), ("F", "FLOAT", Arg.LINE),
        ("I", "INT", Arg.LINE), ("J", "BININT", Arg.I4), ("K", "BININT1", Arg.U1),
        ("L", "LONG", Arg.LINE), ("M", "BININT2", Arg.U2), ("N", "NONE", Arg.NONE),
        ("P", "PERSID", Arg.LINE), ("Q", "BINPERSID", Arg.NONE), ("R", "REDUCE", Arg.NONE),
        ("S", "STRING", Arg.LINE), ("T", "BINSTRING", Arg.LEN4),
        ("U", "SHORT_BINSTRING", Arg.LEN1), ("V", "UNICODE", Arg.LINE),
        ("X", "BINUNICODE", Arg.LEN4), ("a", "APPEND", Arg.NONE), ("b", "BUILD", Arg.NONE),
        ("c", "GLOBAL", Arg.TWO_LINES), ("d", "DICT", Arg.NONE), ("}", "EMPTY_DICT", Arg.NONE),
        ("e", "APPENDS", Arg.NONE), ("g", "GET", Arg.LINE), ("h", "BINGET", Arg.U1),
        ("i", "INST", Arg.TWO_LINES), ("j", "LONG_BINGET", Arg.U4), ("l", "LIST", Arg.NONE),
        ("]", "EMPTY_LIST", Arg.NONE), ("o", "OBJ", Arg.NONE), ("p", "PUT", Arg.LINE),
        ("q", "BINPUT", Arg.U1), ("r", "LONG_BINPUT", Arg.U4), ("s", "SETITEM", Arg.NONE),
        ("t", "TUPLE", Arg.NONE), (")", "EMPTY_TUPLE", Arg.NONE), ("u", "SETITEMS", Arg.NONE),
        ("G", "BINFLOAT", Arg.F8),
        ("\x80", "PROTO", Arg.U1), ("\x81", "NEWOBJ", Arg.NONE), ("\x82", "EXT1", Arg.U1),
        ("\x83", "EXT2", Arg.U2), ("\x84", "EXT4", Arg.U4), ("\x85", "TUPLE1", Arg.NONE),
        ("\x86", "TUPLE2", Arg.NONE), ("\x87", "TUPLE3", Arg.NONE),
        ("\x88", "NEWTRUE", Arg.NONE), ("\x89", "NEWFALSE", Arg.NONE),
        ("\x8a", "LONG1", Arg.LEN1), ("\x8b", "LONG4", Arg.LEN4),
        ("B", "BINBYTES", Arg.LEN4), ("C", "SHORT_BINBYTES", Arg.LEN1),
        ("\x8c", "SHORT_BINUNICODE", Arg.LEN1), ("\x8d", "BINUNICODE8", Arg.LEN8),
        ("\x8e", "BINBYTES8", Arg.LEN8), ("\x8f", "EMPTY_SET", Arg.NONE),
        ("\x90", "ADDITEMS", Arg.NONE), ("\x91", "FROZENSET", Arg.NONE),
        ("\x92", "NEWOBJ_EX", Arg.NONE), ("\x93", "STACK_GLOBAL", Arg.NONE),
        ("\x94", "MEMOIZE", Arg.NONE), ("\x95", "FRAME", Arg.U8),
        ("\x96", "BYTEARRAY8", Arg.LEN8), ("\x97", "NEXT_BUFFER", Arg.NONE),
        ("\x98", "READONLY_BUFFER", Arg.NONE),
    )
}

#: The longest text line (GLOBAL names, INT/FLOAT/STRING literals) accepted.
MAX_LINE = 64 * 1024

_CHUNK = 64 * 1024


class Truncated(Exception):
    """The stream ended inside an opcode or payload."""


class Reader:
    """Reads ``stream`` from absolute offset ``start`` through a 64 KiB buffer.

    ``end`` (exclusive) bounds the readable region when known. Only :meth:`skip` moves
    forward without reading, so a multi-gigabyte payload costs one ``seek``.
    """

    def __init__(self, stream: BinaryIO, start: int = 0, end: int | None = None) -> None:
        self.stream = stream
        self.end = end
        self._buf = b""
        self._at = 0            # index into _buf
        self._buf_pos = start   # absolute offset of _buf[0]
        stream.seek(start)

    @property
    def pos(self) -> int:
        """Absolute offset of the next byte."""
        return self._buf_pos + self._at

    def _fill(self) -> bool:
        """Refill the buffer at the current position; false at the end of data."""
        pos = self.pos
        want = _CHUNK
        if self.end is not None:
            want = min(want, self.end - pos)
            if want <= 0:
                return False
        self.stream.seek(pos)
        data = self.stream.read(want)
        self._buf, self._at, self._buf_pos = data, 0, pos
        return bool(data)

    def at_end(self) -> bool:
        """Whether no byte is left."""
        return self._at >= len(self._buf) and not self._fill()

    def byte(self) -> int:
        """One byte; :class:`Truncated` at the end."""
        if self._at >= len(self._buf) and not self._fill():
            raise Truncated
        b = self._buf[self._at]
        self._at += 1
        return b

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes from the current position, without consuming them."""
        if len(self._buf) - self._at < n:
            pos = self.pos
            self.stream.seek(pos)
            want = max(n, _CHUNK)
            if self.end is not None:
                want = min(want, self.end - pos)
            self._buf, self._at, self._buf_pos = self.stream.read(max(want, 0)), 0, pos
        return self._buf[self._at:self._at + n]

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes (``n`` small: callers skip large payloads)."""
        if len(self._buf) - self._at >= n:
            out = self._buf[self._at:self._at + n]
            self._at += n
            return out
        parts = [self._buf[self._at:]]
        got = len(parts[0])
        self._at = len(self._buf)
        while got < n:
            if not self._fill():
                raise Truncated
            take = self._buf[:n - got]
            self._at = len(take)
            parts.append(take)
            got += len(take)
        return b"".join(parts)

    def readline(self) -> bytes:
        """Bytes up to (not including) the next newline, at most :data:`MAX_LINE`."""
        end = self._buf.find(b"\n", self._at)
        if end >= 0:
            out = self._buf[self._at:end]
            self._at = end + 1
            return out
        parts: list[bytes] = []
        got = 0
        while True:
            if self._at >= len(self._buf) and not self._fill():
                raise Truncated
            end = self._buf.find(b"\n", self._at)
            if end >= 0:
                parts.append(self._buf[self._at:end])
                self._at = end + 1
                return b"".join(parts)
            piece = self._buf[self._at:]
            parts.append(piece)
            got += len(piece)
            self._at = len(self._buf)
            if got > MAX_LINE:
                raise ValueError(f"text argument longer than {MAX_LINE} bytes")

    def skip(self, n: int) -> None:
        """Move ``n`` bytes forward without reading them; :class:`Truncated` past the end."""
        if n <= len(self._buf) - self._at:
            self._at += n
            return
        target = self.pos + n
        if self.end is not None:
            if target > self.end:
                raise Truncated
        elif target > self.stream.seek(0, 2):
            raise Truncated
        self._buf, self._at, self._buf_pos = b"", 0, target
        self.stream.seek(target)
