"""Writers of Android app files, for tests and demos: DEX, binary XML, resource tables, APKs.

They write the structures drillhall's readers parse (:mod:`drillhall.ml.secrets.containers`)
following the published formats, so that tests need no binary fixtures in the repository:

* :func:`build_dex` — a structurally valid DEX file (``dex\\n035\\0``): header with checksum
  (Adler-32) and signature (SHA-1), a sorted ``string_ids`` table, Modified UTF-8 string data
  and a ``map_list``; the other tables are empty.
* :func:`build_axml` — Android binary XML from an :class:`Element` tree: string pool (UTF-16
  or UTF-8), optional resource map, namespace and element chunks with typed attributes.
* :func:`build_arsc` — a resource table holding only its global string pool.
* :func:`build_apk` — a zip with ``classes.dex``, a binary ``AndroidManifest.xml``,
  ``resources.arsc``, ``res/values/strings.xml`` and ``META-INF/MANIFEST.MF``, byte-for-byte
  reproducible (fixed timestamps).
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["ANDROID_NS", "Element", "build_apk", "build_arsc", "build_axml", "build_dex",
           "encode_mutf8", "string_pool_chunk"]

ANDROID_NS = "http://schemas.android.com/apk/res/android"
NO_INDEX = 0xFFFFFFFF
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Android resource IDs of common framework attributes (android.R.attr), for the resource map.
FRAMEWORK_ATTRS: Mapping[str, int] = {
    "label": 0x01010001, "icon": 0x01010002, "name": 0x01010003, "value": 0x01010024,
    "versionCode": 0x0101021B, "versionName": 0x0101021C, "minSdkVersion": 0x0101020C,
    "targetSdkVersion": 0x01010270, "exported": 0x01010010, "allowBackup": 0x01010280,
}


# -- DEX ------------------------------------------------------------------------------------


def _uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_mutf8(text: str) -> bytes:
    """Modified UTF-8: NUL as ``C0 80``, supplementary characters as two 3-byte surrogates."""
    units = struct.unpack(f"<{len(text.encode('utf-16-le', 'surrogatepass')) // 2}H",
                          text.encode("utf-16-le", "surrogatepass"))
    out = bytearray()
    for unit in units:
        if unit == 0:
            out += b"\xc0\x80"
        elif unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | unit >> 6, 0x80 | unit & 0x3F))
        else:
            out += bytes((0xE0 | unit >> 12, 0x80 | (unit >> 6) & 0x3F, 0x80 | unit & 0x3F))
    return bytes(out)


def build_dex(strings: Sequence[str]) -> bytes:
    """A DEX file whose ``string_ids`` table holds ``strings`` (sorted and de-duplicated as
    the format requires); type, proto, field, method and class tables are empty."""
    ordered = sorted(set(strings), key=lambda s: s.encode("utf-16-be", "surrogatepass"))
    count = len(ordered)
    ids_off = 0x70 if count else 0
    data_off = 0x70 + 4 * count
    data = bytearray()
    offsets: list[int] = []
    for text in ordered:
        offsets.append(data_off + len(data))
        units = len(text.encode("utf-16-le", "surrogatepass")) // 2
        data += _uleb128(units) + encode_mutf8(text) + b"\0"
    data += b"\0" * (-len(data) % 4)
    map_off = data_off + len(data)
    items = [(0x0000, 1, 0)]
    if count:
        items += [(0x0001, count, ids_off), (0x2002, count, data_off)]
    items.append((0x1000, 1, map_off))
    data += struct.pack("<I", len(items))
    for kind, size, offset in items:
        data += struct.pack("<HHII", kind, 0, size, offset)
    file_size = data_off + len(data)
    header = bytearray(0x70)
    header[0:8] = b"dex\n035\0"
    struct.pack_into("<IIIIIIII", header, 0x20, file_size, 0x70, 0x12345678, 0, 0, map_off,
                     count, ids_off)
    struct.pack_into("<II", header, 0x68, len(data), data_off)
    body = header + struct.pack(f"<{count}I", *offsets) + data
    body[12:32] = hashlib.sha1(bytes(body[32:])).digest()  # noqa: S324 - the format's choice
    struct.pack_into("<I", body, 8, zlib.adler32(bytes(body[12:])))
    return bytes(body)


# -- string pools, binary XML, resource tables ----------------------------------------------


def _length8(n: int) -> bytes:
    return bytes((0x80 | n >> 8, n & 0xFF)) if n > 0x7F else bytes((n,))


def _length16(n: int) -> bytes:
    if n > 0x7FFF:
        return struct.pack("<HH", 0x8000 | n >> 16, n & 0xFFFF)
    return struct.pack("<H", n)


def string_pool_chunk(strings: Sequence[str], *, utf8: bool = False) -> bytes:
    """A ``ResStringPool`` chunk (type 0x0001) holding ``strings`` in order."""
    body = bytearray()
    offsets: list[int] = []
    for text in strings:
        offsets.append(len(body))
        if utf8:
            raw = text.encode("utf-8")
            units = len(text.encode("utf-16-le", "surrogatepass")) // 2
            body += _length8(units) + _length8(len(raw)) + raw + b"\0"
        else:
            raw = text.encode("utf-16-le", "surrogatepass")
            body += _length16(len(raw) // 2) + raw + b"\0\0"
    body += b"\0" * (-len(body) % 4)
    header_size = 28
    strings_start = header_size + 4 * len(strings)
    size = strings_start + len(body)
    head = struct.pack("<HHIIIIII", 0x0001, header_size, size, len(strings), 0,
                       0x100 if utf8 else 0, strings_start, 0)
    return head + struct.pack(f"<{len(strings)}I", *offsets) + bytes(body)


@dataclass(frozen=True)
class Element:
    """One element of an XML tree for :func:`build_axml`.

    Attribute names may carry a namespace prefix (``android:name``); values are strings,
    integers or booleans (written as typed values, as aapt does). ``text`` becomes a CDATA
    chunk inside the element.
    """

    tag: str
    attrs: Mapping[str, str | int | bool] = field(default_factory=dict)
    children: Sequence[Element] = ()
    text: str | None = None


class _Pool:
    def __init__(self, first: Sequence[str]) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        for s in first:
            self.add(s)

    def add(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = len(self.strings)
            self.strings.append(text)
        return self.index[text]


def _node(kind: int, payload: bytes, line: int) -> bytes:
    return struct.pack("<HHIII", kind, 16, 16 + len(payload), line, NO_INDEX) + payload


def build_axml(root: Element, *, namespaces: Mapping[str, str] | None = None,
               utf8: bool = False, resource_map: bool = True) -> bytes:
    """Android binary XML for the tree under ``root``.

    ``namespaces`` maps prefixes to URIs (default ``{"android": ANDROID_NS}``); with
    ``resource_map`` the names of known framework attributes (:data:`FRAMEWORK_ATTRS`) come
    first in the pool and a resource-map chunk gives their ids, as in real APKs.
    """
    namespaces = {"android": ANDROID_NS} if namespaces is None else dict(namespaces)
    mapped: list[str] = []
    if resource_map:
        seen: set[str] = set()
        stack = [root]
        while stack:
            element = stack.pop()
            for name in element.attrs:
                local = name.partition(":")[2] or name
                if ":" in name and local in FRAMEWORK_ATTRS and local not in seen:
                    seen.add(local)
                    mapped.append(local)
            stack.extend(element.children)
    pool = _Pool(mapped)
    chunks: list[bytes] = []
    ns_refs = [(pool.add(prefix), pool.add(uri)) for prefix, uri in namespaces.items()]
    for prefix_i, uri_i in ns_refs:
        chunks.append(_node(0x0100, struct.pack("<II", prefix_i, uri_i), 1))
    line = [1]

    def qualified(name: str) -> tuple[int, int]:
        prefix, colon, local = name.partition(":")
        if colon and prefix in namespaces:
            return pool.add(namespaces[prefix]), pool.add(local)
        return NO_INDEX, pool.add(name)

    def emit(element: Element) -> None:
        line[0] += 1
        attrs = bytearray()
        for name, value in element.attrs.items():
            ns_i, name_i = qualified(name)
            if isinstance(value, bool):
                raw, kind, data = NO_INDEX, 0x12, 0xFFFFFFFF if value else 0
            elif isinstance(value, int):
                raw, kind, data = NO_INDEX, 0x10, value & 0xFFFFFFFF
            else:
                raw = data = pool.add(value)
                kind = 0x03
            attrs += struct.pack("<IIIHBBI", ns_i, name_i, raw, 8, 0, kind, data)
        tag_ns, tag_i = qualified(element.tag)
        head = struct.pack("<IIHHHHHH", tag_ns, tag_i, 20, 20, len(element.attrs), 0, 0, 0)
        chunks.append(_node(0x0102, head + attrs, line[0]))
        if element.text is not None:
            text_i = pool.add(element.text)
            chunks.append(_node(0x0104, struct.pack("<IHBBI", text_i, 8, 0, 0x03, text_i),
                                line[0]))
        for child in element.children:
            emit(child)
        chunks.append(_node(0x0103, struct.pack("<II", tag_ns, tag_i), line[0]))

    emit(root)
    for prefix_i, uri_i in reversed(ns_refs):
        chunks.append(_node(0x0101, struct.pack("<II", prefix_i, uri_i), line[0]))
    parts = [string_pool_chunk(pool.strings, utf8=utf8)]
    if mapped:
        ids = [FRAMEWORK_ATTRS[name] for name in mapped]
        parts.append(struct.pack(f"<HHI{len(ids)}I", 0x0180, 8, 8 + 4 * len(ids), *ids))
    body = b"".join(parts) + b"".join(chunks)
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body


def build_arsc(strings: Sequence[str], *, utf8: bool = True) -> bytes:
    """A resource table (``resources.arsc``) with ``strings`` as its global string pool and
    no packages."""
    pool = string_pool_chunk(strings, utf8=utf8)
    return struct.pack("<HHII", 0x0002, 12, 12 + len(pool), 0) + pool


# -- APK ------------------------------------------------------------------------------------


def _strings_xml(strings: Mapping[str, str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<resources>"]
    lines += [f"    <string name={quoteattr(k)}>{escape(v)}</string>" for k, v in strings.items()]
    lines.append("</resources>")
    return ("\n".join(lines) + "\n").encode()


def build_apk(path: Path, *, dex_strings: Sequence[str],
              manifest_attrs: Mapping[str, str | int | bool],
              extra_files: Mapping[str, bytes] | None = None,
              permissions: Sequence[str] = (),
              app_strings: Mapping[str, str] | None = None,
              application_attrs: Mapping[str, str | int | bool] | None = None) -> None:
    """Write an APK-shaped zip to ``path``.

    ``manifest_attrs`` are the ``<manifest>`` attributes (``package``,
    ``android:versionCode``…), ``permissions`` become ``<uses-permission>`` elements,
    ``app_strings`` fill ``res/values/strings.xml`` and the resource table, and
    ``extra_files`` are added as they are. Timestamps are fixed, so equal inputs give
    identical bytes.
    """
    app_strings = {"app_name": "App"} if app_strings is None else dict(app_strings)
    application = Element("application", dict(application_attrs or {"android:label": "App"}))
    children = [Element("uses-permission", {"android:name": p}) for p in permissions]
    manifest = Element("manifest", dict(manifest_attrs), (*children, application))
    files: dict[str, bytes] = {
        "AndroidManifest.xml": build_axml(manifest),
        "classes.dex": build_dex(dex_strings),
        "resources.arsc": build_arsc(list(app_strings.values())),
        "res/values/strings.xml": _strings_xml(app_strings),
        "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\nCreated-By: drillhall.testing\r\n\r\n",
    }
    files.update(extra_files or {})
    with zipfile.ZipFile(path, "w") as apk:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = (zipfile.ZIP_STORED if name == "resources.arsc"
                                  else zipfile.ZIP_DEFLATED)
            info.external_attr = 0o644 << 16
            apk.writestr(info, data)
