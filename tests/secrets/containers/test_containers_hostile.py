"""Hostile input: bounded in time and memory, reported as skips, never an exception."""

from __future__ import annotations

import gzip
import io
import os
import random
import struct
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from drillhall.ml.secrets.containers import Limits, Skip, expand
from drillhall.testing.android import Element, build_apk, build_arsc, build_axml, build_dex

from .helpers import run, texts

TINY = Limits(max_file_bytes=16 * 1024, max_scan_bytes=64 * 1024,
              max_total_uncompressed=256 * 1024)


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def _tar(entries: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def hostile(skips: list[Skip]) -> list[Skip]:
    return [s for s in skips if s.hostile]


def test_zip_bomb_is_not_decompressed(tmp_path: Path, token: str) -> None:
    f = tmp_path / "bomb.zip"
    f.write_bytes(_zip({"zeros.bin": bytes(8 << 20), "ok.txt": token.encode()}))
    assert f.stat().st_size < 64 * 1024
    start = time.monotonic()
    blobs, skips = run(f, TINY)
    assert time.monotonic() - start < 2
    bombs = hostile(skips)
    assert len(bombs) == 1 and bombs[0].path == "bomb.zip!/zeros.bin"
    assert "zip bomb" in bombs[0].reason
    assert token in texts(blobs)  # the other member is still scanned


def test_big_but_not_bomb_member_is_a_plain_skip(tmp_path: Path) -> None:
    f = tmp_path / "big.zip"
    f.write_bytes(_zip({"noise.bin": os.urandom(100_000)}))
    _, skips = run(f, TINY)
    assert len(skips) == 1 and not skips[0].hostile and "scan limit" in skips[0].reason


def _patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local header and central directory."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    struct.pack_into("<I", out, local + 22, size)
    central = out.find(b"PK\x01\x02")
    assert out[central + 46:central + 46 + len(name)] == name
    struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def test_declared_size_that_lies_small(tmp_path: Path) -> None:
    real = _zip({"payload.txt": b"A" * (4 << 20)})
    f = tmp_path / "liar.zip"
    f.write_bytes(_patch_sizes(real, b"payload.txt", 100))
    start = time.monotonic()
    blobs, skips = run(f)
    assert time.monotonic() - start < 2
    assert sum(len(b.text) for b in blobs) <= 100  # never more than declared is read
    assert hostile(skips) and "CRC" in hostile(skips)[0].reason


def test_declared_size_that_lies_large(tmp_path: Path) -> None:
    real = _zip({"payload.txt": b"short text\n"})
    f = tmp_path / "liar.zip"
    f.write_bytes(_patch_sizes(real, b"payload.txt", 3 << 30))
    blobs, skips = run(f)
    assert blobs == [] and len(hostile(skips)) == 1


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    f = tmp_path / "data.gz"
    f.write_bytes(gzip.compress(bytes(16 << 20), compresslevel=9))
    blobs, skips = run(f, TINY)
    assert blobs == [] and len(skips) == 1 and skips[0].hostile
    assert "bomb" in skips[0].reason


def test_tar_gz_bomb_stops_at_the_limit(tmp_path: Path, token: str) -> None:
    raw = _tar({"a.txt": token.encode(), "zeros.bin": bytes(8 << 20), "b.txt": b"after\n"},
               "w:gz")
    f = tmp_path / "dist.tgz"
    f.write_bytes(raw)
    blobs, skips = run(f, TINY)
    assert token in texts(blobs)
    assert any(s.path == "dist.tgz!/zeros.bin" for s in skips)
    assert hostile(skips)


def test_tar_gz_over_total_budget_is_cut(tmp_path: Path) -> None:
    members = {f"m{i}.bin": os.urandom(40 * 1024) for i in range(12)}  # 480 KiB of noise
    f = tmp_path / "many.tar.gz"
    f.write_bytes(_tar(members, "w:gz"))
    blobs, skips = run(f, TINY)
    assert 0 < len(blobs) < 12
    assert any("uncompressed limit" in s.reason for s in skips)


def test_nesting_deeper_than_the_limit(tmp_path: Path, token: str) -> None:
    data = f"key={token}\n".encode()
    name = "leaf.txt"
    for level in range(8):
        data = _zip({name: data})
        name = f"level{level}.zip"
    f = tmp_path / "deep.zip"
    f.write_bytes(data)
    blobs, skips = run(f, Limits(max_archive_depth=3))
    assert blobs == []
    assert len(skips) == 1 and skips[0].hostile and "nested" in skips[0].reason
    assert skips[0].path.count("!/") == 3
    blobs, skips = run(f, Limits(max_archive_depth=8))
    assert not skips and token in blobs[0].text


def test_quine_like_self_nesting_is_bounded(tmp_path: Path) -> None:
    data = _zip({"r.zip": b"PK\x05\x06" + bytes(18)})
    for _ in range(30):
        data = _zip({"r.zip": data, "s.zip": data})
    f = tmp_path / "r.zip"
    f.write_bytes(data)
    start = time.monotonic()
    _, skips = run(f)
    assert time.monotonic() - start < 5
    assert hostile(skips)


def test_too_many_members(tmp_path: Path) -> None:
    f = tmp_path / "many.zip"
    f.write_bytes(_zip({f"f{i}.txt": b"x" for i in range(300)}, zipfile.ZIP_STORED))
    blobs, skips = run(f, Limits(max_archive_members=100))
    assert len(blobs) == 100
    assert len(skips) == 1 and skips[0].hostile and "members" in skips[0].reason
    blobs, skips = run(f, Limits(max_archive_members=10))  # far over: not even opened
    assert blobs == [] and skips[0].hostile


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/etc/passwd", "a/../../b",
                                  "C:/Windows/x.ini", "..\\..\\evil.txt"])
