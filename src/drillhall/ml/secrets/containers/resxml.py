"""Android compiled resources: binary XML (AXML) and the resource table (``resources.arsc``).

Both are sequences of chunks, each with a little-endian header ``u16 type, u16 header_size,
u32 size``. A string-pool chunk (type 0x0001) holds every string of the file, in UTF-8 or
UTF-16; binary XML (type 0x0003) then has namespace and element chunks whose attributes refer
to the pool by index; a resource table (type 0x0002) starts with its global pool of string
values, followed by packages.

The readers turn them back into text: for binary XML one line per element with its attributes
(``<meta-data android:name="api_key" android:value="…">``) followed by the pool strings no
element used, and for a resource table the global pool, one string per line.
"""

from __future__ import annotations

import struct

from drillhall.ml.secrets.containers.model import Malformed

RES_STRING_POOL = 0x0001
RES_TABLE = 0x0002
RES_XML = 0x0003
RES_XML_START_NAMESPACE = 0x0100
RES_XML_END_NAMESPACE = 0x0101
RES_XML_START_ELEMENT = 0x0102
RES_XML_END_ELEMENT = 0x0103
RES_XML_CDATA = 0x0104
RES_XML_RESOURCE_MAP = 0x0180
UTF8_FLAG = 0x0100
NO_INDEX = 0xFFFFFFFF

# Res_value data types
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12

_CHUNK = struct.Struct("<HHI")
_POOL = struct.Struct("<IIIII")  # stringCount, styleCount, flags, stringsStart, stylesStart
_NODE = struct.Struct("<II")  # lineNumber, comment (after the chunk header)
_ELEMENT = struct.Struct("<IIHHHHHH")  # ns, name, attrStart, attrSize, attrCount, id, cls, style
_ATTRIBUTE = struct.Struct("<IIIHBBI")  # ns, name, rawValue, size, res0, dataType, data

AXML_MAGIC = _CHUNK.pack(RES_XML, 8, 0)[:4]
ARSC_MAGIC = _CHUNK.pack(RES_TABLE, 12, 0)[:4]


