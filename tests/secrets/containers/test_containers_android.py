"""The Android parsers against hand-assembled byte layouts, and the test-double writers."""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from pathlib import Path

from drillhall.ml.secrets.containers.dex import dex_strings, read_uleb128
from drillhall.ml.secrets.containers.resxml import arsc_strings, axml_text, string_pool
from drillhall.testing.android import (
    ANDROID_NS,
    Element,
    build_apk,
    build_arsc,
    build_axml,
    build_dex,
    encode_mutf8,
    string_pool_chunk,
)

NONE = 0xFFFFFFFF


# -- hand-assembled layouts (independent of the writers) ------------------------------------


def test_dex_by_hand() -> None:
    header = bytearray(0x70)
    header[0:8] = b"dex\n035\x00"
    struct.pack_into("<I", header, 0x28, 0x12345678)
    struct.pack_into("<II", header, 0x38, 3, 0x70)  # string_ids_size, string_ids_off
    ids = struct.pack("<III", 0x7C, 0x80, 0x84)
    data = (b"\x02hi\x00"  # "hi": 2 UTF-16 units
            + b"\x01\xc0\x80\x00"  # "\0" in Modified UTF-8
            + b"\x02\xed\xa0\xbd\xed\xb8\x80\x00")  # U+1F600 as two 3-byte surrogates
    raw = bytes(header) + ids + data
    assert dex_strings(raw) == ["hi", "\0", "\U0001F600"]


def test_uleb128_by_hand() -> None:
    assert read_uleb128(b"\x00", 0) == (0, 1)
    assert read_uleb128(b"\x7f", 0) == (127, 1)
    assert read_uleb128(b"\x80\x7f", 0) == (16256, 2)
    assert read_uleb128(b"\xe5\x8e\x26", 0) == (624485, 3)


def test_axml_by_hand() -> None:
    strings = struct.pack("<HHH", 1, ord("a"), 0) + struct.pack("<HHH", 1, ord("b"), 0) \
        + struct.pack("<HHH", 1, ord("c"), 0) + b"\0\0"
    pool = struct.pack("<HHIIIIII", 0x0001, 28, 28 + 12 + len(strings), 3, 0, 0, 40, 0) \
        + struct.pack("<III", 0, 6, 12) + strings
    start = struct.pack("<HHIII", 0x0102, 16, 56, 1, NONE) \
        + struct.pack("<IIHHHHHH", NONE, 0, 20, 20, 1, 0, 0, 0) \
        + struct.pack("<IIIHBBI", NONE, 1, 2, 8, 0, 0x03, 2)
    end = struct.pack("<HHIIIII", 0x0103, 16, 24, 1, NONE, NONE, 0)
    body = pool + start + end
    raw = struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body
    assert len(pool) == 60 and len(raw) == 148
    assert axml_text(raw) == '<a b="c">\n'


def test_utf8_pool_with_two_byte_lengths_by_hand() -> None:
    long = "é" * 200  # 200 UTF-16 units, 400 UTF-8 bytes: both lengths need two bytes
    entry = bytes((0x80, 200, 0x81, 0x90)) + long.encode() + b"\0"
    entry += b"\0" * (-len(entry) % 4)
    raw = struct.pack("<HHIIIIII", 0x0001, 28, 28 + 4 + len(entry), 1, 0, 0x100, 32, 0) \
        + struct.pack("<I", 0) + entry
    assert string_pool(raw, 0) == [long]


def test_utf16_pool_with_long_length_by_hand() -> None:
    long = "k" * 40_000  # over 0x7FFF units: high bit set, two 16-bit words
    entry = struct.pack("<HH", 0x8000, 40_000) + long.encode("utf-16-le") + b"\0\0"
    raw = struct.pack("<HHIIIIII", 0x0001, 28, 28 + 4 + len(entry), 1, 0, 0, 32, 0) \
        + struct.pack("<I", 0) + entry
    assert string_pool(raw, 0) == [long]