def test_path_traversal_names_are_flagged_and_still_scanned(tmp_path: Path, token: str,
                                                            name: str) -> None:
    for kind, raw in (("zip", _zip({name: token.encode()})), ("tar", _tar({name: token.encode()}))):
        f = tmp_path / f"evil.{kind}"
        f.write_bytes(raw)
        blobs, skips = run(f)
        assert len(hostile(skips)) == 1 and "traversal" in skips[0].reason, kind
        assert token in texts(blobs)
        assert not list(tmp_path.glob("**/x.ini")) and not (tmp_path / "evil.txt").exists()


def test_tar_links_out_of_the_archive(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        link = tarfile.TarInfo("shadow")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/shadow"
        tf.addfile(link)
    f = tmp_path / "links.tar"
    f.write_bytes(buf.getvalue())
    blobs, skips = run(f)
    assert blobs == [] and skips[0].hostile and "not followed" in skips[0].reason


def test_control_characters_in_names_are_escaped(tmp_path: Path) -> None:
    f = tmp_path / "n.zip"
    f.write_bytes(_zip({"a\nb\x1b[31m.txt": b"hello world\n"}))
    blobs, _ = run(f)
    assert blobs[0].path == "n.zip!/a\\x0ab\\x1b[31m.txt"


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_zip(tmp_path: Path, cut: float) -> None:
    raw = _zip({f"f{i}.txt": os.urandom(2000) for i in range(5)})
    f = tmp_path / "cut.zip"
    f.write_bytes(raw[:int(len(raw) * cut)])
    _, skips = run(f)
    assert hostile(skips) and "malformed or truncated zip" in skips[0].reason


def test_corrupt_member_data(tmp_path: Path, token: str) -> None:
    text = " ".join(str(i * 7919 % 10007) for i in range(3000)).encode()
    raw = bytearray(_zip({"a.txt": text, "b.txt": token.encode()}))
    assert raw.find(b"b.txt") > 1000
    raw[500:520] = os.urandom(20)  # inside a.txt's deflate stream
    f = tmp_path / "bad.zip"
    f.write_bytes(bytes(raw))
    blobs, skips = run(f)
    assert any(s.path == "bad.zip!/a.txt" and s.hostile for s in skips)
    assert token in texts(blobs)


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:xz"])
def test_truncated_tar(tmp_path: Path, token: str, mode: str) -> None:
    raw = _tar({"first.txt": token.encode(), "second.bin": os.urandom(20_000)}, mode)
    f = tmp_path / "cut.tar"
    f.write_bytes(raw[:len(raw) // 2])
    _blobs, skips = run(f)
    assert hostile(skips), skips
    assert "truncated" in hostile(skips)[-1].reason


def test_tar_without_end_marker(tmp_path: Path) -> None:
    raw = _tar({"a.txt": b"hello there\n"})
    f = tmp_path / "noend.tar"
    f.write_bytes(raw[:512 + 512])  # header + one data block, no end-of-archive blocks
    blobs, skips = run(f)
    assert blobs[0].text == "hello there\n"
    assert hostile(skips) and "end-of-archive" in skips[0].reason


def test_two_gigabyte_sparse_file(tmp_path: Path) -> None:
    f = tmp_path / "huge.bin"
    subprocess.run(["truncate", "-s", "2G", str(f)], check=True)
    start = time.monotonic()
    blobs, skips = run(f)
    assert time.monotonic() - start < 3
    assert blobs == [] and len(skips) == 1 and "scan limit" in skips[0].reason


def test_sparse_file_within_the_scan_limit_is_streamed(tmp_path: Path, token: str) -> None:
    f = tmp_path / "sparse.img"
    subprocess.run(["truncate", "-s", "64M", str(f)], check=True)
    with f.open("r+b") as fh:
        fh.seek(40 << 20)
        fh.write(b"\0" + token.encode() + b"\0")
    start = time.monotonic()
    blobs, skips = run(f)
    assert time.monotonic() - start < 5
    assert not skips and token in texts(blobs)


def test_random_blob(tmp_path: Path) -> None:
    f = tmp_path / "noise"
    f.write_bytes(os.urandom(1 << 20))
    blobs, skips = run(f)
    assert not skips and all(not b.has_lines for b in blobs)


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\x1f\x8b\x08\x00", b"BZh9", b"\xfd7zXZ\x00",
                                   b"dex\n035\x00", b"\x03\x00\x08\x00", b"\x02\x00\x0c\x00",
                                   b"bplist00"])
def test_random_bytes_behind_every_magic(tmp_path: Path, magic: bytes) -> None:
    for seed in range(5):
        f = tmp_path / f"fake{seed}"
        f.write_bytes(magic + os.urandom(3000 + seed * 997))
        items = list(expand(f, f.name))  # must not raise
        assert all(isinstance(i, Skip) and i.hostile for i in items if isinstance(i, Skip))


def test_malformed_dex_falls_back_to_strings(tmp_path: Path, token: str) -> None:
    raw = bytearray(build_dex(["Lcom/a/B;", token]))
    struct.pack_into("<I", raw, 0x3C, 0x7FFFFFF0)  # string_ids_off far outside the file
    f = tmp_path / "classes.dex"
    f.write_bytes(bytes(raw))
    blobs, skips = run(f)
    assert len(skips) == 1 and skips[0].hostile and "DEX" in skips[0].reason
    assert token in texts(blobs)


def test_dex_entries_all_pointing_at_one_string(tmp_path: Path) -> None:
    raw = bytearray(build_dex(["A" * 5000]))
    count = 20_000
    table = struct.pack(f"<{count}I", *([0x74] * count))
    raw = raw[:0x70] + bytearray(struct.pack("<I", 0x70 + len(table))) + raw[0x74:] + table
    struct.pack_into("<II", raw, 0x38, count, len(raw) - len(table))
    f = tmp_path / "amplify.dex"
    f.write_bytes(bytes(raw))
    start = time.monotonic()
    blobs, skips = run(f)
    assert time.monotonic() - start < 2
    assert skips and skips[0].hostile and sum(len(b.text) for b in blobs) < 100_000


def test_axml_attributes_repeating_a_huge_string(tmp_path: Path) -> None:
    attrs: dict[str, str | int | bool] = {f"a{i}": "Z" * 20_000 for i in range(1)}
    element = Element("m", attrs, [Element("x", {"v": "Z" * 20_000}) for _ in range(200)])
    f = tmp_path / "AndroidManifest.xml"
    f.write_bytes(build_axml(element))
    blobs, skips = run(f)
    assert skips and skips[0].hostile and sum(len(b.text) for b in blobs) < 1_000_000


def test_truncated_axml_and_arsc(tmp_path: Path, token: str) -> None:
    for name, raw in (("AndroidManifest.xml", build_axml(Element("m", {"k": token}))),
                      ("resources.arsc", build_arsc([token, "other string"]))):
        f = tmp_path / name
        f.write_bytes(raw[:len(raw) - 12])
        _blobs, skips = run(f)
        assert skips and skips[0].hostile, name


def test_cyclic_binary_plist(tmp_path: Path) -> None:
    # bplist00 with one array (object 0) that contains itself
    objects = b"\xa1\x00"
    offsets = struct.pack(">B", 8)
    trailer = struct.pack(">6xBBQQQ", 1, 1, 1, 0, 8 + len(objects))
    f = tmp_path / "loop.plist"
    f.write_bytes(b"bplist00" + objects + offsets + trailer)
    start = time.monotonic()
    items = list(expand(f, "loop.plist"))
    assert time.monotonic() - start < 2 and items


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    f = tmp_path / "secret.txt"
    f.write_text("x")
    f.chmod(0)
    blobs, skips = run(f)
    assert blobs == [] and "cannot be opened" in skips[0].reason


def test_gzip_trailer_that_lies_small(tmp_path: Path) -> None:
    raw = bytearray(gzip.compress(bytes(4 << 20)))
    struct.pack_into("<I", raw, len(raw) - 4, 10)
    f = tmp_path / "liar.gz"
    f.write_bytes(bytes(raw))
    blobs, skips = run(f, TINY)
    assert blobs == [] and len(skips) == 1 and skips[0].hostile


def test_big_gzip_that_is_no_bomb(tmp_path: Path) -> None:
    f = tmp_path / "noise.gz"
    f.write_bytes(gzip.compress(os.urandom(200_000)))
    blobs, skips = run(f, TINY)
    assert blobs == [] and len(skips) == 1 and not skips[0].hostile


def test_mutated_containers_never_raise(tmp_path: Path) -> None:
    """A small fixed-seed fuzz: flipped bytes, cuts and insertions in every container kind."""
    rng = random.Random(20240917)
    apk = tmp_path / "a.apk"
    build_apk(apk, dex_strings=["La;", "hello there world"],
              manifest_attrs={"package": "p", "android:versionCode": 1})
    seeds = [apk.read_bytes(), _tar({"a.txt": b"a" * 300, "b.apk": apk.read_bytes()}),
             _tar({"a.txt": b"a" * 300}, "w:gz"), _tar({"a.txt": b"a" * 300}, "w:xz"),
             gzip.compress(b"x" * 1000), build_dex(["a" * 30, "b" * 20]),
             build_axml(Element("m", {"a": "b", "android:name": "x"}, [Element("c", {"d": 1})])),
             build_arsc(["s1", "s2"])]
    f = tmp_path / "x"
    start = time.monotonic()
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            op, at = rng.random(), rng.randrange(len(data) + 1)
            if op < 0.6 and at < len(data):
                data[at] = rng.randrange(256)
            elif op < 0.8:
                del data[at:]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 16))
        f.write_bytes(bytes(data))
        list(expand(f, "x", TINY))
    assert time.monotonic() - start < 20
