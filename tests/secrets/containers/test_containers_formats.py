"""Each format expand() reads, detected by content, with display paths and line numbers."""

from __future__ import annotations

import bz2
import gzip
import io
import itertools
import json
import lzma
import os
import plistlib
import random
import tarfile
import zipfile
from pathlib import Path

import pytest

from drillhall.ml.secrets.containers import Blob, Limits, expand
from drillhall.ml.secrets.containers.text import chunk_text
from drillhall.testing.android import Element, build_apk, build_arsc, build_axml, build_dex

from .helpers import collect, run, texts


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _tar(entries: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def line_of(blobs: list[Blob], needle: str) -> int:
    for blob in blobs:
        idx = blob.text.find(needle)
        if idx >= 0:
            return blob.first_line + blob.text.count("\n", 0, idx)
    raise AssertionError(f"{needle!r} not found")


# -- text -----------------------------------------------------------------------------------


def test_utf8_text_is_one_blob_with_lines(tmp_path: Path, token: str) -> None:
    f = tmp_path / "config.py"
    f.write_text(f"a = 1\n# café\nKEY = '{token}'\n", encoding="utf-8")
    blobs, skips = run(f)
    assert skips == []
    assert len(blobs) == 1 and blobs[0].has_lines and blobs[0].path == "config.py"
    assert line_of(blobs, token) == 3


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_text_with_or_without_mark(tmp_path: Path, token: str, codec: str) -> None:
    f = tmp_path / "settings.reg"
    f.write_bytes(f"[HKEY]\r\n\"Key\"=\"{token}\"\r\n".encode(codec))
    blobs, skips = run(f)
    assert not skips
    assert blobs[0].has_lines and token in blobs[0].text
    assert line_of(blobs, token) == 2


def test_latin1_text(tmp_path: Path, token: str) -> None:
    f = tmp_path / "legacy.ini"
    f.write_bytes(b"name=caf\xe9\n" + f"secret={token}\n".encode())
    blobs, _ = run(f)
    assert blobs[0].has_lines and "café" in blobs[0].text and line_of(blobs, token) == 2


def test_notebook_lines_point_into_the_ipynb(tmp_path: Path, token: str) -> None:
    nb = {"cells": [{"cell_type": "code", "source": ["import os\n", f"key = '{token}'\n"],
                     "metadata": {}, "outputs": [], "execution_count": 1}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1)
    f = tmp_path / "explore.ipynb"
    f.write_text(text)
    blobs, _ = run(f)
    expected = next(i for i, line in enumerate(text.splitlines(), 1) if token in line)
    assert blobs[0].has_lines and line_of(blobs, token) == expected


def test_long_text_is_chunked_with_overlap_and_line_numbers(tmp_path: Path, token: str) -> None:
    lines = [f"line {i} {'.' * 40}" for i in range(5000)]
    lines[2500] = f"KEY={token}"
    f = tmp_path / "big.log"
    f.write_text("\n".join(lines) + "\n")
    limits = Limits(max_file_bytes=16 * 1024)
    blobs, skips = run(f, limits)
    assert not skips and len(blobs) > 10
    assert all(len(b.text) <= limits.max_file_bytes for b in blobs)
    assert line_of(blobs, token) == 2501
    for blob in blobs:  # each chunk's first line is the right line of the file
        first = blob.text.split("\n", 1)[0]
        if first.startswith("line "):
            assert int(first.split()[1]) + 1 == blob.first_line
    # consecutive chunks overlap, so a key on a boundary is whole in one of them
    for a, b in itertools.pairwise(blobs):
        assert b.first_line <= a.first_line + a.text.count("\n")


def test_single_long_line_is_cut_with_overlap(tmp_path: Path, token: str) -> None:
    limits = Limits(max_file_bytes=8192)
    filler = "abcdefghij" * 819  # 8190 characters: the token straddles the first boundary
    f = tmp_path / "bundle.min.js"
    f.write_text(filler + token + filler)
    blobs, _ = run(f, limits)
    assert len(blobs) >= 2 and all(b.first_line == 1 for b in blobs)
    assert any(token in b.text for b in blobs)


def test_long_text_in_memory_member_is_chunked(tmp_path: Path, token: str) -> None:
    body = ("x = 1\n" * 3000 + f"k = '{token}'\n").encode()
    f = tmp_path / "a.zip"
    f.write_bytes(_zip({"big.py": body}))
    blobs, _ = run(f, Limits(max_file_bytes=4096))
    assert len(blobs) > 3 and line_of(blobs, token) == 3001


# -- binaries -------------------------------------------------------------------------------


def test_binary_gives_printable_strings(tmp_path: Path, token: str) -> None:
    wide = f"wide_{token}".encode("utf-16-le")
    f = tmp_path / "libnative.so"
    f.write_bytes(b"\x7fELF\x02\x01\x00" + os.urandom(500) + b"\x00" + token.encode()
                  + b"\x00\x01short\x00" + os.urandom(300) + wide + b"\x00\x00"
                  + os.urandom(100))
    blobs, skips = run(f)
    assert not skips
    text = texts(blobs)
    assert not blobs[0].has_lines
    assert token in text.splitlines() and f"wide_{token}" in text.splitlines()
    assert "short" not in text.splitlines()


def test_large_binary_is_streamed_in_windows(tmp_path: Path, token: str) -> None:
    limits = Limits(max_file_bytes=16 * 1024)
    data = bytearray(os.urandom(200_000))
    for at in (16 * 1024 - 10, 50_000, 65_530):  # across window boundaries too
        data[at:at + len(token)] = token.encode()
        data[at - 1] = 0
        data[at + len(token)] = 0
    f = tmp_path / "model.bin"
    f.write_bytes(bytes(data))
    blobs, skips = run(f, limits)
    assert not skips and all(not b.has_lines for b in blobs)
    found = [s for s in texts(blobs).splitlines() if token in s]
    assert found == [token, token, token]


def test_dex_string_table(tmp_path: Path, token: str) -> None:
    f = tmp_path / "classes.dex"
    f.write_bytes(build_dex(["Lcom/a/B;", f"key={token}", "with\0nul", "clef 🔑"]))
    blobs, skips = run(f)
    assert not skips and not blobs[0].has_lines
    lines = blobs[0].text.split("\n")
    assert f"key={token}" in lines and "with\0nul" in lines and "clef 🔑" in lines


def test_binary_xml_elements_and_attributes(tmp_path: Path, token: str) -> None:
    tree = Element("manifest", {"package": "com.example.app", "android:versionCode": 3}, [
        Element("application", {"android:debuggable": True}, [
            Element("meta-data", {"android:name": "api_key", "android:value": token}),
        ]),
    ])
    for utf8 in (False, True):
        f = tmp_path / "AndroidManifest.xml"
        f.write_bytes(build_axml(tree, utf8=utf8))
        blobs, skips = run(f)
        assert not skips
        text = blobs[0].text
        assert '<manifest package="com.example.app" android:versionCode="3">' in text
        assert f'<meta-data android:name="api_key" android:value="{token}">' in text
        assert 'android:debuggable="true"' in text


def test_resource_table_global_pool(tmp_path: Path, token: str) -> None:
    for utf8 in (True, False):
        f = tmp_path / "resources.arsc"
        f.write_bytes(build_arsc(["My App", token, "res/layout/main.xml"], utf8=utf8))
        blobs, _ = run(f)
        assert blobs[0].text.split("\n") == ["My App", token, "res/layout/main.xml"]


def test_binary_and_xml_plists(tmp_path: Path, token: str) -> None:
    doc = {"CFBundleName": "App", "Config": {"OpenAIKey": token, "Hosts": ["a", "b"]},
           "Blob": token.encode() + b"\x00\x01"}
    for fmt in (plistlib.FMT_BINARY, plistlib.FMT_XML):
        f = tmp_path / "Info.plist"
        f.write_bytes(plistlib.dumps(doc, fmt=fmt))
        blobs, skips = run(f)
        assert not skips, skips
        lines = blobs[0].text.splitlines()
        assert f"Config.OpenAIKey = {token}" in lines
        assert "Config.Hosts[1] = b" in lines and f"Blob = {token}" in lines
        assert not blobs[0].has_lines


def test_invalid_xml_plist_is_scanned_as_text(tmp_path: Path, token: str) -> None:
    f = tmp_path / "broken.plist"
    f.write_text(f'<?xml version="1.0"?>\n<plist version="1.0"><dict><key>k</key>\n{token}\n')
    blobs, skips = run(f)
    assert not skips and blobs[0].has_lines and line_of(blobs, token) == 3


# -- archives and compressed files ----------------------------------------------------------


@pytest.mark.parametrize("suffix", ["zip", "jar", "whl", "apk", "aab", "ipa", "egg", "bin"])
def test_zip_family_by_content(tmp_path: Path, token: str, suffix: str) -> None:
    f = tmp_path / f"bundle.{suffix}"
    f.write_bytes(_zip({"a/config.properties": f"x=1\nkey={token}\n".encode(), "dir/": b""}))
    blobs, skips = run(f)
    assert not skips
    assert [b.path for b in blobs] == [f"bundle.{suffix}!/a/config.properties"]
    assert line_of(blobs, token) == 2


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_variants(tmp_path: Path, token: str, mode: str) -> None:
    f = tmp_path / "release.tar.any"  # the name says nothing; content decides
    f.write_bytes(_tar({"pkg/.env": f"A=1\nTOKEN={token}\n".encode(), "pkg/b.txt": b"hi\n"}, mode))
    blobs, skips = run(f)
    assert not skips, skips
    assert [b.path for b in blobs] == ["release.tar.any!/pkg/.env", "release.tar.any!/pkg/b.txt"]
    assert line_of(blobs, token) == 2


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_single_compressed_file(tmp_path: Path, token: str, compress: object) -> None:
    assert callable(compress)
    f = tmp_path / "app.log.gz"
    f.write_bytes(compress(f"start\nauth {token}\n".encode()))
    blobs, skips = run(f)
    assert not skips
    assert blobs[0].path == "app.log.gz!/app.log" and line_of(blobs, token) == 2


def test_zip_in_tar_gz_in_zip(tmp_path: Path, token: str) -> None:
    inner = _zip({"conf/app.properties": f"secret={token}\n".encode()})
    middle = _tar({"lib/inner.jar": inner}, "w:gz")
    f = tmp_path / "outer.zip"
    f.write_bytes(_zip({"dist/middle.tar.gz": middle}))
    blobs, skips = run(f)
    assert not skips
    assert [b.path for b in blobs] == [
        "outer.zip!/dist/middle.tar.gz!/lib/inner.jar!/conf/app.properties"]
    assert token in blobs[0].text


def test_apk_from_writer(tmp_path: Path, token: str) -> None:
    f = tmp_path / "app.apk"
    build_apk(f, dex_strings=["Lcom/x/Api;", token],
              manifest_attrs={"package": "com.x", "android:versionCode": 1},
              permissions=["android.permission.INTERNET"],
              extra_files={"assets/endpoints.json": b'{"url": "https://x.invalid"}'})
    blobs, skips = run(f)
    assert not skips
    by_path = {b.path: b for b in blobs}
    assert set(by_path) == {"app.apk!/AndroidManifest.xml", "app.apk!/classes.dex",
                            "app.apk!/resources.arsc", "app.apk!/res/values/strings.xml",
                            "app.apk!/META-INF/MANIFEST.MF", "app.apk!/assets/endpoints.json"}
    assert token in by_path["app.apk!/classes.dex"].text
    assert "android.permission.INTERNET" in by_path["app.apk!/AndroidManifest.xml"].text
    assert by_path["app.apk!/res/values/strings.xml"].has_lines


def test_unsupported_archive_is_a_plain_skip(tmp_path: Path) -> None:
    f = tmp_path / "x.7z"
    f.write_bytes(b"7z\xbc\xaf\x27\x1c" + os.urandom(64))
    blobs, skips = run(f)
    assert blobs == [] and len(skips) == 1 and not skips[0].hostile


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    f = tmp_path / "empty"
    f.touch()
    assert list(expand(f, "empty")) == []


def test_missing_file_and_directory_are_skips(tmp_path: Path) -> None:
    blobs, skips = collect(expand(tmp_path / "nope", "nope"))
    assert blobs == [] and "cannot be opened" in skips[0].reason
    _, skips = collect(expand(tmp_path, "."))
    assert len(skips) == 1 and "directory" in skips[0].reason


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    blobs, skips = run(fifo)
    assert blobs == [] and "not a regular file" in skips[0].reason


def test_zip_with_data_in_front(tmp_path: Path, token: str) -> None:
    f = tmp_path / "tool.pyz"
    f.write_bytes(b"#!/usr/bin/env python3\n" + _zip({"__main__.py": f"K = '{token}'\n".encode()}))
    blobs, skips = run(f)
    assert not skips and blobs[0].path == "tool.pyz!/__main__.py" and token in blobs[0].text


def test_binary_merely_containing_zip_bytes_is_a_binary(tmp_path: Path, token: str) -> None:
    f = tmp_path / "lib.so"
    f.write_bytes(b"\x7fELF" + os.urandom(2000) + b"\x00" + token.encode() + b"\x00"
                  + b"PK\x05\x06" + bytes(18) + os.urandom(100))
    blobs, skips = run(f)
    assert not skips and token in texts(blobs)


def test_chunking_never_loses_a_marker() -> None:
    rng = random.Random(7)
    limits = Limits(max_file_bytes=1024)
    marker = "M" * 40
    for _ in range(200):
        parts = [rng.choice(["abc ", "\n", "xyz" * rng.randint(1, 50)]) for _ in range(300)]
        text = "".join(parts)
        at = rng.randrange(len(text))
        text = text[:at] + marker + text[at:]
        pieces = [text[i:i + 700] for i in range(0, len(text), 700)]
        blobs = list(chunk_text(pieces, "t", limits))
        assert all(len(b.text) <= 1024 for b in blobs)
        hits = [b for b in blobs if marker in b.text]
        assert hits
        b = hits[0]
        assert b.first_line + b.text.count("\n", 0, b.text.index(marker)) == \
            text.count("\n", 0, at) + 1