def chunk_header(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    """``(type, header_size, size)`` of the chunk at ``offset``, checked to fit before ``end``."""
    if offset + _CHUNK.size > end:
        raise Malformed(f"chunk header at offset {offset} runs past the end of its parent")
    kind, header_size, size = _CHUNK.unpack_from(data, offset)
    if header_size < _CHUNK.size or size < header_size or offset + size > end:
        raise Malformed(f"chunk 0x{kind:04x} at offset {offset} has impossible sizes "
                        f"(header {header_size}, total {size})")
    return kind, header_size, size


def _length8(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first & 0x80:
        return ((first & 0x7F) << 8) | data[pos + 1], pos + 2
    return first, pos + 1


def _length16(data: bytes, pos: int) -> tuple[int, int]:
    (first,) = struct.unpack_from("<H", data, pos)
    if first & 0x8000:
        (second,) = struct.unpack_from("<H", data, pos + 2)
        return ((first & 0x7FFF) << 16) | second, pos + 4
    return first, pos + 2


def string_pool(data: bytes, offset: int) -> list[str]:
    """The strings of the string-pool chunk at ``offset``."""
    kind, header_size, size = chunk_header(data, offset, len(data))
    if kind != RES_STRING_POOL or header_size < _CHUNK.size + _POOL.size:
        raise Malformed(f"expected a string pool at offset {offset}, found chunk 0x{kind:04x}")
    count, _styles, flags, strings_start, _ = _POOL.unpack_from(data, offset + _CHUNK.size)
    end = offset + size
    table = offset + header_size
    if table + 4 * count > end or (count and offset + strings_start > end):
        raise Malformed(f"string pool at offset {offset} declares {count} strings that do "
                        "not fit in it")
    base = offset + strings_start
    utf8 = bool(flags & UTF8_FLAG)
    out: list[str] = []
    total, budget = 0, 4 * size + 65536
    try:
        for rel in struct.unpack_from(f"<{count}I", data, table):
            pos = base + rel
            if utf8:
                _, pos = _length8(data, pos)  # length in UTF-16 units
                length, pos = _length8(data, pos)
                stop = pos + length
                text = data[pos:stop].decode("utf-8", "replace")
            else:
                length, pos = _length16(data, pos)
                stop = pos + 2 * length
                text = data[pos:stop].decode("utf-16-le", "replace")
            if stop > end:
                raise Malformed(f"string {len(out)} of the pool at offset {offset} runs past "
                                "the end of the pool")
            total += len(text)
            if total > budget:
                raise Malformed(f"string pool at offset {offset} points at the same data "
                                "over and over")
            out.append(text)
    except (IndexError, struct.error):
        raise Malformed(f"string {len(out)} of the pool at offset {offset} runs past the "
                        "end of the file") from None
    return out


def typed_value(kind: int, value: int, strings: list[str]) -> str:
    """A ``Res_value`` (type and 32-bit data) as text."""
    if kind == TYPE_STRING and value < len(strings):
        return strings[value]
    if kind == TYPE_INT_DEC:
        return str(value - (1 << 32) if value & 0x80000000 else value)
    if kind == TYPE_INT_BOOLEAN:
        return "true" if value else "false"
    if kind == TYPE_REFERENCE:
        return f"@0x{value:08x}"
    if kind == TYPE_ATTRIBUTE:
        return f"?0x{value:08x}"
    if kind == TYPE_FLOAT:
        return repr(struct.unpack("<f", struct.pack("<I", value))[0])
    return f"0x{value:x}"


def axml_text(data: bytes) -> str:
    """Binary XML as text: one line per element with its attributes, then the pool strings
    that no element used (names of unused resources, strings of obfuscated files)."""
    return _AxmlReader(data).text()


class _AxmlReader:
    """Walks the chunks of one binary XML file, keeping the pool and namespace prefixes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.strings: list[str] = []
        self.used: set[int] = set()
        self.prefixes: dict[str, str] = {}

    def string(self, index: int) -> str:
        """Pool string ``index`` (empty for "none" or out of range), marked as used."""
        if index >= len(self.strings):
            return ""
        self.used.add(index)
        return self.strings[index]

    def text(self) -> str:
        data = self.data
        kind, header_size, size = chunk_header(data, 0, len(data))
        if kind != RES_XML:
            raise Malformed("not an Android binary XML file")
        lines: list[str] = []
        offset, depth, total = header_size, 0, 0
        budget = 8 * len(data) + 65536  # attributes may repeat strings, but not endlessly
        while offset + _CHUNK.size <= size:
            kind, head, length = chunk_header(data, offset, size)
            body, end = offset + head, offset + length
            if kind == RES_STRING_POOL and not self.strings:
                self.strings = string_pool(data, offset)
            elif kind == RES_XML_START_NAMESPACE and body + 8 <= end:
                prefix, uri = struct.unpack_from("<II", data, body)
                self.prefixes[self.string(uri)] = self.string(prefix)
            elif kind == RES_XML_START_ELEMENT:
                lines.append("  " * depth + self.element(offset, head, length))
                depth = min(depth + 1, 64)
                total += len(lines[-1])
                if total > budget:
                    raise Malformed("binary XML refers to its strings so often that its "
                                    "text would be far larger than the file")
            elif kind == RES_XML_END_ELEMENT:
                depth = max(depth - 1, 0)
            elif kind == RES_XML_CDATA and body + 4 <= end:
                (index,) = struct.unpack_from("<I", data, body)
                lines.append("  " * depth + self.string(index))
            offset += length
        lines.extend(s for i, s in enumerate(self.strings) if i not in self.used and s)
        return "\n".join(lines) + "\n" if lines else ""

    def element(self, offset: int, head: int, length: int) -> str:
        """``<tag ns:attr="value" …>`` for the start-element chunk at ``offset``."""
        data, body, end = self.data, offset + head, offset + length
        if head < _CHUNK.size + _NODE.size or body + _ELEMENT.size > end:
            raise Malformed(f"element chunk at offset {offset} is too short")
        ns, tag, attr_start, attr_size, count, *_ = _ELEMENT.unpack_from(data, body)
        if attr_size < _ATTRIBUTE.size or body + attr_start + count * attr_size > end:
            raise Malformed(f"attributes of the element at offset {offset} run past its end")
        parts = [self.qualified(ns, tag)]
        pos = body + attr_start
        for _ in range(count):
            a_ns, a_name, raw, _size, _res0, kind, value = _ATTRIBUTE.unpack_from(data, pos)
            text = self.string(raw)
            if not text:
                if kind == TYPE_STRING:
                    self.string(value)
                text = typed_value(kind, value, self.strings)
            parts.append(f'{self.qualified(a_ns, a_name)}="{text}"')
            pos += attr_size
        return "<" + " ".join(parts) + ">"

    def qualified(self, ns: int, local: int) -> str:
        """``prefix:name`` of a namespaced name, or the bare name."""
        uri, name = self.string(ns), self.string(local)
        prefix = self.prefixes.get(uri, "") if uri else ""
        return f"{prefix}:{name}" if prefix else name


def arsc_strings(data: bytes) -> list[str]:
    """The global string pool of a resource table: every string value of the app's
    resources (``res/values/strings.xml`` and the like, compiled)."""
    kind, header_size, size = chunk_header(data, 0, len(data))
    if kind != RES_TABLE:
        raise Malformed("not an Android resource table")
    offset = header_size
    while offset + _CHUNK.size <= size:
        kind, _, length = chunk_header(data, offset, size)
        if kind == RES_STRING_POOL:
            return string_pool(data, offset)
        offset += length
    return []
