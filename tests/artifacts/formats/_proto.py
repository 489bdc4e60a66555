"""A tiny protocol-buffers writer for building SavedModel fixtures in tests."""

from __future__ import annotations


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def field_bytes(number: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(raw)) + raw


def attr_string(key: str, value: str) -> bytes:
    """A NodeDef.attr map entry holding AttrValue.s."""
    return field_bytes(5, field_bytes(1, key) + field_bytes(2, field_bytes(2, value)))


def node(name: str, op: str, *inputs: str, attrs: bytes = b"") -> bytes:
    body = field_bytes(1, name) + field_bytes(2, op)
    for item in inputs:
        body += field_bytes(3, item)
    return body + attrs


def function(name: str, *nodes: bytes) -> bytes:
    signature = field_bytes(1, name)
    return field_bytes(1, signature) + b"".join(field_bytes(3, n) for n in nodes)


def graph(nodes: list[bytes], functions: tuple[bytes, ...] = ()) -> bytes:
    body = b"".join(field_bytes(1, n) for n in nodes)
    if functions:
        body += field_bytes(2, b"".join(field_bytes(1, f) for f in functions))
    return body


def saved_model(graph_def: bytes) -> bytes:
    meta_info = field_bytes(4, "serve") + field_bytes(5, "2.16.1")
    meta_graph = field_bytes(1, meta_info) + field_bytes(2, graph_def)
    return field_varint(1, 1) + field_bytes(2, meta_graph)