# -- the writers ----------------------------------------------------------------------------


def test_build_dex_header_checksum_signature_and_order() -> None:
    raw = build_dex(["b", "a", "B", "é", "a", "\0x"])
    assert raw[:8] == b"dex\n035\x00"
    checksum, = struct.unpack_from("<I", raw, 8)
    assert checksum == zlib.adler32(raw[12:])
    assert raw[12:32] == hashlib.sha1(raw[32:]).digest()
    file_size, header_size, endian = struct.unpack_from("<III", raw, 0x20)
    assert (file_size, header_size, endian) == (len(raw), 0x70, 0x12345678)
    assert dex_strings(raw) == ["\0x", "B", "a", "b", "é"]  # sorted by UTF-16 code unit
    map_off, = struct.unpack_from("<I", raw, 0x34)
    entries, = struct.unpack_from("<I", raw, map_off)
    types = [struct.unpack_from("<H", raw, map_off + 4 + 12 * i)[0] for i in range(entries)]
    assert types == [0x0000, 0x0001, 0x2002, 0x1000]
    data_size, data_off = struct.unpack_from("<II", raw, 0x68)
    assert data_off + data_size == len(raw)


def test_build_dex_empty() -> None:
    raw = build_dex([])
    assert dex_strings(raw) == []


def test_mutf8() -> None:
    assert encode_mutf8("a\0b") == b"a\xc0\x80b"
    assert encode_mutf8("\U0001F600") == b"\xed\xa0\xbd\xed\xb8\x80"
    assert encode_mutf8("é") == "é".encode()


def test_string_pool_round_trip() -> None:
    strings = ["", "plain", "ünï", "x" * 300, "🔑 key"]
    for utf8 in (True, False):
        assert string_pool(string_pool_chunk(strings, utf8=utf8), 0) == strings


def test_build_axml_layout() -> None:
    tree = Element("manifest", {"package": "com.a", "android:versionCode": 5}, [
        Element("application", {"android:label": "A", "android:allowBackup": False},
                [Element("meta-data", {"android:name": "k", "android:value": "v"})], text="t"),
    ])
    raw = build_axml(tree)
    kind, header, size = struct.unpack_from("<HHI", raw, 0)
    assert (kind, header, size) == (0x0003, 8, len(raw))
    chunks = []
    offset = 8
    while offset < len(raw):
        kind, _, length = struct.unpack_from("<HHI", raw, offset)
        chunks.append(kind)
        offset += length
    assert offset == len(raw)
    assert chunks == [0x0001, 0x0180, 0x0100, 0x0102, 0x0102, 0x0104, 0x0102, 0x0103, 0x0103,
                      0x0103, 0x0101]
    pool = string_pool(raw, 8)
    assert pool[:4] == ["versionCode", "label", "allowBackup", "name"]  # resource-mapped first
    assert ANDROID_NS in pool
    assert axml_text(raw).splitlines()[:4] == [
        '<manifest package="com.a" android:versionCode="5">',
        '  <application android:label="A" android:allowBackup="false">',
        "    t",
        '    <meta-data android:name="k" android:value="v">',
    ]


def test_build_arsc() -> None:
    raw = build_arsc(["one", "two"])
    assert struct.unpack_from("<HHII", raw, 0) == (0x0002, 12, len(raw), 0)
    assert arsc_strings(raw) == ["one", "two"]


def test_build_apk_is_reproducible(tmp_path: Path) -> None:
    kwargs = {"dex_strings": ["La;"], "manifest_attrs": {"package": "p"}}
    build_apk(tmp_path / "a.apk", **kwargs)  # type: ignore[arg-type]
    build_apk(tmp_path / "b.apk", **kwargs)  # type: ignore[arg-type]
    assert (tmp_path / "a.apk").read_bytes() == (tmp_path / "b.apk").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.apk") as zf:
        assert zf.getinfo("resources.arsc").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("classes.dex").compress_type == zipfile.ZIP_DEFLATED
