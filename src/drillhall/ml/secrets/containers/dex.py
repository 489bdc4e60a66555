"""The string table of an Android DEX file (``classes.dex``).

Every literal a Java or Kotlin app holds (URLs, header names, API keys compiled into
``BuildConfig``) is an entry of the DEX ``string_ids`` table. The header gives the table's
size and offset; each entry is the offset of a ``string_data_item``: a ULEB128 count of UTF-16
code units, then the characters in Modified UTF-8 (NUL written ``C0 80``, characters outside
the Basic Multilingual Plane written as two 3-byte surrogates), ending in a NUL byte.
"""

from __future__ import annotations

import struct

from drillhall.ml.secrets.containers.model import Malformed

HEADER_SIZE = 0x70
ENDIAN_TAG = 0x12345678
_STRING_IDS = struct.Struct("<II")  # string_ids_size, string_ids_off at 0x38


def is_dex(head: bytes) -> bool:
    """Whether ``head`` starts with a DEX magic (``dex\\n`` + three digits + NUL)."""
    return len(head) >= 8 and head[:4] == b"dex\n" and head[4:7].isdigit() and head[7] == 0


def read_uleb128(data: bytes, pos: int) -> tuple[int, int]:
    """The unsigned LEB128 value at ``pos`` (at most 5 bytes) and the offset after it."""
    value = shift = 0
    for i in range(5):
        if pos + i >= len(data):
            raise Malformed(f"ULEB128 value at offset {pos} runs past the end of the file")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos + i + 1
        shift += 7
    raise Malformed(f"ULEB128 value at offset {pos} is longer than 5 bytes")


def decode_mutf8(raw: bytes) -> str:
    """Decode Modified UTF-8 (Java's and DEX's string encoding) into a Python string."""
    if raw.isascii():
        return raw.decode("ascii")
    raw = raw.replace(b"\xc0\x80", b"\0")
    try:
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    # Pair up surrogates that encode one supplementary character.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def dex_strings(data: bytes) -> list[str]:
    """Every string of the DEX file's ``string_ids`` table, in table order.

    Raises :class:`Malformed` if the header or the table points outside the file.
    """
    if not is_dex(data) or len(data) < HEADER_SIZE:
        raise Malformed("not a DEX file (bad magic or short header)")
    (endian,) = struct.unpack_from("<I", data, 0x28)
    if endian != ENDIAN_TAG:
        raise Malformed(f"unsupported DEX endian tag 0x{endian:08x}")
    count, offset = _STRING_IDS.unpack_from(data, 0x38)
    if count == 0:
        return []
    if offset < HEADER_SIZE or offset + 4 * count > len(data):
        raise Malformed(f"DEX string_ids table ({count} entries at offset {offset}) lies "
                        f"outside the {len(data)}-byte file")
    out: list[str] = []
    total = 0
    for item in struct.unpack_from(f"<{count}I", data, offset):
        if item >= len(data):
            raise Malformed(f"DEX string_data_item offset {item} lies outside the file")
        _, start = read_uleb128(data, item)
        end = data.find(b"\0", start)
        if end < 0:
            raise Malformed(f"DEX string at offset {item} has no terminating NUL")
        total += end - start
        if total > len(data):
            # Each string is stored once; more text than file means entries share data.
            raise Malformed("DEX string_ids entries point at the same data over and over")
        out.append(decode_mutf8(data[start:end]))
    return out
