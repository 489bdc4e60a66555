"""iter_files: deterministic walk, VCS directories, symlinks, exclude globs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drillhall.ml.secrets.containers import expand, iter_files
from drillhall.ml.secrets.containers.walk import glob_regex


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def _rel(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_sorted_walk_skips_vcs_dirs_but_not_node_modules(tmp_path: Path) -> None:
    _tree(tmp_path, ["b.txt", "a.txt", "src/z.py", "src/a.py", ".git/config", ".hg/hgrc",
                     "node_modules/pkg/index.js", ".venv/lib/x.py", ".env"])
    got = _rel(tmp_path, list(iter_files(tmp_path)))
    assert got == [".env", "a.txt", "b.txt", ".venv/lib/x.py", "node_modules/pkg/index.js",
                   "src/a.py", "src/z.py"]
    assert got == _rel(tmp_path, list(iter_files(tmp_path)))  # deterministic


def test_single_file_yields_itself(tmp_path: Path) -> None:
    f = tmp_path / "one.txt"
    f.write_text("x")
    assert list(iter_files(f)) == [f]


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, ["secret.txt"])
    root = tmp_path / "root"
    _tree(root, ["real.txt"])
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    assert _rel(root, list(iter_files(root))) == ["real.txt"]


def test_special_files_are_not_yielded(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    _tree(tmp_path, ["a.txt"])
    assert _rel(tmp_path, list(iter_files(tmp_path))) == ["a.txt"]


@pytest.mark.parametrize(("patterns", "expected"), [
    (["*.min.js"], ["app.js", "docs/readme.md", "node_modules/lib/index.js", "src/deep/a.py"]),
    (["node_modules"], ["app.js", "app.min.js", "docs/readme.md", "src/deep/a.py"]),
    (["**/deep/**"], ["app.js", "app.min.js", "docs/readme.md", "node_modules/lib/index.js"]),
    (["src/**/*.py", "docs/"], ["app.js", "app.min.js", "node_modules/lib/index.js"]),
    (["node_modules/**/*.js", "app.?s"], ["app.min.js", "docs/readme.md", "src/deep/a.py"]),
])
def test_exclude_globs(tmp_path: Path, patterns: list[str], expected: list[str]) -> None:
    _tree(tmp_path, ["app.js", "app.min.js", "docs/readme.md", "node_modules/lib/index.js",
                     "src/deep/a.py"])
    got = sorted(_rel(tmp_path, list(iter_files(tmp_path, exclude=patterns))))
    assert got == expected


def test_glob_regex() -> None:
    assert glob_regex("a/**/b").match("a/b")
    assert glob_regex("a/**/b").match("a/x/y/b")
    assert not glob_regex("a/*/b").match("a/x/y/b")
    assert glob_regex("[!x]y").match("zy") and not glob_regex("[!x]y").match("xy")
    assert glob_regex("**").match("any/thing")


def test_unlistable_directory_is_reported_through_expand(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root lists directories whatever their mode")
    locked = tmp_path / "locked"
    _tree(locked, ["x.txt"])
    locked.chmod(0)
    try:
        paths = list(iter_files(tmp_path))
        assert paths == [locked]
        skip = next(iter(expand(locked, "locked")))
        assert "cannot be listed" in skip.reason  # type: ignore[union-attr]
    finally:
        locked.chmod(0o755)


def test_listing_errors_yield_the_directory(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, ["a.txt", "locked/x.txt", "open/y.txt"])
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr("drillhall.ml.secrets.containers.walk.os.scandir", scandir)
    got = _rel(tmp_path, list(iter_files(tmp_path)))
    assert got == ["a.txt", "locked", "open/y.txt"]
    skips = list(expand(tmp_path / "locked", "locked"))
    assert len(skips) == 1 and "directory" in skips[0].reason  # type: ignore[union-attr]
