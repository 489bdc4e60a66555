from __future__ import annotations

import hashlib
import os
import stat
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drillhall.errors import InputError
from drillhall.ml.manifest import EntryType, create_manifest
from drillhall.ml.manifest.manifest import CHUNK, glob_match, hash_file
from tests.manifest.helpers import make_tree


def test_every_file_recorded_relative_sorted_with_hash_and_size(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "bundle")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "drillhall-manifest.json").write_text("{}")
    m = create_manifest(root, created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert [f.path for f in m.files] == ["data/notes.txt", "data/train.csv",
                                         "models/router.joblib", "models/weights.bin"]
    csv = m.by_path["data/train.csv"]
    body = (root / "data" / "train.csv").read_bytes()
    assert csv.sha256 == hashlib.sha256(body).hexdigest() and csv.size == len(body)
    assert m.root == "bundle" and m.created == "2026-01-02T03:04:05Z"
    assert m.schema == "drillhall/manifest/v1"


def test_symlinks_recorded_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the manifest")
    root = make_tree(tmp_path / "bundle")
    (root / "models" / "latest.joblib").symlink_to("router.joblib")
    (root / "escape").symlink_to(outside)
    (root / "escape-file").symlink_to(outside / "secret.txt")
    m = create_manifest(root)
    latest = m.by_path["models/latest.joblib"]
    assert latest.type is EntryType.SYMLINK and latest.target == "router.joblib"
    assert m.by_path["escape"].type is EntryType.SYMLINK
    assert m.by_path["escape"].target == str(outside)
    assert m.by_path["escape-file"].sha256 is None
    assert not any("secret.txt" in f.path for f in m.files)


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "bundle")
    (root / "README.md").write_text("hi")
    (root / "models" / "sub").mkdir()
    (root / "models" / "sub" / "deep.onnx").write_bytes(b"x")
    m = create_manifest(root, include=["models/**", "data/**"], exclude=["*.txt"])
    assert [f.path for f in m.files] == ["data/train.csv", "models/router.joblib",
                                         "models/sub/deep.onnx", "models/weights.bin"]
    assert m.include == ("models/**", "data/**") and m.exclude == ("*.txt",)


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("**/*", "a", True), ("**/*", "a/b/c.csv", True), ("models/**", "models/x/y", True),
    ("models/**", "modelsx/y", False), ("*.csv", "deep/dir/x.csv", True),
    ("data/*.csv", "data/sub/x.csv", False), ("data/*.csv", "data/x.csv", True),
    ("**/x.pkl", "x.pkl", True), ("**/x.pkl", "a/b/x.pkl", True), ("f?.bin", "f1.bin", True),
    ("f[0-9].bin", "fa.bin", False), ("f[!a].bin", "f1.bin", True),
])
def test_glob_match(pattern: str, path: str, hit: bool) -> None:
    assert glob_match(pattern, path) is hit


def test_canonical_bytes_are_stable_and_compact(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "bundle")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    a = create_manifest(root, created=when).canonical_bytes()
    b = create_manifest(root, created=when).canonical_bytes()
    assert a == b
    assert b" " not in a.replace(b"collected in June", b"") and b"\n" not in a
    assert a.index(b'"created"') < a.index(b'"files"') < a.index(b'"root"')


def test_big_sparse_file_is_streamed(tmp_path: Path) -> None:
    big = tmp_path / "checkpoint.pt"
    size = 50 * 1024 * 1024
    with big.open("wb") as fh:
        fh.truncate(size)
    tracemalloc.start()
    try:
        digest, got = hash_file(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == size
    expected = hashlib.sha256()
    zeros = bytes(CHUNK)
    for _ in range(size // CHUNK):
        expected.update(zeros)
    assert digest == expected.hexdigest()
    assert peak < 4 * CHUNK, f"peak {peak} bytes: the file was not streamed"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_unreadable_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "bundle")
    locked = root / "data" / "train.csv"
    locked.chmod(0)
    try:
        with pytest.raises(InputError, match=r"train\.csv: cannot be read"):
            create_manifest(root)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        create_manifest(tmp_path / "nope")
