"""Walking a directory tree for files to scan: deterministic, symlink-safe, with excludes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

#: Directories of version-control systems, never walked (history is read with git instead).
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul", "CVS"})
# drillhall's own state (history store, reports): it holds masked values only, and scanning it
# would make every run see the previous one
VCS_DIRS = VCS_DIRS | {".drillhall"}


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob for relative POSIX paths: ``*`` and ``?`` stay within one path segment,
    ``[…]`` is a character class, ``**`` spans segments (``a/**/b`` also matches ``a/b``)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


class Excluder:
    """Decides whether a relative POSIX path is excluded.

    A pattern with a ``/`` is matched against the whole path from the scan root (a trailing
    ``/`` is ignored); a pattern without one against the name of each file and directory, at
    any depth. An excluded directory is not entered.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.path_patterns = [glob_regex(p.strip("/")) for p in patterns if "/" in p.rstrip("/")]
        self.name_patterns = [glob_regex(p.rstrip("/")) for p in patterns
                              if "/" not in p.rstrip("/") and p.rstrip("/")]

    def __call__(self, rel: str, name: str) -> bool:
        return (any(p.match(name) for p in self.name_patterns)
                or any(p.match(rel) for p in self.path_patterns))


def iter_files(root: Path, *, exclude: Sequence[str] = ()) -> Iterator[Path]:
    """Every regular file under ``root``, in sorted order, for :func:`expand`.

    Symbolic links are not followed (a link named as ``root`` itself is), version-control
    directories (:data:`VCS_DIRS`) are not entered, and ``exclude`` globs (see
    :class:`Excluder`) prune files and directories. If ``root`` is a file it is yielded
    alone. A directory that cannot be listed is yielded as it is, so that ``expand`` reports
    it as a skip instead of it vanishing from the scan.
    """
    excluded = Excluder(exclude)
    if not root.is_dir():
        yield root
        return
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            yield directory
            continue
        subdirs: list[tuple[Path, str]] = []
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name not in VCS_DIRS and not excluded(rel, entry.name):
                    subdirs.append((Path(entry.path), rel + "/"))
            elif is_file and not excluded(rel, entry.name):
                yield Path(entry.path)
        stack.extend(reversed(subdirs))
