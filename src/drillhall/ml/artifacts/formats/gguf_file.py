"""GGUF (llama.cpp) models: a bounded walk of the header, metadata and tensor table.

Layout (all little-endian unless the file is a big-endian GGUF): ``GGUF``, uint32 version
(1 to 3), tensor count and metadata count (uint32 in v1, uint64 after), the metadata key/values
(typed scalars, strings, arrays), then one info record per tensor and the aligned data. Chat
templates (``tokenizer.chat_template`` and ``tokenizer.chat_template.*``) are judged for
template injection; counts and lengths that cannot fit the file fail closed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats import _template
from drillhall.ml.artifacts.formats._common import (
    GGUF_TEMPLATE_INJECTION,
    SUPPLY_CHAIN,
    FormatError,
    malformed,
    short,
)

MAGIC = b"GGUF"
_FORMAT = "GGUF"
_STRING, _ARRAY = 8, 9
_SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_UINT32, _UINT64 = 4, 10
MAX_KV = 1_000_000
MAX_TENSORS = 10_000_000
MAX_KEY = 65_535
MAX_DIMS = 8
MAX_ARRAY_DEPTH = 4
MAX_ELEMENTS = 50_000_000
TEMPLATE_KEY = "tokenizer.chat_template"
_CHUNK = 1 << 20


@dataclass
class _Reader:
    """Bounded, buffered reads from the stream; every length is checked against what is left.

    ``pos`` is the absolute offset; ``buffer[cursor:]`` holds the bytes from ``pos`` on.
    """

    stream: BinaryIO
    size: int
    order: str = "<"
    version: int = 3
    pos: int = 0
    elements: int = 0
    buffer: bytes = b""
    cursor: int = 0

    def _check(self, count: int, what: str) -> None:
        if count < 0 or count > self.size - self.pos:
            raise FormatError(f"{what} of {count} bytes at byte {self.pos} runs past the end "
                              f"of the {self.size}-byte file")

    def read(self, count: int, what: str) -> bytes:
        self._check(count, what)
        if len(self.buffer) - self.cursor < count:
            want = max(count, _CHUNK) - (len(self.buffer) - self.cursor)
            more = self.stream.read(want)
            self.buffer = self.buffer[self.cursor:] + more
            self.cursor = 0
            if len(self.buffer) < count:
                raise FormatError(f"file ends inside {what} at byte {self.pos}")
        data = self.buffer[self.cursor:self.cursor + count]
        self.cursor += count
        self.pos += count
        return data

    def skip(self, count: int, what: str) -> None:
        self._check(count, what)
        buffered = len(self.buffer) - self.cursor
        if count <= buffered:
            self.cursor += count
        else:
            self.stream.seek(count - buffered, 1)
            self.buffer, self.cursor = b"", 0
        self.pos += count

    def u32(self, what: str) -> int:
        return int(struct.unpack(self.order + "I", self.read(4, what))[0])

    def u64(self, what: str) -> int:
        return int(struct.unpack(self.order + "Q", self.read(8, what))[0])

    def count(self, what: str) -> int:
        """A length or count: uint32 in GGUF v1, uint64 later."""
        return self.u32(what) if self.version == 1 else self.u64(what)

    def string(self, what: str, limit: int) -> bytes:
        length = self.count(f"{what} length")
        if length > limit:
            raise FormatError(f"{what} of {length} bytes at byte {self.pos} is over the "
                              f"limit of {limit}")
        return self.read(length, what)


def sniff(head: bytes) -> bool:
    """``GGUF`` magic."""
    return head[:4] == MAGIC


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Chat-template injection in the metadata; structural problems fail closed."""
    reader = _Reader(stream=stream, size=size)
    try:
        templates = _parse(reader, ctx.limits.max_metadata_bytes)
    except FormatError as exc:
        return [malformed(_FORMAT, str(exc), where=f"byte {reader.pos}")]
    issues: list[Issue] = []
    for key, text in templates:
        verdict = _template.judge(text)
        if verdict is None:
            continue
        severity, confidence, indicators = verdict
        issues.append(Issue(
            rule_id=GGUF_TEMPLATE_INJECTION, severity=severity, confidence=confidence,
            message=(f"chat template can reach Python internals when rendered outside a "
                     f"sandbox ({short(', '.join(indicators), 120)})"),
            where=f"metadata {short(key, 80)!r}", tags=("CWE-1336", "CWE-94", SUPPLY_CHAIN),
            evidence=short(", ".join(indicators), 200),
        ))
    return issues


