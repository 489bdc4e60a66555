"""iter_history over real temporary git repositories."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Generator
from pathlib import Path

import pytest

from drillhall.ml.secrets.containers import Blob, Limits, Skip, iter_history

from .helpers import collect

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                          "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                          *args], cwd=repo, check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


def test_token_added_then_removed_is_found(repo: Path, token: str) -> None:
    cfg = repo / "config.py"
    cfg.write_text("DEBUG = False\nURL = 'https://x.invalid'\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    cfg.write_text(f"DEBUG = False\nURL = 'https://x.invalid'\nKEY = '{token}'\n")
    git(repo, "commit", "-qam", "add key")
    leaked = git(repo, "rev-parse", "HEAD")
    cfg.write_text("DEBUG = False\nURL = 'https://x.invalid'\nKEY = os.environ['KEY']\n")
    git(repo, "commit", "-qam", "remove key")
    assert token not in cfg.read_text()

    blobs, skips = collect(iter_history(repo))
    assert not skips
    hits = [b for b in blobs if token in b.text]
    assert len(hits) == 1
    hit = hits[0]
    assert hit.path == "config.py" and hit.commit == leaked and hit.has_lines
    assert hit.text.splitlines()[2] == f"KEY = '{token}'"
    assert len(blobs) == 3  # three distinct versions of config.py
    assert all(b.commit for b in blobs)


def test_branches_merges_archives_and_deleted_files(repo: Path, token: str) -> None:
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feature")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app/settings.ini", f"[api]\nkey={token}\n")
    (repo / "dist").mkdir()
    (repo / "dist" / "bundle.jar").write_bytes(buf.getvalue())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "bundle")
    git(repo, "rm", "-q", "dist/bundle.jar")
    git(repo, "commit", "-qm", "drop bundle")
    git(repo, "checkout", "-q", "main")
    (repo / "other.txt").write_text("other\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "other")
    git(repo, "merge", "-q", "--no-edit", "feature")

    blobs, skips = collect(iter_history(repo))
    assert not skips
    hit = next(b for b in blobs if token in b.text)
    assert hit.path == "dist/bundle.jar!/app/settings.ini"
    assert git(repo, "cat-file", "-t", hit.commit or "") == "commit"
    paths = sorted(b.path for b in blobs)
    assert paths == ["README.md", "dist/bundle.jar!/app/settings.ini", "other.txt"]


def test_unique_blobs_only_once(repo: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (repo / name).write_text("same content\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "two copies")
    blobs, _ = collect(iter_history(repo))
    assert len(blobs) == 1


def test_oversized_blob_is_skipped_unread(repo: Path) -> None:
    (repo / "big.txt").write_text("x" * 5000)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "big")
    blobs, skips = collect(iter_history(repo, Limits(max_scan_bytes=1000)))
    assert blobs == [] and len(skips) == 1 and "scan limit" in skips[0].reason


def test_empty_repository(repo: Path) -> None:
    assert list(iter_history(repo)) == []


def test_not_a_repository(tmp_path: Path) -> None:
    items = list(iter_history(tmp_path))
    assert len(items) == 1 and isinstance(items[0], Skip)
    assert "not a git repository" in items[0].reason


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drillhall.ml.secrets.containers.history.shutil.which", lambda _: None)
    items = list(iter_history(tmp_path))
    assert len(items) == 1 and isinstance(items[0], Skip) and "not installed" in items[0].reason


def test_stopping_early_cleans_up(repo: Path) -> None:
    for i in range(5):
        (repo / f"f{i}.txt").write_text(f"file {i}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "files")
    history = iter_history(repo)
    first = next(history)
    assert isinstance(first, Blob)
    assert isinstance(history, Generator)
    history.close()  # the git processes are terminated, no warnings about open pipes
