"""A minimal, bounded reader for the protocol buffers wire format.

It knows nothing about schemas: it splits a message into ``(field number, wire type, value)``
triples, where the value is an ``int`` for varint and fixed-width fields and a ``memoryview``
for length-delimited ones. The caller decides which fields are sub-messages. Anything that does
not fit the wire format raises :class:`WireError`; nothing is ever executed or imported.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT = 0
FIXED64 = 1
LEN = 2
FIXED32 = 5

_MAX_VARINT_BYTES = 10
_MAX_FIELD = (1 << 29) - 1


class WireError(ValueError):
    """The bytes are not a well-formed protocol buffers message."""


def read_varint(data: memoryview | bytes, pos: int) -> tuple[int, int]:
    """Decode one varint at ``pos``; return ``(value, next position)``."""
    value = 0
    shift = 0
    end = min(len(data), pos + _MAX_VARINT_BYTES)
    while pos < end:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise WireError(f"truncated or overlong varint at byte {pos}")


def iter_fields(data: memoryview | bytes) -> Iterator[tuple[int, int, int | memoryview]]:
    """Yield ``(field, wire_type, value)`` for every field of one message.

    Groups (wire types 3 and 4) are rejected: no format read here uses them.
    """
    view = memoryview(data)
    pos = 0
    size = len(view)
    while pos < size:
        key, pos = read_varint(view, pos)
        field, wire_type = key >> 3, key & 7
        if field == 0 or field > _MAX_FIELD:
            raise WireError(f"invalid field number {field} at byte {pos}")
        if wire_type == VARINT:
            value, pos = read_varint(view, pos)
            yield field, wire_type, value
        elif wire_type == LEN:
            length, pos = read_varint(view, pos)
            if length > size - pos:
                raise WireError(f"field {field} of {length} bytes runs past the end at byte {pos}")
            yield field, wire_type, view[pos:pos + length]
            pos += length
        elif wire_type == FIXED64:
            if pos + 8 > size:
                raise WireError(f"truncated 64-bit field {field} at byte {pos}")
            yield field, wire_type, int.from_bytes(view[pos:pos + 8], "little")
            pos += 8
        elif wire_type == FIXED32:
            if pos + 4 > size:
                raise WireError(f"truncated 32-bit field {field} at byte {pos}")
            yield field, wire_type, int.from_bytes(view[pos:pos + 4], "little")
            pos += 4
        else:
            raise WireError(f"unsupported wire type {wire_type} for field {field} at byte {pos}")


def text(value: int | memoryview, limit: int = 4096) -> str:
    """A length-delimited value as text (UTF-8, undecodable bytes replaced, cut at ``limit``)."""
    if isinstance(value, int):
        raise WireError("expected a length-delimited string, found a number")
    return bytes(value[:limit]).decode("utf-8", errors="replace")


def message(value: int | memoryview) -> memoryview:
    """A length-delimited value as a sub-message (raises if the field was numeric)."""
    if isinstance(value, int):
        raise WireError("expected an embedded message, found a number")
    return value