def _parse(reader: _Reader, cap: int) -> list[tuple[str, str]]:
    """Walk the whole header and tensor table; return the chat templates found."""
    if reader.read(4, "magic") != MAGIC:
        raise FormatError("missing GGUF magic")
    raw_version = reader.read(4, "version")
    version = int.from_bytes(raw_version, "little")
    if not 1 <= version <= 3:
        version = int.from_bytes(raw_version, "big")
        reader.order = ">"
        if not 1 <= version <= 3:
            raise FormatError(f"unsupported GGUF version {int.from_bytes(raw_version, 'little')}")
    reader.version = version
    tensors = reader.count("tensor count")
    kv_count = reader.count("metadata count")
    left = reader.size - reader.pos
    if kv_count > MAX_KV or kv_count * 13 > left:
        raise FormatError(f"metadata count {kv_count} cannot fit the file")
    if tensors > MAX_TENSORS or tensors * 24 > left:
        raise FormatError(f"tensor count {tensors} cannot fit the file")
    templates: list[tuple[str, str]] = []
    alignment = 32
    start = reader.pos
    for _ in range(kv_count):
        key = reader.string("metadata key", MAX_KEY).decode("utf-8", errors="replace")
        kind = reader.u32(f"type of {key!r}")
        value = _value(reader, kind, key, cap, 0)
        if reader.pos - start > cap:
            raise FormatError(f"metadata is over the limit of {cap} bytes")
        if key == TEMPLATE_KEY or key.startswith(TEMPLATE_KEY + "."):
            templates.extend((key, text) for text in _texts(value))
        elif key == "general.alignment":
            alignment = _alignment(value)
    _tensor_infos(reader, tensors, alignment)
    return templates


def _value(reader: _Reader, kind: int, key: str, cap: int, depth: int) -> object:
    """One metadata value. Strings are kept only for chat templates; arrays are skipped."""
    if kind in _SCALAR_SIZES:
        raw = reader.read(_SCALAR_SIZES[kind], f"value of {key!r}")
        return int.from_bytes(raw, "little" if reader.order == "<" else "big")
    keep = key.startswith(TEMPLATE_KEY)
    if kind == _STRING:
        if keep:
            return reader.string(f"string value of {key!r}", cap).decode("utf-8", "replace")
        length = reader.count(f"string length in {key!r}")
        if length > cap:
            raise FormatError(f"string in {key!r} of {length} bytes is over the limit of {cap}")
        reader.skip(length, f"string in {key!r}")
        return None
    if kind == _ARRAY:
        if depth >= MAX_ARRAY_DEPTH:
            raise FormatError(f"arrays nested deeper than {MAX_ARRAY_DEPTH} in {key!r}")
        item = reader.u32(f"array type of {key!r}")
        count = reader.count(f"array length of {key!r}")
        reader.elements += count
        if reader.elements > MAX_ELEMENTS:
            raise FormatError(f"metadata arrays hold more than {MAX_ELEMENTS} elements")
        if item in _SCALAR_SIZES:
            reader.skip(count * _SCALAR_SIZES[item], f"array {key!r}")
            return None
        if count * 8 > reader.size - reader.pos:
            raise FormatError(f"array {key!r} of {count} items cannot fit the file")
        if keep:
            return [_value(reader, item, key, cap, depth + 1) for _ in range(count)]
        for _ in range(count):
            _value(reader, item, key, cap, depth + 1)
        return None
    raise FormatError(f"unknown metadata type {kind} for {key!r}")


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def _alignment(value: object) -> int:
    if not isinstance(value, int) or value <= 0 or value & (value - 1) or value > 1 << 20:
        raise FormatError(f"general.alignment {value!r} is not a power of two")
    return value


def _tensor_infos(reader: _Reader, tensors: int, alignment: int) -> None:
    """Every tensor record: bounded name and rank, and an offset inside the data section."""
    offsets: list[tuple[int, str]] = []
    for _ in range(tensors):
        name = reader.string("tensor name", MAX_KEY).decode("utf-8", errors="replace")
        dims = reader.u32(f"rank of tensor {name!r}")
        if dims > MAX_DIMS:
            raise FormatError(f"tensor {short(name, 60)!r} has {dims} dimensions")
        for _dim in range(dims):
            reader.count(f"dimension of tensor {name!r}")
        reader.u32(f"type of tensor {name!r}")
        offsets.append((reader.u64(f"offset of tensor {name!r}"), name))
    data_start = -(-reader.pos // alignment) * alignment
    for offset, name in offsets:
        if offset % alignment or data_start + offset > reader.size:
            raise FormatError(f"tensor {short(name, 60)!r} data offset {offset} is misaligned "
                              "or past the end of the file")


FORMAT = FormatSpec(name="gguf", analyze=analyze, sniff=sniff)
